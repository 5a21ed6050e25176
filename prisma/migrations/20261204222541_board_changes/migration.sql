-- Which transactions changed a project's board, so the api can keep built board answers and know,
-- exactly, when one stops being what a fresh query would return (BoardAnswers, libs/server/backlog).
--
-- A row says "transaction txid wrote Feature or FeatureDependency rows of project projectId".
-- A kept answer remembers the snapshot it was read under; it is still current while no row of its
-- project is visible now that was not visible in that snapshot (pg_visible_in_snapshot). That is
-- MVCC's own rule, so it holds whatever order transactions commit in, with no clocks.
--
-- Why rows and not NOTIFY: NOTIFY takes a database-wide lock from pre-commit to the end of commit,
-- so every transaction that notifies commits one after another; feature claims (64 claimers) fell
-- to a tenth of their rate. Inserting a row per writing transaction contends with nothing: each
-- transaction has its own txid, and the primary key folds a transaction's repeats into one row.
--
-- The api deletes rows old enough that no answer it keeps can need them (BoardChangeLog.prune).
-- The board shows only Feature and FeatureDependency rows, so these two tables are all that is
-- watched. Updates that change nothing the board shows (lease renewals, the claim counters kept by
-- triggers) write nothing. Statement-level triggers: a bulk insert of 10,000 features writes one row.
CREATE TABLE "BoardChange" (
    "projectId" UUID NOT NULL,
    "txid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BoardChange_pkey" PRIMARY KEY ("projectId","txid")
);

-- Inserted or deleted rows: each project they belong to.
CREATE FUNCTION board_changes_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "BoardChange" ("projectId")
    SELECT DISTINCT "projectId" FROM changed_rows
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Updated features: the projects of those whose board-visible columns changed.
CREATE FUNCTION board_changes_record_feature_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "BoardChange" ("projectId")
    SELECT DISTINCT p."projectId"
    FROM old_rows o
    JOIN new_rows n ON n."id" = o."id"
    CROSS JOIN LATERAL (VALUES (o."projectId"), (n."projectId")) AS p("projectId")
    WHERE ROW(o."projectId", o."priority", o."category", o."name", o."description", o."steps",
              o."status", o."leaseOwner", o."attempts", o."lastError", o."humanInputRequest",
              o."humanInputResponse", o."createdAt", o."updatedAt")
          IS DISTINCT FROM
          ROW(n."projectId", n."priority", n."category", n."name", n."description", n."steps",
              n."status", n."leaseOwner", n."attempts", n."lastError", n."humanInputRequest",
              n."humanInputResponse", n."createdAt", n."updatedAt")
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

-- Updated dependency rows (not done by the api today, but cheap to cover).
CREATE FUNCTION board_changes_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "BoardChange" ("projectId")
    SELECT "projectId" FROM old_rows UNION SELECT "projectId" FROM new_rows
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER feature_board_insert AFTER INSERT ON "Feature"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record();
CREATE TRIGGER feature_board_delete AFTER DELETE ON "Feature"
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record();
CREATE TRIGGER feature_board_update AFTER UPDATE ON "Feature"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record_feature_update();

CREATE TRIGGER feature_dependency_board_insert AFTER INSERT ON "FeatureDependency"
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record();
CREATE TRIGGER feature_dependency_board_delete AFTER DELETE ON "FeatureDependency"
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record();
CREATE TRIGGER feature_dependency_board_update AFTER UPDATE ON "FeatureDependency"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION board_changes_record_update();
