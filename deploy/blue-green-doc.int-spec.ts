// The worked example of docs/blue-green.md ("renaming Project.verifyCommand to checkCommand")
// run for real: the repository's migrations into a scratch database, the example's expand SQL
// as the owner, then writes of the old release and of the new one as the apps' role (as api and
// runner connect), and the contract SQL. Keeps the document's SQL true.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { readText, REPO_ROOT } from './deploy-test-utils';
import { contractingStatements } from './migration-rules';

const run = promisify(execFile);
const SERVER =
  process.env['TEST_DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string, user?: string, password?: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (user) u.username = user;
  if (password) u.password = password;
  return u.toString();
}

/** The ```sql blocks of the document, in order: the expand migration, then the contract one. */
function docSql(): string[] {
  return [...readText('docs', 'blue-green.md').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('docs/blue-green.md: the rename example on the real schema', () => {
  const name = `autocoder_test_bg_${randomBytes(5).toString('hex')}`;
  const appRole = `${name}_app`;
  const password = randomBytes(18).toString('base64url');
  const ownerUrl = withDatabase(SERVER, name);
  let owner: Client;
  let app: Client;
  const [expand, contract] = docSql();

  beforeAll(async () => {
    // The repository's own migration tool, as compose's migrate job runs it.
    await run(process.execPath, ['tools/prisma/migrate.mjs', 'deploy'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        MIGRATION_DATABASE_URL: ownerUrl,
        DATABASE_URL: withDatabase(SERVER, name, appRole, password),
      },
    });
    owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
    app = new Client({ connectionString: withDatabase(SERVER, name, appRole, password) });
    await app.connect();
  });

  afterAll(async () => {
    await app?.end();
    await owner?.end();
    const admin = new Client({ connectionString: SERVER });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS "${appRole}"`);
    } finally {
      await admin.end();
    }
  });

  /** A project as Prisma inserts it (updatedAt has no database default). */
  async function insert(columns: Record<string, string | null>): Promise<string> {
    const names = ['name', 'spec', 'updatedAt', ...Object.keys(columns)];
    const values = [
      `p-${randomBytes(4).toString('hex')}`,
      'spec',
      new Date().toISOString(),
      ...Object.values(columns),
    ];
    const res = await app.query<{ id: string }>(
      `INSERT INTO "Project" (id, ${names.map((n) => `"${n}"`).join(', ')})
       VALUES (gen_random_uuid(), ${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      values,
    );
    return res.rows[0].id;
  }

  async function commands(
    id: string,
  ): Promise<{ verifyCommand?: string | null; checkCommand?: string | null }> {
    const res = await owner.query('SELECT * FROM "Project" WHERE id = $1', [id]);
    const row = res.rows[0] as Record<string, string | null>;
    return { verifyCommand: row['verifyCommand'], checkCommand: row['checkCommand'] };
  }

  it('has the expand and the contract SQL, which pass the migration rules as written', () => {
    expect(expand).toContain('ADD COLUMN "checkCommand"');
    expect(contract).toContain('DROP COLUMN "verifyCommand"');
    expect(contractingStatements('expand', expand)).toEqual([]);
    expect(contractingStatements('contract', contract)).toEqual([]);
    // Without its reason the drop is refused.
    expect(
      contractingStatements('x', contract.replace(/^-- contract:.*\n/m, '')).map((f) => f.problem),
    ).toEqual(['drops something']);
  });

  it('keeps both columns equal whichever release writes, then drops the old one', async () => {
    const before = await insert({ verifyCommand: 'npm test' });

    await owner.query(expand);
    // Backfilled.
    expect(await commands(before)).toEqual({ verifyCommand: 'npm test', checkCommand: 'npm test' });

    // Release N (old client: names verifyCommand only) and N+1 (checkCommand only), side by side.
    const fromOld = await insert({ verifyCommand: 'make check' });
    const fromNew = await insert({ checkCommand: 'node --test' });
    expect(await commands(fromOld)).toEqual({
      verifyCommand: 'make check',
      checkCommand: 'make check',
    });
    expect(await commands(fromNew)).toEqual({
      verifyCommand: 'node --test',
      checkCommand: 'node --test',
    });

    await app.query('UPDATE "Project" SET "verifyCommand" = $1 WHERE id = $2', [
      'npm run ci',
      fromNew,
    ]);
    expect(await commands(fromNew)).toEqual({
      verifyCommand: 'npm run ci',
      checkCommand: 'npm run ci',
    });
    await app.query('UPDATE "Project" SET "checkCommand" = $1 WHERE id = $2', ['pytest', fromOld]);
    expect(await commands(fromOld)).toEqual({ verifyCommand: 'pytest', checkCommand: 'pytest' });
    await app.query('UPDATE "Project" SET "checkCommand" = NULL WHERE id = $1', [fromOld]);
    expect(await commands(fromOld)).toEqual({ verifyCommand: null, checkCommand: null });
    // An update of other columns leaves both alone.
    await app.query('UPDATE "Project" SET "concurrency" = 5 WHERE id = $1', [before]);
    expect(await commands(before)).toEqual({ verifyCommand: 'npm test', checkCommand: 'npm test' });

    await owner.query(contract);
    expect(await commands(before)).toEqual({ verifyCommand: undefined, checkCommand: 'npm test' });
    // Release N+1 keeps working; the trigger is gone.
    await app.query('UPDATE "Project" SET "checkCommand" = $1 WHERE id = $2', ['make', before]);
    expect(await commands(before)).toEqual({ verifyCommand: undefined, checkCommand: 'make' });
    const triggers = await owner.query(
      `SELECT 1 FROM pg_trigger WHERE tgname = 'project_check_command_sync'`,
    );
    expect(triggers.rowCount).toBe(0);
  });
});
