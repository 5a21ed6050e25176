// SQL of MergeRequestsRepository, kept as text so review reads it as SQL. Positional parameters
// only. Every statement is one round trip and atomic on its own; the state moves are
// compare-and-set on ("status", "batchId"), so a drainer that lost its lock (and its batch to
// the next drainer's reconciliation) changes nothing with a late write.

/**
 * Takes up to $2 queued requests of project $1, oldest first, into batch $3: status merging,
 * "position" 1..n in queue order. FOR UPDATE SKIP LOCKED makes concurrent takers (only possible
 * past the advisory lock, in tests) take disjoint rows. The window function runs over the CTE,
 * not the locking select (Postgres refuses FOR UPDATE with window functions). Returns the taken
 * rows with their feature's name (for the merge message), in no particular order.
 */
export const TAKE_BATCH_SQL = `
WITH picked AS (
  SELECT m."id", m."createdAt"
  FROM "MergeRequest" m
  WHERE m."projectId" = $1::uuid
    AND m."status" = 'queued'
  ORDER BY m."createdAt" ASC, m."id" ASC
  LIMIT $2::int
  FOR UPDATE OF m SKIP LOCKED
), ordered AS (
  SELECT "id", row_number() OVER (ORDER BY "createdAt" ASC, "id" ASC)::int AS "position"
  FROM picked
)
UPDATE "MergeRequest" t
SET "status" = 'merging',
    "batchId" = $3::uuid,
    "position" = o."position",
    "mergeCommit" = NULL,
    "candidate" = NULL,
    "previousMain" = NULL,
    "detail" = NULL,
    "startedAt" = now() AT TIME ZONE 'UTC',
    "finishedAt" = NULL
FROM ordered o
WHERE t."id" = o."id"
  AND t."status" = 'queued'
RETURNING t.*, (SELECT f."name" FROM "Feature" f WHERE f."id" = t."featureId") AS "featureName"`;

/**
 * Before the push: batch $1 plans to publish $2 (candidate) over main $3 (previousMain), and
 * request $4[i] is merge commit $5[i] in it. Returns the ids written; fewer than planned means
 * the batch is no longer the caller's.
 */
export const RECORD_PLAN_SQL = `
UPDATE "MergeRequest" t
SET "candidate" = $2::text,
    "previousMain" = $3::text,
    "mergeCommit" = p."mergeCommit"
FROM unnest($4::uuid[], $5::text[]) AS p("id", "mergeCommit")
WHERE t."id" = p."id"
  AND t."batchId" = $1::uuid
  AND t."status" = 'merging'
RETURNING t."id"`;

/**
 * Ends requests of batch $1: request $2[i] gets status $3[i] (merged, conflict, failed), merge
 * commit $4[i] (merged only; null keeps the planned one) and detail $5[i] (its last 8000
 * characters). Returns the rows it ended; a request no longer merging in that batch is left.
 */
export const RESOLVE_SQL = `
UPDATE "MergeRequest" t
SET "status" = o."status"::"MergeRequestStatus",
    "mergeCommit" = CASE WHEN o."status" = 'merged' THEN COALESCE(o."mergeCommit", t."mergeCommit") ELSE NULL END,
    "detail" = right(o."detail", 8000),
    "finishedAt" = now() AT TIME ZONE 'UTC'
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS o("id", "status", "mergeCommit", "detail")
WHERE t."id" = o."id"
  AND t."batchId" = $1::uuid
  AND t."status" = 'merging'
RETURNING t.*`;

/**
 * Returns the merging requests of batch $1 (all, or only ids $2 when not null) to the queue, for
 * another batch: main moved under the push, or the drainer failed or died. $3 (0 or 1) counts it
 * as one of a request's attempts; a request that reaches $4 attempts fails instead, saying so
 * and why the last one ended ($5, also kept on a requeued request as the reason it went back). A requeued request keeps its
 * "createdAt", so it stays at the head of the queue.
 */
export const REQUEUE_SQL = `
UPDATE "MergeRequest"
SET "attempts" = "attempts" + $3::int,
    "status" = CASE WHEN "attempts" + $3::int >= $4::int
      THEN 'failed'::"MergeRequestStatus" ELSE 'queued'::"MergeRequestStatus" END,
    "batchId" = CASE WHEN "attempts" + $3::int >= $4::int THEN "batchId" ELSE NULL END,
    "position" = CASE WHEN "attempts" + $3::int >= $4::int THEN "position" ELSE NULL END,
    "finishedAt" = CASE WHEN "attempts" + $3::int >= $4::int THEN now() AT TIME ZONE 'UTC' ELSE NULL END,
    "startedAt" = CASE WHEN "attempts" + $3::int >= $4::int THEN "startedAt" ELSE NULL END,
    "mergeCommit" = NULL,
    "candidate" = NULL,
    "previousMain" = NULL,
    "detail" = right(CASE WHEN "attempts" + $3::int >= $4::int
      THEN 'merge queue gave up after ' || ("attempts" + $3::int) || ' attempts; the last: ' || $5::text
      ELSE $5::text END, 8000)
WHERE "batchId" = $1::uuid
  AND "status" = 'merging'
  AND ($2::uuid[] IS NULL OR "id" = ANY ($2::uuid[]))
RETURNING *`;
