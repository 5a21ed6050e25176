import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** A throwaway database with every migration applied. */
export interface TestDatabase {
  /**
   * Connection string for the apps: a login role of this database only, member of the
   * autocoder_app group (what api and runner connect as in production: no superuser, no owner).
   */
  url: string;
  /** The same database as the server's admin (the owner): for setup the apps may not do. */
  adminUrl: string;
  name: string;
  /** Login role of `url`. */
  appRole: string;
  /** Drops the database and its login role, closing any connection still open on it. */
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const run = promisify(execFile);

/**
 * Creates an empty, fully migrated database `autocoder_test_<random>` on the server of
 * `options.adminUrl`, else TEST_DATABASE_ADMIN_URL (default: the local Postgres as postgres).
 *
 * The migrations run once into a template database named after a hash of the migration files;
 * each call then clones that template, which takes a fraction of a second. The first call after
 * a migration change builds the template (a few seconds), so call it from a `beforeAll` with a
 * generous timeout, e.g. `beforeAll(async () => { db = await createTestDatabase(); }, 60_000)`.
 */
export async function createTestDatabase(
  options: { adminUrl?: string } = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl || process.env['TEST_DATABASE_ADMIN_URL'] || DEFAULT_ADMIN_URL;
  const name = `autocoder_test_${randomBytes(6).toString('hex')}`;
  // Roles are cluster-wide: one per database, so parallel suites never share or race on one.
  const appRole = `${name}_app`;
  const password = randomBytes(18).toString('base64url');
  await withClient(adminUrl, async (admin) => {
    const template = await ensureTemplate(admin, adminUrl);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
    // The group and its grants come with the template (migration app_role).
    await admin.query(
      `CREATE ROLE ${quoteIdent(appRole)} LOGIN PASSWORD '${password}' IN ROLE autocoder_app`,
    );
  });
  return {
    url: withCredentials(withDatabase(adminUrl, name), appRole, password),
    adminUrl: withDatabase(adminUrl, name),
    name,
    appRole,
    drop: () =>
      withClient(adminUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(appRole)}`);
      }),
  };
}

/** Name of the template for the current migrations, built first if missing. */
async function ensureTemplate(admin: Client, adminUrl: string): Promise<string> {
  const root = findRepoRoot();
  const template = `autocoder_tpl_${migrationsHash(join(root, 'prisma', 'migrations'))}`;
  if ((await templateState(admin, template)) === 'ready') return template;

  // Several Jest workers start at once: one builds the template, the others wait for it.
  await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
  try {
    const state = await templateState(admin, template);
    if (state === 'ready') return template;
    // Left half-built by a process that died: start over.
    if (state === 'incomplete')
      await admin.query(`DROP DATABASE ${quoteIdent(template)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoteIdent(template)}`);
    await migrate(root, withDatabase(adminUrl, template));
    // Marked ready last. No connections allowed: CREATE DATABASE ... TEMPLATE refuses a source
    // that has sessions, and nothing should change the template after this point.
    await admin.query(
      `ALTER DATABASE ${quoteIdent(template)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`,
    );
    return template;
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  }
}

async function templateState(
  admin: Client,
  template: string,
): Promise<'missing' | 'incomplete' | 'ready'> {
  const { rows } = await admin.query<{ datistemplate: boolean }>(
    'SELECT datistemplate FROM pg_database WHERE datname = $1',
    [template],
  );
  if (rows.length === 0) return 'missing';
  return rows[0]?.datistemplate ? 'ready' : 'incomplete';
}

/**
 * Applies the migrations with the repository's migrate tool, in a child process: it is plain
 * Node ESM loading Prisma's schema engine as WebAssembly, which Jest's CommonJS runtime cannot.
 */
async function migrate(root: string, databaseUrl: string): Promise<void> {
  try {
    await run(process.execPath, [join(root, 'tools', 'prisma', 'migrate.mjs'), 'deploy'], {
      cwd: root,
      // Both URLs: a MIGRATION_DATABASE_URL in the caller's environment must not redirect it.
      env: { ...process.env, DATABASE_URL: databaseUrl, MIGRATION_DATABASE_URL: databaseUrl },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`Migrating the test template failed: ${stderr || String(error)}`);
  }
}

/** Short hash of every migration's folder name and SQL, in order. */
function migrationsHash(migrationsDir: string): string {
  const hash = createHash('sha256');
  const folders = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const file = join(migrationsDir, folder, 'migration.sql');
    if (!existsSync(file)) continue;
    hash.update(folder).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

function findRepoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'prisma', 'migrations'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No prisma/migrations folder above ${__dirname}`);
  }
}

async function withClient<T>(
  connectionString: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

function withCredentials(connectionString: string, user: string, password: string): string {
  const url = new URL(connectionString);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
