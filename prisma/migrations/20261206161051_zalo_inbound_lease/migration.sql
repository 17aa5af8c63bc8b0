-- AlterTable
ALTER TABLE "zalo_inbound" ADD COLUMN     "locked_until" TIMESTAMPTZ(3);
