// SQL of ProjectsRepository's timeline, kept as text so review reads it as SQL. Positional parameters
// only. Days are UTC days: Prisma stores DateTime as UTC in `timestamp(3)` columns, so "today"
// is `date_trunc('day', now() AT TIME ZONE 'UTC')`.

/**
 * Features passing and existing at the end of each of the last $2 days of project $1.
 *
 * "Passing" is walked back from today's count through the audit trail: the database audits every
 * change of a feature's status (trigger of migration feature_status_audit), so each change into
 * passing is +1 and each change out of it −1, and the count at the end of day D is today's count
 * minus the net changes after D. A feature written as passing without an audited change (inserted
 * so, or from before that migration) counts from its "passedAt" (else its creation). Limits: a
 * feature deleted while passing leaves no change, so days before its deletion undercount by one;
 * "total" counts the features that exist now by their creation time, so deleted ones are missing
 * from it too. Both are clamped to [0, total].
 *
 * Cost: one pass over the project's feature.status audit rows since the first day (index
 * AuditEvent(projectId, at)) and over its features.
 */
export const DAILY_PROGRESS_SQL = `
WITH days AS (
  SELECT d::timestamp AS "day", d::timestamp + interval '1 day' AS "dayEnd"
  FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - ($2::int - 1) * interval '1 day',
                       date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d
),
audited AS (
  SELECT a."at", a."targetId",
         CASE WHEN a."after"->>'status' = 'passing' THEN 1 ELSE -1 END AS "delta"
  FROM "AuditEvent" a
  WHERE a."projectId" = $1::uuid
    AND a."action" = 'feature.status'
    AND (a."after"->>'status' = 'passing') IS DISTINCT FROM (a."before"->>'status' = 'passing')
),
moves AS (
  SELECT "at", "delta" FROM audited
  UNION ALL
  SELECT coalesce(f."passedAt", f."createdAt"), 1
  FROM "Feature" f
  WHERE f."projectId" = $1::uuid AND f."status" = 'passing'
    AND NOT EXISTS (SELECT 1 FROM audited a WHERE a."targetId" = f."id"::text AND a."delta" = 1)
),
now_counts AS (
  SELECT count(*) FILTER (WHERE "status" = 'passing')::int AS "passing"
  FROM "Feature" WHERE "projectId" = $1::uuid
)
SELECT to_char(d."day", 'YYYY-MM-DD') AS "day",
       (SELECT count(*)::int FROM "Feature" f
         WHERE f."projectId" = $1::uuid AND f."createdAt" < d."dayEnd") AS "total",
       (SELECT n."passing" FROM now_counts n)
         - coalesce((SELECT sum(m."delta")::int FROM moves m WHERE m."at" >= d."dayEnd"), 0) AS "passing",
       (SELECT count(*)::int FROM "Run" r
         WHERE r."projectId" = $1::uuid AND r."role" IN ('coding', 'testing')
           AND r."startedAt" >= d."day" AND r."startedAt" < d."dayEnd") AS "sessions"
FROM days d
ORDER BY d."day"`;

/**
 * Coding-session time per passing feature of project $1: the sum of start-to-finish of every
 * coding run that claimed it (failed attempts included, since they are part of what it took),
 * finished runs only. Features passing with no coding run (written so by hand) are left out.
 */
export const FEATURE_TIMES_SQL = `
SELECT f."id" AS "featureId", f."name", f."category",
       count(r."id")::int AS "sessions",
       coalesce(sum(extract(epoch FROM (r."finishedAt" - r."startedAt"))), 0)::float8 AS "seconds"
FROM "Feature" f
JOIN "RunFeature" rf ON rf."featureId" = f."id"
JOIN "Run" r ON r."id" = rf."runId"
WHERE f."projectId" = $1::uuid AND f."status" = 'passing'
  AND r."role" = 'coding' AND r."startedAt" IS NOT NULL AND r."finishedAt" IS NOT NULL
GROUP BY f."id", f."name", f."category"
ORDER BY "seconds" DESC`;

/** Passing and total features per category of project $1. */
export const CATEGORY_PROGRESS_SQL = `
SELECT "category",
       count(*) FILTER (WHERE "status" = 'passing')::int AS "passing",
       count(*)::int AS "total"
FROM "Feature"
WHERE "projectId" = $1::uuid
GROUP BY "category"
ORDER BY "total" DESC, "category"`;
