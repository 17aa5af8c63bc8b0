-- Ingestion sends a batch's events, new identities and BANT answers while it scores the batch,
-- before the rows of the batch's new leads exist: these foreign keys are checked at commit.
ALTER TABLE "event" ALTER CONSTRAINT "event_lead_id_fkey" DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "lead_identity" ALTER CONSTRAINT "lead_identity_lead_id_fkey" DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "bant_answer" ALTER CONSTRAINT "bant_answer_lead_id_fkey" DEFERRABLE INITIALLY DEFERRED;
