-- AlterTable
ALTER TABLE "bant_session" ADD COLUMN     "last_ts" TEXT NOT NULL DEFAULT '0';
