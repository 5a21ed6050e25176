#!/usr/bin/env node
// Backups of AutoCoder: Postgres (pg_dump, custom format) and the git server's repositories (one
// git bundle each), with a manifest of checksums, row counts and refs. RUNBOOK.md, "Back up and
// restore".
//
//   node tools/ops/backup.mjs backup               one backup into BACKUP_DIR/<UTC time>/, then retention
//   node tools/ops/backup.mjs restore <dir> [--yes] checksums, then Postgres, then the repositories
//   node tools/ops/backup.mjs verify <dir>          checksums only
//   node tools/ops/backup.mjs prune                 retention only (BACKUP_KEEP newest backups)
//   node tools/ops/backup.mjs schedule              backup every BACKUP_INTERVAL_HOURS (compose)
//   node tools/ops/backup.mjs health                exit 0 while the newest backup is younger than
//                                                   twice BACKUP_INTERVAL_HOURS (compose's health check)
//
// Variables (read by this script only, not by the apps; each *_URL/_TOKEN also as <NAME>_FILE):
//   BACKUP_DATABASE_URL    owner of the tables (default MIGRATION_DATABASE_URL): pg_dump and restore
//   GIT_SERVER_URL         the git server, with GIT_SERVER_TOKEN (lists, clones, restores over HTTP)
//   GIT_SERVER_ROOT        without GIT_SERVER_URL: its repositories on this disk (make dev's
//                          tmp/git-server); restore then starts dist/apps/git-server for the time
//   BACKUP_DIR             where backups go (default ./backups)
//   BACKUP_KEEP            backups kept after a successful one (default 14; 0 keeps all)
//   BACKUP_INTERVAL_HOURS  schedule's period (default 24)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import pg from 'pg';

import {
  FORMAT,
  checkFiles,
  fileEntry,
  listBackups,
  readManifest,
  timestampName,
} from './manifest.mjs';

const usage = `Usage: node tools/ops/backup.mjs backup | restore <dir> [--yes] | verify <dir> | prune | schedule | health`;
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');

// ---------------------------------------------------------------------------------------------
// Settings

/** A variable, or the content of the file its <NAME>_FILE names (compose and k8s secrets). */
function env(name) {
  const file = process.env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return process.env[name] || undefined;
}

function settings() {
  const databaseUrl = env('BACKUP_DATABASE_URL') ?? env('MIGRATION_DATABASE_URL');
  const keep = Number(process.env.BACKUP_KEEP ?? 14);
  const intervalHours = Number(process.env.BACKUP_INTERVAL_HOURS ?? 24);
  if (!Number.isInteger(keep) || keep < 0)
    throw new Error(`BACKUP_KEEP must be a whole number ≥ 0 (got "${process.env.BACKUP_KEEP}")`);
  if (!(intervalHours > 0))
    throw new Error(
      `BACKUP_INTERVAL_HOURS must be a number > 0 (got "${process.env.BACKUP_INTERVAL_HOURS}")`,
    );
  return {
    databaseUrl,
    gitServerUrl: env('GIT_SERVER_URL')?.replace(/\/+$/, ''),
    gitServerToken: env('GIT_SERVER_TOKEN'),
    gitServerRoot: process.env.GIT_SERVER_ROOT ? resolve(process.env.GIT_SERVER_ROOT) : undefined,
    backupDir: resolve(process.env.BACKUP_DIR || 'backups'),
    keep,
    intervalHours,
  };
}

function requireDatabaseUrl(s) {
  if (!s.databaseUrl)
    throw new Error(
      'BACKUP_DATABASE_URL (or MIGRATION_DATABASE_URL): the owner of the tables is needed to dump and restore',
    );
  return s.databaseUrl;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (message) => console.log(`[${new Date().toISOString()}] ${message}`);

/** A connection string without its password, for messages. */
export function redactUrl(databaseUrl) {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<invalid connection string>';
  }
}

