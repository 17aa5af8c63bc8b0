-- CreateTable
CREATE TABLE "slack_alert" (
    "id" TEXT NOT NULL,
    "lead_id" TEXT NOT NULL,
    "outbox_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "ts" TEXT,
    "rep_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "status_by" TEXT,
    "status_reason" TEXT,
    "status_at" TIMESTAMPTZ(3),
    "snoozed_until" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "lang" TEXT NOT NULL DEFAULT 'vi',
    "crossed_at" TIMESTAMPTZ(3) NOT NULL,
    "sla_due_at" TIMESTAMPTZ(3),
    "escalated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slack_alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slack_send" (
    "id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "alert_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "ts" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "slack_send_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slack_channel_slot" (
    "channel" TEXT NOT NULL,
    "next_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slack_channel_slot_pkey" PRIMARY KEY ("channel")
);

-- CreateIndex
CREATE UNIQUE INDEX "slack_alert_outbox_id_key" ON "slack_alert"("outbox_id");

-- CreateIndex
CREATE INDEX "slack_alert_lead_id_idx" ON "slack_alert"("lead_id");

-- CreateIndex
CREATE INDEX "slack_alert_status_sla_due_at_idx" ON "slack_alert"("status", "sla_due_at");

-- CreateIndex
CREATE UNIQUE INDEX "slack_send_dedupe_key_key" ON "slack_send"("dedupe_key");

-- CreateIndex
CREATE INDEX "slack_send_status_created_at_idx" ON "slack_send"("status", "created_at");
