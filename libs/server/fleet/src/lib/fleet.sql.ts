// SQL of FleetService, kept as text so review reads it as SQL. Hours are UTC: Prisma stores
// DateTime as UTC in `timestamp(3)` columns.

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
