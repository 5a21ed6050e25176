-- AlterTable
ALTER TABLE "Feature" ADD COLUMN     "blockedDependentCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "unmetDependencyCount" INTEGER NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------------------------------------
-- Hand-written: claim readiness counters (see libs/server/db/src/lib/sql/claims.sql.ts).
--
-- A claim must find "pending, every dependency passing, most unblocking first" among thousands of
-- features many times a second. Evaluating that per claim took ~55 ms on 10,000 features; with
-- these counters and the partial index below a claim reads the head of one index instead. The
-- claim still checks the dependency rows of what it locked ("feature_dependencies_pass", at the
-- end), so a wrong counter could stall claims but never hand out a feature too early.
--
-- Concurrency: every change that can move a counter locks the features whose counters it moves
-- (in id order, so two such writers cannot deadlock on each other) and only then recounts them
-- in a new statement. Under READ COMMITTED that statement's snapshot includes every transaction
-- that held those rows before, so the last recount of a row sees the final state. Increments
-- alone go wrong when a feature's status and a dependency row on it change at the same time.

-- Recounts both counters of the given features from the dependency rows.
CREATE FUNCTION "feature_refresh_claim_counters"(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM "Feature" WHERE "id" = ANY (ids) ORDER BY "id" FOR NO KEY UPDATE;
    -- Materialized: each count runs once per feature, not again in the UPDATE's filter.
    WITH counted AS MATERIALIZED (
        SELECT f."id",
            (SELECT count(*)::int FROM "FeatureDependency" e
                JOIN "Feature" dep ON dep."id" = e."dependsOnId"
                WHERE e."featureId" = f."id" AND dep."status" <> 'passing') AS unmet,
            CASE WHEN f."status" = 'passing' THEN 0 ELSE
                (SELECT count(*)::int FROM "FeatureDependency" e
                    JOIN "Feature" dependent ON dependent."id" = e."featureId"
                    WHERE e."dependsOnId" = f."id" AND dependent."status" <> 'passing')
            END AS blocked
        FROM "Feature" f
        WHERE f."id" = ANY (ids)
    )
    UPDATE "Feature" f
    SET "unmetDependencyCount" = c.unmet, "blockedDependentCount" = c.blocked
    FROM counted c
    WHERE f."id" = c."id"
        AND (f."unmetDependencyCount", f."blockedDependentCount") IS DISTINCT FROM (c.unmet, c.blocked);
END
$$;

-- A passing feature blocks nothing; set here so the common transition costs no second write.
CREATE FUNCTION "feature_passing_blocks_nothing"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW."blockedDependentCount" := 0;
    RETURN NEW;
END
$$;

CREATE TRIGGER "Feature_passing_blocks_nothing"
    BEFORE UPDATE OF "status" ON "Feature"
    FOR EACH ROW WHEN (NEW."status" = 'passing' AND NEW."blockedDependentCount" <> 0)
    EXECUTE FUNCTION "feature_passing_blocks_nothing"();

-- A feature started or stopped passing: recount its dependents (their unmet dependencies), its
-- dependencies that do not pass (what they block) and itself when it stopped passing. Passing
-- dependencies are left alone (their count stays 0), so the releases of siblings do not queue
-- on a shared dependency that passes already.
--
-- "unmetDependencyCount" is exact for every feature that does not pass, which is all a claim
-- reads; a feature recounts itself when it stops passing. That lets the trigger skip, without
-- even calling the function, the most common release: a feature that blocked nothing and waited
-- for nothing starts passing.
CREATE FUNCTION "feature_status_claim_counters"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    affected uuid[];
BEGIN
    SELECT array_agg(s."id") INTO affected FROM (
        SELECT e."featureId" AS "id" FROM "FeatureDependency" e WHERE e."dependsOnId" = NEW."id"
        UNION
        SELECT dep."id" FROM "FeatureDependency" e
            JOIN "Feature" dep ON dep."id" = e."dependsOnId"
            WHERE e."featureId" = NEW."id" AND dep."status" <> 'passing'
        UNION
        SELECT NEW."id" WHERE NEW."status" <> 'passing'
    ) s;
    -- Most releases touch nothing else: a leaf whose dependencies all pass.
    IF affected IS NOT NULL THEN
        PERFORM "feature_refresh_claim_counters"(affected);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER "Feature_status_claim_counters"
    AFTER UPDATE OF "status" ON "Feature"
    FOR EACH ROW WHEN ((OLD."status" = 'passing') <> (NEW."status" = 'passing')
        AND NOT (NEW."status" = 'passing' AND OLD."blockedDependentCount" = 0
            AND NEW."unmetDependencyCount" = 0))
    EXECUTE FUNCTION "feature_status_claim_counters"();

-- Dependency rows added, removed or changed: recount both ends, once per statement (the backlog
-- writer inserts a whole backlog's dependencies in one statement).
CREATE FUNCTION "feature_dependency_inserted_claim_counters"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "feature_refresh_claim_counters"(ARRAY(
        SELECT "featureId" FROM new_rows UNION SELECT "dependsOnId" FROM new_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION "feature_dependency_deleted_claim_counters"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "feature_refresh_claim_counters"(ARRAY(
        SELECT "featureId" FROM old_rows UNION SELECT "dependsOnId" FROM old_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION "feature_dependency_updated_claim_counters"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "feature_refresh_claim_counters"(ARRAY(
        SELECT "featureId" FROM old_rows UNION SELECT "dependsOnId" FROM old_rows
        UNION SELECT "featureId" FROM new_rows UNION SELECT "dependsOnId" FROM new_rows));
    RETURN NULL;
END
$$;

CREATE TRIGGER "FeatureDependency_inserted_claim_counters"
    AFTER INSERT ON "FeatureDependency" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "feature_dependency_inserted_claim_counters"();

CREATE TRIGGER "FeatureDependency_deleted_claim_counters"
    AFTER DELETE ON "FeatureDependency" REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "feature_dependency_deleted_claim_counters"();

CREATE TRIGGER "FeatureDependency_updated_claim_counters"
    AFTER UPDATE ON "FeatureDependency" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "feature_dependency_updated_claim_counters"();

-- Counters of the features that exist already (features without dependency rows keep 0, 0).
SELECT "feature_refresh_claim_counters"(ARRAY(
    SELECT "featureId" FROM "FeatureDependency" UNION SELECT "dependsOnId" FROM "FeatureDependency"));

-- What a claim reads: a project's claimable features, already in claim order.
CREATE INDEX "Feature_claimable_idx" ON "Feature"
    ("projectId", "blockedDependentCount" DESC, "priority", "id")
    WHERE "status" = 'pending' AND "unmetDependencyCount" = 0;

-- Ground truth for a claim: every dependency of the feature passes. The claim asks it about the
-- rows it has locked, so a wrong counter could stall claims but never let an unready feature
-- through. plpgsql keeps its plan per connection, outside every claim's planning; STABLE makes
-- it read with the claim's own snapshot.
CREATE FUNCTION "feature_dependencies_pass"(feature uuid) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN NOT EXISTS (
        SELECT 1 FROM "FeatureDependency" d
        JOIN "Feature" dep ON dep."id" = d."dependsOnId"
        WHERE d."featureId" = feature AND dep."status" <> 'passing');
END
$$;
