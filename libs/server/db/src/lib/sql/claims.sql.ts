// SQL of FeatureClaimsRepository, kept here as text so that review reads it as SQL and
// bench/claims.mjs runs exactly the same statements through plain pg. Positional parameters only,
// no string building. Every statement is one round trip and atomic on its own.
//
// Timestamps: Prisma stores DateTime as UTC in `timestamp(3)` columns, so "now" is
// `now() AT TIME ZONE 'UTC'` (right whatever the session's TimeZone) and a JS Date parameter,
// which the driver adapter sends as UTC wall-clock text, is cast to `timestamp`.
//
// Readiness: evaluating "every dependency passes" and "how many features does it unblock" for
// every pending feature on each claim took ~55 ms per claim on 10,000 features (a transitive
// count, by recursive CTE, ~150 ms). Triggers of migration 20261124221944_feature_claim_counters
// keep both as counters on the row instead ("unmetDependencyCount", "blockedDependentCount"), and
// the partial index "Feature_claimable_idx" holds the claimable features already in claim order,
// so a claim reads the head of one index.

/**
 * Claims up to $4 features of project $1 for owner $2 with a lease of $3 ms, skipping features
 * that already had $5 attempts (maxAttempts).
 *
 * Claimable: pending, fewer attempts than $5, no dependency that is not passing. Candidates come
 * from the counter ("unmetDependencyCount" = 0, rechecked on the newest row version once locked,
 * so a dependency added meanwhile is seen); "feature_dependencies_pass" then checks the
 * dependency rows themselves on the locked rows (NOT EXISTS a dependency that does not pass), so
 * a wrong counter could stall a claim but never hand out a feature too early.
 *
 * Order: how many features it unblocks, counted as direct dependents that do not pass yet
 * ("blockedDependentCount"; transitive would need recursive recounts on every change), most
 * first, then priority (lower first), then id. FOR NO KEY UPDATE SKIP LOCKED lets concurrent
 * claimers take different rows without waiting; a row another claimer took meanwhile fails the
 * status recheck after the lock and is skipped. The candidates are an ARRAY() sub-select rather
 * than a CTE joined back to the table: the same plan, planned in ~0.07 ms instead of ~0.10 ms,
 * which every claim pays (the statement is not prepared).
 *
 * Returns the claimed rows with their sort keys, in no particular order.
 */
export const CLAIM_FEATURES_SQL = `
UPDATE "Feature" t
SET "status" = 'in_progress',
    "leaseOwner" = $2::text,
    "leaseExpiresAt" = (now() AT TIME ZONE 'UTC') + $3::double precision * interval '1 millisecond',
    "attempts" = t."attempts" + 1,
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE t."id" = ANY (ARRAY(
    SELECT f."id"
    FROM "Feature" f
    WHERE f."projectId" = $1::uuid
      AND f."status" = 'pending'
      AND f."unmetDependencyCount" = 0
      AND f."attempts" < $5::int
    ORDER BY f."blockedDependentCount" DESC, f."priority" ASC, f."id" ASC
    LIMIT $4::int
    FOR NO KEY UPDATE OF f SKIP LOCKED
  ))
  AND "feature_dependencies_pass"(t."id")
RETURNING t."id", t."name", t."priority", t."attempts", t."leaseExpiresAt", t."blockedDependentCount"`;

/**
 * Extends to now + $3 ms the leases of features $1 (uuid[]) that owner $2 still holds. Returns the
 * ids it extended; a missing id is a lease the caller lost (reaped, released or never held).
 */
export const HEARTBEAT_FEATURES_SQL = `
UPDATE "Feature"
SET "leaseExpiresAt" = (now() AT TIME ZONE 'UTC') + $3::double precision * interval '1 millisecond'
WHERE "id" = ANY ($1::uuid[])
  AND "status" IN ('in_progress', 'passing')
  AND "leaseOwner" = $2::text
RETURNING "id"`;

/**
 * Ends owner $2's lease on feature $1 with status $3 (pending, passing or failing) and last error
 * $4 (null clears it); $5 true gives back the attempt the claim counted (the session stopped for
 * reasons not the feature's: a stop, a shutdown, a provider outage). Passing stamps "passedAt".
 * Returns the id, or no row when the lease is no longer the caller's.
 */
export const RELEASE_FEATURE_SQL = `
UPDATE "Feature"
SET "status" = $3::"FeatureStatus",
    "leaseOwner" = NULL,
    "leaseExpiresAt" = NULL,
    "lastError" = $4::text,
    "attempts" = CASE WHEN $5::boolean THEN GREATEST("attempts" - 1, 0) ELSE "attempts" END,
    "passedAt" = CASE WHEN $3::"FeatureStatus" = 'passing' THEN now() AT TIME ZONE 'UTC' ELSE "passedAt" END,
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "id" = $1::uuid
  AND "status" = 'in_progress'
  AND "leaseOwner" = $2::text
RETURNING "id"`;

