-- AlterTable
ALTER TABLE "slack_send" ADD COLUMN     "slot_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "lead_owner_id_stage_idx" ON "lead"("owner_id", "stage");

-- CreateIndex
CREATE INDEX "slack_alert_rep_id_status_idx" ON "slack_alert"("rep_id", "status");
