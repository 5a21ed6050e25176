// The role api and runner connect as (a login role in the autocoder_app group, migration
// app_role), against the real Postgres: the audit trail stays append-only for it because it can
// neither skip triggers (no superuser) nor drop them (owns no table), and it still does the
// application's DML, on tables of later migrations too.
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { PrismaService } from './prisma.service';

describe('the application role', () => {
  let db: TestDatabase;
  let app: Client;
  let eventId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = new Client({ connectionString: db.url });
    await app.connect();
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" ("actorType", "action", "targetType")
       VALUES ('system', 'project.create', 'project') RETURNING id`,
    );
    eventId = String(rows[0]?.id);
  }, 60_000);

  afterAll(async () => {
    await app?.end();
    await db?.drop();
  }, 30_000);

  /** Runs `sql` in a transaction that is always rolled back; resolves to its error, if any. */
  async function attempt(sql: string): Promise<string | null> {
    await app.query('BEGIN');
    try {
      await app.query(sql);
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await app.query('ROLLBACK');
    }
  }

  it('adds and reads audit events', async () => {
    const { rows } = await app.query(`SELECT action FROM "AuditEvent" WHERE id = $1`, [eventId]);
    expect(rows).toEqual([{ action: 'project.create' }]);
  });

  it.each([
    ['UPDATE', `UPDATE "AuditEvent" SET action = 'rewritten'`],
    ['DELETE', `DELETE FROM "AuditEvent"`],
    ['TRUNCATE', `TRUNCATE "AuditEvent"`],
  ])('has no right to %s audit events (not just a trigger in the way)', async (_op, sql) => {
    expect(await attempt(sql)).toMatch(/permission denied for table AuditEvent/);
  });

  it('cannot turn triggers off for its session (session_replication_role = replica)', async () => {
    expect(await attempt(`SET LOCAL session_replication_role = replica`)).toMatch(
      /permission denied/,
    );
    expect(await attempt(`SET session_replication_role = replica`)).toMatch(/permission denied/);
  });

  it('cannot disable, drop or replace the append-only triggers', async () => {
    expect(await attempt(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`)).toMatch(/must be owner/);
    expect(
      await attempt(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only"`),
    ).toMatch(/must be owner/);
    expect(await attempt(`DROP TRIGGER "AuditEvent_append_only" ON "AuditEvent"`)).toMatch(
      /must be owner/,
    );
    expect(
      await attempt(
        `CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
         LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      ),
    ).toMatch(/must be owner|permission denied/);
    const { rows } = await app.query(`SELECT action FROM "AuditEvent" WHERE id = $1`, [eventId]);
    expect(rows).toEqual([{ action: 'project.create' }]);
  });

  it('is no superuser, owns no table and cannot create any', async () => {
    const { rows } = await app.query<{ super: boolean; owned: string; bypass: boolean }>(
      `SELECT r.rolsuper AS super, r.rolbypassrls AS bypass,
              (SELECT count(*) FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace
                  AND pg_has_role(current_user, c.relowner, 'USAGE')) AS owned
         FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([{ super: false, bypass: false, owned: '0' }]);
    expect(await attempt(`CREATE TABLE sneaky (id int)`)).toMatch(/permission denied/);
    expect(await attempt(`SELECT * FROM _prisma_migrations`)).toMatch(/permission denied/);
  });

  it("does the application's DML on the other tables", async () => {
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "Project" (id, name, spec, "updatedAt")
       VALUES (gen_random_uuid(), 'p', 's', now()) RETURNING id`,
    );
    const id = rows[0]?.id;
    await app.query(`UPDATE "Project" SET name = 'q' WHERE id = $1`, [id]);
    // BoardChange rows come from triggers and have a sequence of their own.
    await app.query(
      `INSERT INTO "Feature" (id, "projectId", priority, category, name, description, "updatedAt")
       VALUES (gen_random_uuid(), $1, 1, 'core', 'f', '-', now())`,
      [id],
    );
    await app.query(`DELETE FROM "Project" WHERE id = $1`, [id]);
  });

  it('gets the same rights on tables that later migrations create', async () => {
    const owner = new Client({ connectionString: db.adminUrl });
    await owner.connect();
    try {
      await owner.query(`CREATE TABLE "LaterTable" (id serial PRIMARY KEY, note text)`);
    } finally {
      await owner.end();
    }
    await app.query(`INSERT INTO "LaterTable" (note) VALUES ('x')`);
    expect((await app.query(`SELECT note FROM "LaterTable"`)).rows).toEqual([{ note: 'x' }]);
    expect(await attempt(`TRUNCATE "LaterTable"`)).toMatch(/permission denied/);
  });

  it('is what the services report as safe at start; the owner gets a warning', async () => {
    const check = async (databaseUrl: string) => {
      const prisma = new PrismaService({ databaseUrl });
      try {
        return await prisma.roleProblem();
      } finally {
        await prisma.$disconnect();
      }
    };
    expect(await check(db.url)).toBeNull();
    expect(await check(db.adminUrl)).toMatch(/superuser|owner/);
  });
});
