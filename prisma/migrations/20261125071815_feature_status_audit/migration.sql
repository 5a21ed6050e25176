-- AlterTable
ALTER TABLE "Project" ADD COLUMN     "agentsStartedById" UUID;

-- Every change of a feature's status lands in the audit trail, whoever made it: the database
-- sees agents, the reaper, MCP clients and the api alike. The actor is read from the lease: a
-- session's lease ("<runId>:<attempt>") names its run, and the run the user who started the
-- agents; "mcp:<tokenId>" an MCP client's token; "chat:<conversationId>" a chat. Otherwise the
-- change came through the api (whose request has its own audit event) or the control tick.
CREATE FUNCTION "feature_status_audit"() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    owner TEXT := coalesce(NEW."leaseOwner", OLD."leaseOwner");
    run_id UUID;
    starter UUID;
    starter_label TEXT;
    actor "ActorType" := 'system';
    actor_id TEXT;
    actor_label TEXT := 'api or control tick';
BEGIN
    IF NEW."status" IS NOT DISTINCT FROM OLD."status" THEN
        RETURN NEW;
    END IF;
    IF owner ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:' THEN
        run_id := split_part(owner, ':', 1)::uuid;
        SELECT r."startedById", coalesce(u."email", u."name", u."subject")
          INTO starter, starter_label
          FROM "Run" r LEFT JOIN "User" u ON u."id" = r."startedById"
         WHERE r."id" = run_id;
        actor := 'agent';
        actor_id := run_id::text;
        actor_label := 'run ' || run_id::text || coalesce(' started by ' || starter_label, '');
    ELSIF owner LIKE 'mcp:%' THEN
        actor := 'token';
        actor_id := substr(owner, 5);
        actor_label := 'MCP client';
    ELSIF owner LIKE 'chat:%' THEN
        actor := 'agent';
        actor_id := substr(owner, 6);
        actor_label := 'chat ' || substr(owner, 6);
    END IF;
    INSERT INTO "AuditEvent"
        ("actorType", "actorId", "actorLabel", "action", "targetType", "targetId", "projectId",
         "before", "after")
    VALUES
        (actor, actor_id, actor_label, 'feature.status', 'feature', NEW."id"::text, NEW."projectId",
         jsonb_build_object('status', OLD."status", 'attempts', OLD."attempts"),
         jsonb_build_object('status', NEW."status", 'attempts', NEW."attempts",
                            'lastError', left(NEW."lastError", 500), 'leaseOwner', owner,
                            'runId', run_id, 'startedById', starter));
    RETURN NEW;
END;
$$;

CREATE TRIGGER "Feature_status_audit"
    AFTER UPDATE OF "status" ON "Feature"
    FOR EACH ROW EXECUTE FUNCTION "feature_status_audit"();
