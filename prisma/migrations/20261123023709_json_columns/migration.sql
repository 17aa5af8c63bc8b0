-- AlterTable
ALTER TABLE "event" ALTER COLUMN "payload" SET DATA TYPE JSON;

-- AlterTable
ALTER TABLE "lead" ALTER COLUMN "state" SET DATA TYPE JSON;
