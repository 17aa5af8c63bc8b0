-- CreateTable
CREATE TABLE "digest_subscription" (
    "id" TEXT NOT NULL,
    "rep_id" TEXT NOT NULL,
    "slack_user_id" TEXT NOT NULL,
    "time_of_day" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,
    "last_sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "digest_subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bant_session" (
    "id" TEXT NOT NULL,
    "lead_id" TEXT NOT NULL,
    "rep_id" TEXT,
    "slack_user_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "thread_ts" TEXT NOT NULL,
    "lang" TEXT NOT NULL,
    "field" TEXT,
    "pending" JSONB,
    "skipped" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "step" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bant_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "digest_subscription_rep_id_key" ON "digest_subscription"("rep_id");

-- CreateIndex
CREATE INDEX "digest_subscription_active_next_run_at_idx" ON "digest_subscription"("active", "next_run_at");

-- CreateIndex
CREATE INDEX "bant_session_lead_id_status_idx" ON "bant_session"("lead_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "bant_session_channel_thread_ts_key" ON "bant_session"("channel", "thread_ts");
