-- The merge queue (issue 13): sessions queue their branch, and one merge worker per project (a
-- Postgres advisory lock) merges batches of them onto main, verifies, and publishes by CAS.

-- CreateEnum
CREATE TYPE "MergeRequestStatus" AS ENUM ('queued', 'merging', 'merged', 'conflict', 'failed');

-- CreateTable
CREATE TABLE "MergeRequest" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "featureId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "owner" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "commit" TEXT NOT NULL,
    "status" "MergeRequestStatus" NOT NULL DEFAULT 'queued',
    "batchId" UUID,
    "position" INTEGER,
    "mergeCommit" TEXT,
    "candidate" TEXT,
    "previousMain" TEXT,
    "detail" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "MergeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MergeRequest_projectId_status_createdAt_idx" ON "MergeRequest"("projectId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "MergeRequest_featureId_idx" ON "MergeRequest"("featureId");

-- CreateIndex
CREATE INDEX "MergeRequest_runId_idx" ON "MergeRequest"("runId");

-- AddForeignKey
ALTER TABLE "MergeRequest" ADD CONSTRAINT "MergeRequest_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeRequest" ADD CONSTRAINT "MergeRequest_featureId_fkey" FOREIGN KEY ("featureId") REFERENCES "Feature"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MergeRequest" ADD CONSTRAINT "MergeRequest_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One open request per run (Prisma's schema cannot say "partial"): a session queues its branch
-- once; a redelivered attempt of the same run finds the open request instead of queuing twice.
CREATE UNIQUE INDEX "MergeRequest_open_run_key" ON "MergeRequest"("runId")
    WHERE "status" IN ('queued', 'merging');
