-- AlterTable
ALTER TABLE "zalo_send" ADD COLUMN     "slot_at" TIMESTAMPTZ(3);
