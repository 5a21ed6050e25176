-- Tells the api when a project's board may have changed, so it can keep built board answers
-- until then (BoardChangeFeed LISTENs on "board_changed"; FeatureBoardCache keys answers by it).
-- NOTIFY is delivered when the writing transaction commits, in commit order, and Postgres folds
-- the same payload sent many times in one transaction into one: a bulk insert of 10,000 features
-- sends one notification. The board shows only Feature and FeatureDependency rows, so these two
-- tables are all that is watched. Updates that change nothing the board shows (lease renewals,
-- the claim counters kept by triggers) send nothing.
CREATE FUNCTION board_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('board_changed', OLD."projectId"::text);
  ELSE
    PERFORM pg_notify('board_changed', NEW."projectId"::text);
    IF TG_OP = 'UPDATE' AND OLD."projectId" IS DISTINCT FROM NEW."projectId" THEN
      PERFORM pg_notify('board_changed', OLD."projectId"::text);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER feature_board_changed AFTER INSERT OR DELETE ON "Feature"
  FOR EACH ROW EXECUTE FUNCTION board_changed();
CREATE TRIGGER feature_board_updated AFTER UPDATE ON "Feature"
  FOR EACH ROW
  WHEN (
    ROW(OLD."projectId", OLD."priority", OLD."category", OLD."name", OLD."description", OLD."steps",
        OLD."status", OLD."leaseOwner", OLD."attempts", OLD."lastError", OLD."humanInputRequest",
        OLD."humanInputResponse", OLD."createdAt", OLD."updatedAt")
    IS DISTINCT FROM
    ROW(NEW."projectId", NEW."priority", NEW."category", NEW."name", NEW."description", NEW."steps",
        NEW."status", NEW."leaseOwner", NEW."attempts", NEW."lastError", NEW."humanInputRequest",
        NEW."humanInputResponse", NEW."createdAt", NEW."updatedAt")
  )
  EXECUTE FUNCTION board_changed();
CREATE TRIGGER feature_dependency_board_changed AFTER INSERT OR UPDATE OR DELETE ON "FeatureDependency"
  FOR EACH ROW EXECUTE FUNCTION board_changed();
