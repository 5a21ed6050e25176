// SQL of UsageRepository, kept as text so review reads it as SQL. Positional parameters only.

/**
 * Records one model call (project $1, run $2, feature $3 or null, kind $4, provider $5, model $6,
 * tokens in/out/cache read/cache write $7-$10, cost $11) and adds it to the run's totals. One
 * statement, one round trip: it runs after every model call, so its cost is part of every agent
 * turn (bench/agent-turn.mjs). The CTE's insert and the update commit together.
 */
export const RECORD_USAGE_SQL = `
WITH recorded AS (
  INSERT INTO "UsageRecord" (
    "id", "projectId", "runId", "featureId", "kind", "provider", "model",
    "inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "costUsd"
  ) VALUES (
    gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $4::"UsageKind", $5::text, $6::text,
    $7::int, $8::int, $9::int, $10::int, $11::numeric
  )
)
UPDATE "Run"
   SET "tokensIn" = "tokensIn" + $7::int,
       "tokensOut" = "tokensOut" + $8::int,
       "cacheReadTokens" = "cacheReadTokens" + $9::int,
       "cacheWriteTokens" = "cacheWriteTokens" + $10::int,
       "costUsd" = "costUsd" + $11::numeric,
       "updatedAt" = now()
 WHERE "id" = $2::uuid`;

/**
 * Project $1's spend per UTC day since $2 (ISO timestamp) and usage kind. Prisma's groupBy cannot
 * group by an expression (the day).
 */
export const SPEND_PER_DAY_SQL = `
SELECT to_char(date_trunc('day', "createdAt"), 'YYYY-MM-DD') AS "day", "kind"::text AS "kind",
       NULL AS "featureId", sum("costUsd")::text AS "costUsd",
       sum("inputTokens")::bigint AS "inputTokens", sum("outputTokens")::bigint AS "outputTokens"
FROM "UsageRecord"
WHERE "projectId" = $1::uuid
  AND "createdAt" >= ($2::timestamptz AT TIME ZONE 'UTC')
GROUP BY 1, 2`;
