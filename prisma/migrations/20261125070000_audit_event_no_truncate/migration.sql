-- The init migration refuses UPDATE and DELETE on AuditEvent; TRUNCATE skips row triggers, so it
-- gets a statement trigger of its own (same function, same message).
CREATE TRIGGER "AuditEvent_no_truncate"
    BEFORE TRUNCATE ON "AuditEvent"
    FOR EACH STATEMENT EXECUTE FUNCTION "audit_event_append_only"();