function databaseName(databaseUrl) {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

function withDatabase(databaseUrl, name) {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

const quoteIdent = (name) => `"${name.replace(/"/g, '""')}"`;

/**
 * The URL without its password plus the environment that carries it (PGPASSWORD): a password
 * on a command line is visible to every user of the host in `ps`.
 */
function libpqArgs(databaseUrl) {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return {
    url: url.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

/** Runs a program (never a shell); resolves with stdout, throws with its stderr. */
function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', (error) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(`${command} is not installed here (${options.hint ?? 'needed for backups'})`)
          : error,
      ),
    );
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${command} ${args[0]} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

async function withClient(connectionString, fn) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const majorOf = (versionText) => Number(/(\d+)(?:\.\d+)?/.exec(versionText)?.[1] ?? 0);

// ---------------------------------------------------------------------------------------------
// git: a clean environment (no host or user configuration), credentials only in the environment

function gitEnv(token) {
  const base = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    LC_ALL: 'C',
  };
  if (!token) return base;
  const basic = Buffer.from(`autocoder:${token}`).toString('base64');
  return {
    ...base,
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** git with `safe.directory=*`: the server's repositories may belong to another uid (volumes). */
const git = (args, options = {}) =>
  run('git', ['-c', 'safe.directory=*', ...args], {
    ...options,
    hint: 'git bundles the repositories',
  });

/** `{ ref: commit }` of a repository (local path or URL), HEAD left out. */
async function refsOf(repository, env) {
  const out = await git(['ls-remote', '--refs', repository], { env });
  const refs = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t');
    refs[ref] = sha;
  }
  return sortKeys(refs);
}

const sortKeys = (object) =>
  Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

// ---------------------------------------------------------------------------------------------
// The git server, over HTTP or on this disk

/** The git server's admin API and smart HTTP. */
function httpGitServer(url, token) {
  const headers = { Authorization: `Bearer ${token}` };
  const api = async (path, method = 'GET') => {
    const res = await fetch(`${url}${path}`, { method, headers });
    if (res.status === 401) throw new Error(`the git server at ${url} refused GIT_SERVER_TOKEN`);
    return res;
  };
  return {
    describe: url,
    env: gitEnv(token),
    urlOf: (name) => `${url}/${name}.git`,
    async list() {
      const res = await api('/api/repositories');
      if (!res.ok)
        throw new Error(
          `the git server at ${url} answered ${res.status} to GET /api/repositories (a version without that route? update it)`,
        );
      return (await res.json()).repositories;
    },
    async exists(name) {
      const res = await api(`/api/repositories/${name}`);
      if (res.status === 404) return false;
      if (!res.ok) throw new Error(`GET /api/repositories/${name} answered ${res.status}`);
      return true;
    },
    async create(name) {
      const res = await api(`/api/repositories/${name}`, 'PUT');
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`PUT /api/repositories/${name} answered ${res.status}`);
    },
    async remove(name) {
      const res = await api(`/api/repositories/${name}`, 'DELETE');
      if (res.status !== 204 && res.status !== 404)
        throw new Error(`DELETE /api/repositories/${name} answered ${res.status}`);
    },
  };
}

/** Backups only: the repositories read straight from GIT_SERVER_ROOT. */
function diskGitServer(root) {
  return {
    describe: root,
    env: gitEnv(),
    urlOf: (name) => join(root, `${name}.git`),
    async list() {
      const entries = await readdir(root, { withFileTypes: true }).catch((error) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      return entries
        .filter(
          (e) =>
            e.isDirectory() &&
            /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.git$/.test(e.name) &&
            existsSync(join(root, e.name, 'HEAD')),
        )
        .map((e) => e.name.slice(0, -'.git'.length))
        .sort();
    },
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * For a restore into GIT_SERVER_ROOT without a running server: the built git server on that root,
 * on loopback with a token of its own, so repositories are created by the server itself (hook and
 * settings) and filled by a push.
 */
async function startLocalGitServer(root) {
  const main = resolve(repoRoot, process.env.GIT_SERVER_MAIN || 'dist/apps/git-server/main.js');
  if (!existsSync(main))
    throw new Error(
      `restoring into GIT_SERVER_ROOT=${root} needs the built git server (${main}): run \`npx nx build git-server\` (or make build), or set GIT_SERVER_URL and GIT_SERVER_TOKEN of a running one`,
    );
  const token = randomBytes(32).toString('base64url');
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      GIT_SERVER_HOST: '127.0.0.1',
      GIT_SERVER_PORT: String(port),
      GIT_SERVER_ROOT: root,
      GIT_SERVER_TOKEN: token,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the git server exited (${child.exitCode})`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('the git server did not answer /health within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    server: { ...httpGitServer(url, token), describe: `${root} (through a git server of its own)` },
    stop: () =>
      new Promise((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// backup

/**
 * Postgres as of one snapshot: the row counts of the manifest and pg_dump see the same data
 * (pg_dump --snapshot with the snapshot this transaction exported).
 */
async function dumpDatabase(databaseUrl, file) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ snapshot }] = (await client.query('SELECT pg_export_snapshot() AS snapshot')).rows;
    const [info] = (
      await client.query(
        `SELECT current_database() AS name, current_user AS "user",
                current_setting('server_version') AS "serverVersion"`,
      )
    ).rows;
    const pgDumpVersion = (
      await run('pg_dump', ['--version'], { hint: 'install postgresql-client' })
    ).trim();
    if (majorOf(pgDumpVersion.replace(/^\D+/, '')) < majorOf(info.serverVersion))
      throw new Error(
        `${pgDumpVersion} cannot dump PostgreSQL ${info.serverVersion}: install a pg_dump of major version ≥ ${majorOf(info.serverVersion)}`,
      );
    const tables = (
      await client.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      )
    ).rows.map((r) => r.tablename);
    const counts = {};
    for (const table of tables) {
      const { rows } = await client.query(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`);
      counts[table] = Number(rows[0].n);
    }
    const migrations = tables.includes('_prisma_migrations')
      ? (
          await client.query(
            `SELECT migration_name FROM _prisma_migrations
              WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
          )
        ).rows.map((r) => r.migration_name)
      : [];
    const { url, env: pgEnv } = libpqArgs(databaseUrl);
    await run(
      'pg_dump',
      ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${url}`],
      { env: pgEnv, hint: 'install postgresql-client' },
    );
    await client.query('COMMIT');
    // The archive reads back (a truncated file fails here, not at restore time).
    await run('pg_restore', ['--list', file], { hint: 'install postgresql-client' });
    return { ...info, pgDumpVersion, tables: counts, migrations };
  } finally {
    await client.end();
  }
}

/** One bundle per repository; an empty repository has no bundle (git refuses one) and no refs. */
async function bundleRepositories(server, dir, work) {
  const names = await server.list();
  const repositories = [];
  await mkdir(join(dir, 'repositories'), { recursive: true });
  for (const name of names) {
    const source = server.urlOf(name);
    let local = source;
    if (/^https?:/.test(source)) {
      local = join(work, `${name}.git`);
      await git(['clone', '--quiet', '--mirror', source, local], { env: server.env });
    }
    const refs = await refsOf(local, server.env);
    if (Object.keys(refs).length === 0) {
      repositories.push({ name, bundle: null, refs });
      continue;
    }
    const bundle = `repositories/${name}.bundle`;
    await git(['bundle', 'create', '--quiet', join(dir, bundle), '--all'], {
      cwd: local,
      env: server.env,
    });
    // What the bundle holds is what we list: refs read from the bundle itself.
    const inBundle = await refsOf(join(dir, bundle), server.env);
    repositories.push({ name, bundle, refs: inBundle });
    if (local !== source) await rm(local, { recursive: true, force: true });
  }
  return repositories;
}

export async function backup(s = settings()) {
  const databaseUrl = requireDatabaseUrl(s);
  const server = s.gitServerUrl
    ? httpGitServer(s.gitServerUrl, requireToken(s))
    : s.gitServerRoot
      ? diskGitServer(s.gitServerRoot)
      : null;
  if (!server)
    throw new Error(
      'GIT_SERVER_URL (with GIT_SERVER_TOKEN) or GIT_SERVER_ROOT: where the repositories are',
    );
  await mkdir(s.backupDir, { recursive: true });
  const started = new Date();
  let name = timestampName(started);
  while (existsSync(join(s.backupDir, name)))
    name = `${timestampName(started)}-${randomBytes(2).toString('hex')}`;
  // Written under a dot name and renamed when complete: a backup dir without the dot is whole.
  const partial = join(s.backupDir, `.partial-${name}`);
  const work = join(partial, '.work');
  await mkdir(work, { recursive: true });
  try {
    log(`backup ${name}: database ${redactUrl(databaseUrl)}`);
    // The database first, the repositories after: every commit the database refers to (a
    // feature's merge, a run's branch) was pushed before the dump, so it is in the bundles.
    const database = await dumpDatabase(databaseUrl, join(partial, 'database.dump'));
    log(
      `backup ${name}: database dumped (${Object.keys(database.tables).length} tables, ${database.migrations.length} migrations)`,
    );
    log(`backup ${name}: repositories from ${server.describe}`);
    const repositories = await bundleRepositories(server, partial, work);
    log(`backup ${name}: ${repositories.length} repositories bundled`);
    await rm(work, { recursive: true, force: true });
    const files = {};
    for (const file of [
      'database.dump',
      ...repositories.filter((r) => r.bundle).map((r) => r.bundle),
    ])
      files[file] = await fileEntry(join(partial, file));
    const manifest = {
      format: FORMAT,
      version: 1,
      name,
      started: started.toISOString(),
      finished: new Date().toISOString(),
      database,
      gitServer: server.describe,
      repositories,
      files,
    };
    await writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    // For `sha256sum -c SHA256SUMS` on any host.
    await writeFile(
      join(partial, 'SHA256SUMS'),
      Object.entries(files)
        .map(([file, { sha256 }]) => `${sha256}  ${file}\n`)
        .join(''),
    );
    const final = join(s.backupDir, name);
    await rename(partial, final);
    const bytes = Object.values(files).reduce((sum, f) => sum + f.bytes, 0);
    log(
      `backup ${name}: done in ${((Date.now() - started.getTime()) / 1000).toFixed(1)} s, ${bytes} bytes: ${final}`,
    );
    return { dir: final, manifest };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

function requireToken(s) {
  if (!s.gitServerToken)
    throw new Error('GIT_SERVER_TOKEN (or GIT_SERVER_TOKEN_FILE) is needed with GIT_SERVER_URL');
  return s.gitServerToken;
}

// ---------------------------------------------------------------------------------------------
// retention

/** Keeps the `keep` newest complete backups (0: all); removes partial ones older than a day. */
export async function prune(s = settings()) {
  if (!existsSync(s.backupDir)) return [];
  const removed = [];
  if (s.keep > 0) {
    const backups = await listBackups(s.backupDir);
    for (const name of backups.slice(0, Math.max(0, backups.length - s.keep))) {
      await rm(join(s.backupDir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  for (const entry of await readdir(s.backupDir)) {
    if (!entry.startsWith('.partial-')) continue;
    const { mtimeMs } = await stat(join(s.backupDir, entry));
    if (Date.now() - mtimeMs > 24 * 3600_000) {
      await rm(join(s.backupDir, entry), { recursive: true, force: true });
      removed.push(entry);
    }
  }
  if (removed.length) log(`retention (keep ${s.keep}): removed ${removed.join(', ')}`);
  return removed;
}

// ---------------------------------------------------------------------------------------------
// verify and restore

export async function verify(dir) {
  const manifest = await readManifest(dir);
  const problems = await checkFiles(dir, manifest);
  if (problems.length)
    throw new Error(
      `backup ${dir} is damaged, refusing to use it:\n  ${problems.join('\n  ')}\n(take another backup, or restore an older one)`,
    );
  log(`verify ${dir}: ${Object.keys(manifest.files).length} files match their sha256`);
  return manifest;
}

/** Tables in the public schema of the database, or null when there is no such database. */
async function tablesIn(databaseUrl) {
  try {
    return await withClient(databaseUrl, async (c) =>
      (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).rows.map(
        (r) => r.tablename,
      ),
    );
  } catch (error) {
    if (error?.code === '3D000') return null;
    throw error;
  }
}

async function restoreDatabase(databaseUrl, dir, manifest) {
  try {
    await recreateDatabase(databaseUrl);
  } catch (error) {
    if (error?.code === '42501')
      throw new Error(
        `${error.message}: the owner role may not drop or create the database. Have an administrator create it empty (CREATE DATABASE ... OWNER <owner>), then restore into it`,
      );
    throw error;
  }
  await restoreInto(databaseUrl, dir, manifest);
}

/** An empty database of that name: created when missing, dropped and created when it has tables. */
async function recreateDatabase(databaseUrl) {
  const name = databaseName(databaseUrl);
  const adminUrl = withDatabase(databaseUrl, 'postgres');
  const tables = await tablesIn(databaseUrl);
  await withClient(adminUrl, async (admin) => {
    if (tables !== null && tables.length > 0) {
      log(
        `restore: dropping database "${name}" (${tables.length} tables), closing its connections`,
      );
      await admin.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
    }
    if (tables === null || tables.length > 0) {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      log(`restore: created database "${name}"`);
    }
    // The group the dump grants to (migration app_role); roles are not in a database's dump.
    await admin.query(`DO $$
      BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'autocoder_app') THEN
          CREATE ROLE autocoder_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
  });
}

async function restoreInto(databaseUrl, dir, manifest) {
  const name = databaseName(databaseUrl);
  const { url, env: pgEnv } = libpqArgs(databaseUrl);
  // One transaction: all of it or nothing. Tables are filled before their triggers and foreign
  // keys exist (pg_restore's post-data section), so no trigger fires on restored rows. Objects
  // belong to the restoring role (the owner); grants to autocoder_app come from the dump.
  await run(
    'pg_restore',
    [
      '--no-owner',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${url}`,
      join(dir, 'database.dump'),
    ],
    { env: pgEnv, hint: 'install postgresql-client' },
  );
  await withClient(databaseUrl, async (c) => {
    await c.query(`GRANT CONNECT ON DATABASE ${quoteIdent(name)} TO autocoder_app`);
    const problems = [];
    for (const [table, expected] of Object.entries(manifest.database.tables)) {
      const { rows } = await c.query(`SELECT count(*)::bigint AS n FROM ${quoteIdent(table)}`);
      if (Number(rows[0].n) !== expected)
        problems.push(`${table}: ${rows[0].n} rows, the backup had ${expected}`);
    }
    if (problems.length) throw new Error(`restored database differs:\n  ${problems.join('\n  ')}`);
  });
  log(
    `restore: database "${name}" restored, row counts of ${Object.keys(manifest.database.tables).length} tables match`,
  );
}

/**
 * The dump names the owner it was taken as (default privileges of tables later migrations add:
 * `ALTER DEFAULT PRIVILEGES FOR ROLE <owner>`), which only that role or a member of it may set.
 */
async function checkOwner(databaseUrl, manifest) {
  const owner = manifest.database.user;
  const [row] = await withClient(
    withDatabase(databaseUrl, 'postgres'),
    async (c) =>
      (
        await c.query(
          `SELECT current_user AS me,
                EXISTS (SELECT FROM pg_roles WHERE rolname = $1)
                  AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER') AS member`,
          [owner],
        )
      ).rows,
  );
  if (row.me !== owner && !row.member)
    throw new Error(
      `the backup was taken as the owner role "${owner}" and this restore connects as "${row.me}": restore as "${owner}" (BACKUP_DATABASE_URL), the role that owns the tables and that migrations run as`,
    );
}

async function restoreRepositories(server, dir, manifest, work) {
  for (const repo of manifest.repositories) {
    if (await server.exists(repo.name)) {
      const refs = await refsOf(server.urlOf(repo.name), server.env);
      if (JSON.stringify(refs) === JSON.stringify(sortKeys(repo.refs))) {
        log(`restore: repository ${repo.name} already holds the backup's refs`);
        continue;
      }
      await server.remove(repo.name);
      log(`restore: repository ${repo.name} removed from the git server, recreating it`);
    }
    await server.create(repo.name);
    if (repo.bundle) {
      const local = join(work, `${repo.name}.git`);
      await git(['init', '--quiet', '--bare', local], { env: server.env });
      await git(['fetch', '--quiet', join(dir, repo.bundle), '+refs/*:refs/*'], {
        cwd: local,
        env: server.env,
      });
      await git(['push', '--quiet', '--mirror', server.urlOf(repo.name)], {
        cwd: local,
        env: server.env,
      });
      await rm(local, { recursive: true, force: true });
    }
    const refs = await refsOf(server.urlOf(repo.name), server.env);
    if (JSON.stringify(refs) !== JSON.stringify(sortKeys(repo.refs)))
      throw new Error(
        `repository ${repo.name}: refs after the restore differ from the backup's: ${JSON.stringify(refs)}`,
      );
  }
  log(`restore: ${manifest.repositories.length} repositories restored, refs match the backup`);
}

export async function restore(dir, { yes = false } = {}, s = settings()) {
  const started = Date.now();
  const databaseUrl = requireDatabaseUrl(s);
  dir = resolve(dir);
  const manifest = await verify(dir);
  let local = null;
  let server;
  if (s.gitServerUrl) server = httpGitServer(s.gitServerUrl, requireToken(s));
  else if (s.gitServerRoot) {
    local = await startLocalGitServer(s.gitServerRoot);
    server = local.server;
  } else
    throw new Error(
      'GIT_SERVER_URL (with GIT_SERVER_TOKEN) or GIT_SERVER_ROOT: where the repositories go',
    );
  try {
    // Look before touching anything: without --yes, nothing existing is replaced.
    await checkOwner(databaseUrl, manifest);
    const tables = await tablesIn(databaseUrl);
    const existing = [];
    for (const repo of manifest.repositories)
      if (await server.exists(repo.name)) existing.push(repo.name);
    const extra = (await server.list()).filter(
      (name) => !manifest.repositories.some((r) => r.name === name),
    );
    if (!yes && ((tables?.length ?? 0) > 0 || existing.length > 0))
      throw new Error(
        `restore would replace database "${databaseName(databaseUrl)}" (${tables?.length ?? 0} tables) and ${existing.length} existing repositories: stop api and runners, then run again with --yes`,
      );
    log(
      `restore ${manifest.name} (taken ${manifest.started}) into database ${redactUrl(databaseUrl)} and ${server.describe}`,
    );
    const dbStarted = Date.now();
    await restoreDatabase(databaseUrl, dir, manifest);
    const dbSeconds = (Date.now() - dbStarted) / 1000;
    const work = join(s.backupDir, `.restore-${randomBytes(4).toString('hex')}`);
    await mkdir(work, { recursive: true });
    const gitStarted = Date.now();
    try {
      await restoreRepositories(server, dir, manifest, work);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    const gitSeconds = (Date.now() - gitStarted) / 1000;
    if (extra.length)
      log(
        `restore: WARNING ${extra.length} repositories on the git server are not in the backup (created after it?), left alone: ${extra.join(', ')}`,
      );
    const total = (Date.now() - started) / 1000;
    log(
      `restore ${manifest.name}: done in ${total.toFixed(1)} s (database ${dbSeconds.toFixed(1)} s, repositories ${gitSeconds.toFixed(1)} s). Next: make migrate (or the migrate job), then start api and runners`,
    );
    return { manifest, seconds: { total, database: dbSeconds, repositories: gitSeconds } };
  } finally {
    await local?.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// schedule

/** Backups every BACKUP_INTERVAL_HOURS, counted from the newest one; retention after each. */
async function schedule(s = settings()) {
  const interval = s.intervalHours * 3600_000;
  let stopping = false;
  let wake = () => undefined;
  for (const signal of ['SIGTERM', 'SIGINT'])
    process.once(signal, () => {
      log(`schedule: ${signal}, stopping`);
      stopping = true;
      wake();
    });
  log(
    `schedule: a backup every ${s.intervalHours} h into ${s.backupDir}, keeping ${s.keep || 'all'}`,
  );
  while (!stopping) {
    const newest = (await listBackups(s.backupDir).catch(() => [])).at(-1);
    const last = newest ? await readManifest(join(s.backupDir, newest)).catch(() => null) : null;
    const due = last ? Date.parse(last.started) + interval : Date.now();
    const wait = Math.max(0, due - Date.now());
    if (wait > 0) {
      log(`schedule: next backup at ${new Date(due).toISOString()}`);
      await new Promise((r) => {
        const timer = setTimeout(r, Math.min(wait, 2 ** 31 - 1));
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      continue;
    }
    try {
      await backup(s);
      await prune(s);
    } catch (error) {
      // Loud, and again in an hour (or the interval, if shorter); old backups are kept.
      console.error(`[${new Date().toISOString()}] BACKUP FAILED: ${error.message}`);
      const retry = Math.min(interval, 3600_000);
      await new Promise((r) => {
        const timer = setTimeout(r, retry);
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  }
}

/** Fails when the newest backup is older than twice the interval, or there is none. */
export async function health(s = settings()) {
  const newest = existsSync(s.backupDir) ? (await listBackups(s.backupDir)).at(-1) : undefined;
  if (!newest) throw new Error(`no backup in ${s.backupDir} yet`);
  const { started } = await readManifest(join(s.backupDir, newest));
  const ageHours = (Date.now() - Date.parse(started)) / 3600_000;
  if (ageHours > 2 * s.intervalHours)
    throw new Error(
      `the newest backup (${newest}) is ${ageHours.toFixed(1)} h old, more than twice BACKUP_INTERVAL_HOURS (${s.intervalHours}): backups are failing, see the backup service's log`,
    );
  console.log(`newest backup ${newest}, ${ageHours.toFixed(1)} h old`);
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  const yes = rest.includes('--yes');
  const positional = rest.filter((a) => !a.startsWith('--'));
  try {
    if (command === 'backup') {
      const s = settings();
      await backup(s);
      await prune(s);
    } else if (command === 'restore' && positional[0]) await restore(positional[0], { yes });
    else if (command === 'verify' && positional[0]) await verify(resolve(positional[0]));
    else if (command === 'prune') await prune();
    else if (command === 'schedule') await schedule();
    else if (command === 'health') await health();
    else {
      console.error(usage);
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(`${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
