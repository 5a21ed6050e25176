// SQL of RunsRepository, kept as text so review reads it as SQL: each statement does what Prisma
// cannot in one query. Hours are UTC: Prisma stores DateTime as UTC in `timestamp(3)` columns.

/**
 * Sessions (runs of any role) started in each of the last 24 hours, the current hour last; hours
 * without one are 0. Reads runs by "startedAt" over every project: a day of sessions is a few
 * thousand rows at most, and the range scan needs no index of its own at that size.
 */
export const SESSIONS_PER_HOUR_SQL = `
WITH hours AS (
  SELECT h::timestamp AS "hour"
  FROM generate_series(date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '23 hours',
                       date_trunc('hour', now() AT TIME ZONE 'UTC'), interval '1 hour') AS h
)
SELECT to_char(h."hour", 'YYYY-MM-DD"T"HH24:00:00"Z"') AS "hour", count(r."id")::int AS "sessions"
FROM hours h
LEFT JOIN "Run" r
  ON r."startedAt" >= h."hour" AND r."startedAt" < h."hour" + interval '1 hour'
GROUP BY h."hour"
ORDER BY h."hour"`;

/**
 * Per run of $1 (uuid[]): its model turns so far and its newest tool call. Prisma cannot take
 * "the newest event of a type per run" for many runs in one statement: a LATERAL sub-select per
 * run reads the head of the ("runId", id) index backwards, instead of a query per session (N+1)
 * or every event of every session. The file-writing inputs (content, edits) are dropped in SQL so
 * a large write does not travel for a one-line summary. "turns" counts one run's events through
 * the same index; sessions are few (a project's concurrency).
 */
export const SESSION_PROGRESS_SQL = `
SELECT r."id" AS "runId",
       (SELECT count(*) FROM "RunEvent" e
         WHERE e."runId" = r."id" AND e."type" = 'model.response') AS "turns",
       t."message" AS "toolName",
       CASE WHEN jsonb_typeof(t."data"->'input') = 'object'
            THEN (t."data"->'input') - 'content' - 'old_string' - 'new_string'
            ELSE t."data"->'input' END AS "toolInput",
       t."createdAt" AS "toolAt"
FROM "Run" r
LEFT JOIN LATERAL (
  SELECT e."message", e."data", e."createdAt" FROM "RunEvent" e
  WHERE e."runId" = r."id" AND e."type" = 'tool.call'
  ORDER BY e."id" DESC
  LIMIT 1
) t ON true
WHERE r."id" = ANY($1::uuid[])`;
