-- CreateTable
CREATE TABLE "zalo_inbound" (
    "id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "event_name" TEXT NOT NULL,
    "user_id" TEXT,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "zalo_inbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "zalo_conversation" (
    "user_id" TEXT NOT NULL,
    "lead_id" TEXT,
    "display_name" TEXT,
    "last_inbound_at" TIMESTAMPTZ(3),
    "following" BOOLEAN NOT NULL DEFAULT true,
    "flow" TEXT NOT NULL DEFAULT 'qualifying',
    "asked" TEXT,
    "asked_at" TIMESTAMPTZ(3),
    "answered_since_ask" BOOLEAN NOT NULL DEFAULT true,
    "lang" TEXT NOT NULL DEFAULT 'vi',
    "slack_channel" TEXT,
    "slack_thread_ts" TEXT,
    "rep_replied_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zalo_conversation_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "zalo_message" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "lead_id" TEXT,
    "direction" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "msg_id" TEXT,
    "text" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "zalo_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "zalo_send" (
    "id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "author" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "message_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "zalo_send_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "zalo_token" (
    "oa_id" TEXT NOT NULL,
    "access_token" TEXT NOT NULL,
    "refresh_token" TEXT NOT NULL,
    "access_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "refresh_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zalo_token_pkey" PRIMARY KEY ("oa_id")
);

-- CreateTable
CREATE TABLE "zalo_oauth_state" (
    "state" TEXT NOT NULL,
    "code_verifier" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "zalo_oauth_state_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "zalo_settings" (
    "oa_id" TEXT NOT NULL,
    "qualify" BOOLEAN NOT NULL DEFAULT true,
    "allow_paid_window" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "zalo_settings_pkey" PRIMARY KEY ("oa_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "zalo_inbound_dedupe_key_key" ON "zalo_inbound"("dedupe_key");

-- CreateIndex
CREATE INDEX "zalo_inbound_status_received_at_idx" ON "zalo_inbound"("status", "received_at");

-- CreateIndex
CREATE INDEX "zalo_conversation_lead_id_idx" ON "zalo_conversation"("lead_id");

-- CreateIndex
CREATE INDEX "zalo_conversation_slack_channel_slack_thread_ts_idx" ON "zalo_conversation"("slack_channel", "slack_thread_ts");

-- CreateIndex
CREATE UNIQUE INDEX "zalo_message_msg_id_key" ON "zalo_message"("msg_id");

-- CreateIndex
CREATE INDEX "zalo_message_user_id_at_idx" ON "zalo_message"("user_id", "at");

-- CreateIndex
CREATE INDEX "zalo_message_lead_id_at_idx" ON "zalo_message"("lead_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "zalo_send_dedupe_key_key" ON "zalo_send"("dedupe_key");

-- CreateIndex
CREATE INDEX "zalo_send_status_created_at_idx" ON "zalo_send"("status", "created_at");