/**
 * Marks features $1 (uuid[]) passing because the merge queue put their work on main: whoever
 * holds the lease now (the session that queued it, a later attempt, nobody after a reap), the
 * work is merged, so the lease ends too. A feature already passing is left as it is. Returns the
 * ids it changed.
 */
export const MARK_MERGED_PASSING_SQL = `
UPDATE "Feature"
SET "status" = 'passing',
    "leaseOwner" = NULL,
    "leaseExpiresAt" = NULL,
    "lastError" = NULL,
    "passedAt" = now() AT TIME ZONE 'UTC',
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "id" = ANY ($1::uuid[])
  AND "status" <> 'passing'
RETURNING "id"`;

/**
 * Returns every in-progress feature whose lease expired before $1 (a timestamp, or null for the
 * database's now) to the backlog. A lease renewed meanwhile is rechecked after the row lock and
 * kept. Returns the reaped ids.
 */
export const REAP_EXPIRED_SQL = `
UPDATE "Feature"
SET "status" = 'pending',
    "lastError" = 'lease of ' || "leaseOwner" || ' expired',
    "leaseOwner" = NULL,
    "leaseExpiresAt" = NULL,
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "status" = 'in_progress'
  AND "leaseExpiresAt" < COALESCE($1::timestamp, now() AT TIME ZONE 'UTC')
RETURNING "id"`;

/**
 * Fails the pending features of project $1 that used up $2 attempts (claim no longer picks them),
 * so a run over the backlog ends instead of waiting for them. Returns their ids.
 */
export const MARK_EXHAUSTED_SQL = `
UPDATE "Feature"
SET "status" = 'failing',
    "lastError" = 'exhausted ' || "attempts" || ' attempts' || COALESCE(': ' || "lastError", ''),
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "projectId" = $1::uuid
  AND "status" = 'pending'
  AND "attempts" >= $2::int
RETURNING "id"`;

/**
 * Returns to pending, giving back their attempt, the in-progress features of project $1 held by
 * owners starting with $2 (a run's earlier attempts: "<runId>:"), e.g. after its runner died and
 * the job came back. Returns their ids.
 */
export const RELEASE_OWNED_SQL = `
UPDATE "Feature"
SET "status" = 'pending',
    "leaseOwner" = NULL,
    "leaseExpiresAt" = NULL,
    "attempts" = GREATEST("attempts" - 1, 0),
    "lastError" = 'released: the session holding it ended without finishing',
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "projectId" = $1::uuid
  AND "status" = 'in_progress'
  AND starts_with("leaseOwner", $2::text)
RETURNING "id"`;

/**
 * Leases, for a regression check by owner $2 for $3 ms, the passing feature of project $1 touched
 * least recently that no live lease holds. The feature stays passing. Returns it, or no row.
 */
export const CLAIM_REGRESSION_SQL = `
UPDATE "Feature" t
SET "leaseOwner" = $2::text,
    "leaseExpiresAt" = (now() AT TIME ZONE 'UTC') + $3::double precision * interval '1 millisecond',
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE t."id" = (
    SELECT f."id"
    FROM "Feature" f
    WHERE f."projectId" = $1::uuid
      AND f."status" = 'passing'
      AND (f."leaseOwner" IS NULL OR f."leaseExpiresAt" < now() AT TIME ZONE 'UTC')
    ORDER BY f."updatedAt" ASC, f."id" ASC
    LIMIT 1
    FOR NO KEY UPDATE OF f SKIP LOCKED
  )
RETURNING t."id", t."name", t."priority", t."attempts", t."leaseExpiresAt"`;

/**
 * Ends owner $2's regression lease on passing feature $1. With a reason $3 the feature regressed:
 * back to pending with a fresh attempt count, "regression: <reason>" as its last error, so a coding
 * session fixes it. Returns the id, or no row when the lease is no longer the caller's.
 */
export const RELEASE_REGRESSION_SQL = `
UPDATE "Feature"
SET "leaseOwner" = NULL,
    "leaseExpiresAt" = NULL,
    "status" = CASE WHEN $3::text IS NULL THEN "status" ELSE 'pending'::"FeatureStatus" END,
    "attempts" = CASE WHEN $3::text IS NULL THEN "attempts" ELSE 0 END,
    "lastError" = CASE WHEN $3::text IS NULL THEN "lastError" ELSE 'regression: ' || $3::text END,
    "passedAt" = CASE WHEN $3::text IS NULL THEN "passedAt" ELSE NULL END,
    "updatedAt" = now() AT TIME ZONE 'UTC'
WHERE "id" = $1::uuid
  AND "status" = 'passing'
  AND "leaseOwner" = $2::text
RETURNING "id"`;
