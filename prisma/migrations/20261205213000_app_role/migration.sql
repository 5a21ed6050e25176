-- The api and the runner connect as a login role in the group autocoder_app, which owns nothing:
-- no superuser (so no `SET session_replication_role = replica`, which would skip every trigger),
-- no table owner (so no `ALTER TABLE ... DISABLE TRIGGER` and no TRUNCATE of its own). On
-- "AuditEvent" it may only add and read rows; the append-only triggers then hold for it too.
-- Migrations keep running as the owner (MIGRATION_DATABASE_URL, see RUNBOOK.md), which creates
-- the login role and its password outside of migrations (tools/prisma/migrate.mjs).
--
-- Roles are cluster-wide: several databases on one server (test templates built in parallel,
-- staging beside production) run this migration, so creating the group tolerates another
-- transaction having created it first, concurrently included (unique_violation).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'autocoder_app') THEN
        CREATE ROLE autocoder_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO autocoder_app;

-- Rows of every table, but nothing on their definition (no TRUNCATE, REFERENCES or TRIGGER).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO autocoder_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO autocoder_app;

-- The audit trail: append and read only.
REVOKE ALL ON "AuditEvent" FROM autocoder_app;
GRANT SELECT, INSERT ON "AuditEvent" TO autocoder_app;

-- The migration history is the owner's business.
REVOKE ALL ON "_prisma_migrations" FROM autocoder_app;

-- Tables and sequences that later migrations create (as this same owner role) get the same
-- grants; a later migration that adds an append-only table revokes what it must.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO autocoder_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO autocoder_app;
