// `make backup` / `make restore` end to end: a populated database (rows through the real Prisma
// client and audit service, feature status changes audited by the database's own trigger) and
// repositories on a real git server; the real script backs them up as a child process, both are
// wiped, the script restores them, and every table's rows, the audit trail and the git refs must
// come back identical. Also: a damaged file is refused before anything is touched, an existing
// database is only replaced with --yes, and retention keeps BACKUP_KEEP backups.
import { AuditService } from '@autocoder/server-audit';
import { AuditEventRepository, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { startGitServer, type GitServer } from '@autocoder/server-git-server';
import { waitUntil } from '@autocoder/server-test-support';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../..');
const SCRIPT = join(ROOT, 'tools/ops/backup.mjs');
const token = randomBytes(32).toString('base64url');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The script as `make backup` / `make restore` run it: a child process with its environment. */
function script(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A git client with the token in its environment (never on a command line). */
function git(args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: cwd,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Ada',
          GIT_AUTHOR_EMAIL: 'ada@example.test',
          GIT_COMMITTER_NAME: 'Ada',
          GIT_COMMITTER_EMAIL: 'ada@example.test',
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: 'http.extraHeader',
          GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
        },
      },
      (error, stdout, stderr) =>
        error ? fail(new Error(`git ${args.join(' ')}: ${stderr}`)) : done(stdout.trim()),
    );
  });
}

/** The value, or a failed test when it is missing. */
function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Row count and a hash of every row's text, per table of the public schema. */
function tableDigests(url: string): Promise<Record<string, string>> {
  return withClient(url, async (c) => {
    const tables = (
      await c.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      )
    ).rows.map((r) => r.tablename);
    const digests: Record<string, string> = {};
    for (const table of tables) {
      const { rows } = await c.query<{ n: string; h: string }>(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h
           FROM "${table}" t`,
      );
      digests[table] = `${rows[0]?.n} ${rows[0]?.h}`;
    }
    return digests;
  });
}

/** Triggers, functions, constraints and grants: the database's rules, not only its rows. */
function schemaRules(url: string): Promise<unknown> {
  return withClient(url, async (c) => ({
    triggers: (
      await c.query(
        `SELECT tgname, tgrelid::regclass::text AS rel, tgenabled FROM pg_trigger
          WHERE NOT tgisinternal ORDER BY 2, 1`,
      )
    ).rows,
    grants: (
      await c.query(
        `SELECT table_name, privilege_type FROM information_schema.role_table_grants
          WHERE grantee = 'autocoder_app' ORDER BY 1, 2`,
      )
    ).rows,
    constraints: (
      await c.query(
        `SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
      )
    ).rows,
  }));
}

/** `<sha> <ref>` lines of every ref of every repository under the git server's root. */
async function refsOnDisk(root: string): Promise<Record<string, string>> {
  const refs: Record<string, string> = {};
  for (const entry of readdirSync(root)
    .filter((e) => e.endsWith('.git'))
    .sort())
    refs[entry] = await git(
      ['for-each-ref', '--format=%(objectname) %(refname)'],
      join(root, entry),
    );
  return refs;
}

describe('make backup / make restore', () => {
  let db: TestDatabase;
  let server: GitServer;
  let work: string;
  let gitRoot: string;
  let backupDir: string;
  let env: Record<string, string>;
  let backupPath: string;
  let before: Record<string, string>;
  let rulesBefore: unknown;
  let refsBefore: Record<string, string>;
  let maxAuditId: bigint;
  const repos = ['11111111-aaaa-4bbb-8ccc-000000000001', '22222222-aaaa-4bbb-8ccc-000000000002'];
  const emptyRepo = '33333333-aaaa-4bbb-8ccc-000000000003';

  /** Rows of most tables, written as api and runner write them (the app's role). */
  async function populate(): Promise<void> {
    const prisma = new PrismaService({ databaseUrl: db.url, maxConnections: 2 });
    await prisma.$connect();
    try {
      const audit = new AuditService(new AuditEventRepository(prisma));
      const user = await prisma.user.create({
        data: { issuer: 'urn:test', subject: 'ada', email: 'ada@example.test', role: 'admin' },
      });
      for (const [i, id] of repos.entries()) {
        const project = await prisma.project.create({
          data: {
            id,
            name: `project ${i}`,
            spec: `# Spec ${i}\nA todo app, «unicode» and 'quotes'.`,
            budgetUsd: '12.5',
            settings: { model: 'claude', nested: { a: [1, 2] } },
            agentsStartedById: user.id,
          },
        });
        await audit.record({
          actorType: 'user',
          actorId: user.id,
          actorLabel: user.email,
          action: 'project.create',
          targetType: 'project',
          targetId: project.id,
          projectId: project.id,
          after: { name: project.name },
        });
        const features = [];
        for (let f = 0; f < 6; f++)
          features.push(
            await prisma.feature.create({
              data: {
                projectId: project.id,
                priority: f,
                category: f % 2 ? 'ui' : 'core',
                name: `feature ${f}`,
                description: `does thing ${f}`,
                steps: [`step ${f}.1`, `step ${f}.2`],
              },
            }),
          );
        await prisma.featureDependency.create({
          data: {
            projectId: project.id,
            featureId: must(features[1]).id,
            dependsOnId: must(features[0]).id,
          },
        });
        const run = await prisma.run.create({
          data: {
            projectId: project.id,
            role: 'coding',
            startedById: user.id,
            costUsd: '0.123456',
          },
        });
        await prisma.runFeature.create({
          data: { runId: run.id, featureId: must(features[0]).id },
        });
        for (let e = 0; e < 5; e++)
          await prisma.runEvent.create({
            data: { runId: run.id, type: 'tool', message: `call ${e}`, data: { e } },
          });
        // Status changes: the database's trigger audits each one.
        await prisma.feature.update({
          where: { id: must(features[0]).id },
          data: { status: 'in_progress', leaseOwner: `${run.id}:1`, attempts: 1 },
        });
        await prisma.feature.update({
          where: { id: must(features[0]).id },
          data: { status: 'passing', leaseOwner: null },
        });
        const conversation = await prisma.conversation.create({
          data: { projectId: project.id, kind: 'assistant', title: 'Hello', createdById: user.id },
        });
        for (const [role, content] of [
          ['user', 'How do I add a feature?'],
          ['assistant', 'Ask me, and I will write it.'],
        ] as const)
          await prisma.message.create({ data: { conversationId: conversation.id, role, content } });
      }
      await prisma.setting.create({ data: { scope: 'global', key: 'k', value: { on: true } } });
    } finally {
      await prisma.$disconnect();
    }
  }

  /** Two repositories with history on main, branches and a tag, and one empty repository. */
  async function populateRepositories(): Promise<void> {
    for (const [i, name] of repos.entries()) {
      expect(
        (
          await fetch(`${server.url}/api/repositories/${name}`, {
            method: 'PUT',
            headers: { Authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(201);
      const clone = join(work, `clone-${i}`);
      await mkdir(clone);
      await git(['init', '--quiet', '--initial-branch=main'], clone);
      for (let c = 0; c < 3; c++) {
        writeFileSync(join(clone, `file-${c}.txt`), `content ${i}.${c}\n`);
        await git(['add', '-A'], clone);
        await git(['commit', '--quiet', '-m', `commit ${c}`], clone);
      }
      await git(['tag', '-a', 'v1', '-m', 'release 1'], clone);
      await git(['checkout', '--quiet', '-b', `session/run-${i}`], clone);
      writeFileSync(join(clone, 'wip.txt'), 'work in progress\n');
      await git(['add', '-A'], clone);
      await git(['commit', '--quiet', '-m', 'wip'], clone);
      await git(
        ['push', '--quiet', `${server.url}/${name}.git`, 'main', `session/run-${i}`, 'v1'],
        clone,
      );
    }
    expect(
      (
        await fetch(`${server.url}/api/repositories/${emptyRepo}`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${token}` },
        })
      ).status,
    ).toBe(201);
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'backup-e2e-'));
    gitRoot = join(work, 'git-server');
    backupDir = join(work, 'backups');
    db = await createTestDatabase();
    server = await startGitServer({ root: gitRoot, token });
    env = {
      BACKUP_DATABASE_URL: db.adminUrl,
      GIT_SERVER_URL: server.url,
      GIT_SERVER_TOKEN: token,
      BACKUP_DIR: backupDir,
      BACKUP_KEEP: '2',
    };
    await populate();
    await populateRepositories();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('backs up the database and every repository, with a manifest of checksums, refs and row counts; retention keeps BACKUP_KEEP', async () => {
    // Older backups (two complete, one left half-written by a crash a day ago, one in progress).
    await mkdir(backupDir, { recursive: true });
    for (const old of ['20200101T000000Z', '20200102T000000Z']) {
      await mkdir(join(backupDir, old));
      await writeFile(join(backupDir, old, 'manifest.json'), '{}');
    }
    await mkdir(join(backupDir, '.partial-20200103T000000Z'));
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await utimes(join(backupDir, '.partial-20200103T000000Z'), dayAgo, dayAgo);
    await mkdir(join(backupDir, '.partial-29990101T000000Z'));

    before = await tableDigests(db.adminUrl);
    rulesBefore = await schemaRules(db.adminUrl);
    refsBefore = await refsOnDisk(gitRoot);
    maxAuditId = await withClient(db.adminUrl, async (c) =>
      BigInt((await c.query('SELECT max(id) AS m FROM "AuditEvent"')).rows[0].m),
    );

    const result = await script(['backup'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const backups = readdirSync(backupDir)
      .filter((e) => !e.startsWith('.'))
      .sort();
    // BACKUP_KEEP=2: the newest old one and this one; the stale partial is gone, the fresh kept.
    expect(backups).toHaveLength(2);
    expect(backups[0]).toBe('20200102T000000Z');
    expect(readdirSync(backupDir).filter((e) => e.startsWith('.'))).toEqual([
      '.partial-29990101T000000Z',
    ]);
    backupPath = join(backupDir, must(backups[1]));
    expect(result.stdout).toContain(`done in`);

    const manifest = JSON.parse(readFileSync(join(backupPath, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'autocoder-backup', version: 1 });
    expect(manifest.database.name).toBe(db.name);
    expect(manifest.database.pgDumpVersion).toMatch(/pg_dump \(PostgreSQL\) \d+/);
    expect(manifest.database.migrations).toEqual(
      readdirSync(join(ROOT, 'prisma/migrations'), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(),
    );
    expect(manifest.database.tables).toMatchObject({ Project: 2, Feature: 12, Message: 4 });
    expect(manifest.database.tables.AuditEvent).toBe(Number(maxAuditId));
    expect(Object.keys(manifest.files).sort()).toEqual([
      'database.dump',
      ...repos.map((r) => `repositories/${r}.bundle`),
    ]);
    for (const [file, entry] of Object.entries<{ sha256: string; bytes: number }>(manifest.files))
      expect(readFileSync(join(backupPath, 'SHA256SUMS'), 'utf8')).toContain(
        `${entry.sha256}  ${file}\n`,
      );
    // The refs in the manifest are the server's, the empty repository listed without a bundle.
    for (const repo of repos) {
      const listed = manifest.repositories.find((r: { name: string }) => r.name === repo);
      const lines = Object.entries<string>(listed.refs).map(([ref, sha]) => `${sha} ${ref}`);
      expect(lines.sort()).toEqual(must(refsBefore[`${repo}.git`]).split('\n').sort());
    }
    expect(manifest.repositories.find((r: { name: string }) => r.name === emptyRepo)).toEqual({
      name: emptyRepo,
      bundle: null,
      refs: {},
    });
    // Nothing secret in the manifest.
    expect(JSON.stringify(manifest)).not.toContain(token);
  }, 120_000);

  it('a backup read from GIT_SERVER_ROOT (make dev) holds the same repositories', async () => {
    const diskDir = join(work, 'disk-backups');
    const result = await script(['backup'], {
      ...env,
      GIT_SERVER_URL: '',
      GIT_SERVER_ROOT: gitRoot,
      BACKUP_DIR: diskDir,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [name] = readdirSync(diskDir);
    const fromDisk = JSON.parse(readFileSync(join(diskDir, must(name), 'manifest.json'), 'utf8'));
    const overHttp = JSON.parse(readFileSync(join(backupPath, 'manifest.json'), 'utf8'));
    expect(fromDisk.repositories).toEqual(overHttp.repositories);
  }, 120_000);

  it('schedule backs up when one is due, not again before the interval; health follows the newest', async () => {
    const dir = join(work, 'scheduled');
    const scheduled = { ...env, BACKUP_DIR: dir, BACKUP_INTERVAL_HOURS: '1' };
    const unhealthy = await script(['health'], scheduled);
    expect(unhealthy.code).toBe(1);
    expect(unhealthy.stderr).toContain(`no backup in ${dir} yet`);

    const start = () => {
      const child = spawn(process.execPath, [SCRIPT, 'schedule'], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', ...scheduled },
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      return { child, exited, output: () => out };
    };
    // None yet: one at once, then it waits an hour.
    const first = start();
    await waitUntil('the scheduled backup', first.output, (o) => o.includes('next backup at'), {
      timeoutMs: 60_000,
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('done in');
    expect(readdirSync(dir).filter((e) => !e.startsWith('.'))).toHaveLength(1);
    // Restarted within the hour: nothing is due.
    const second = start();
    await waitUntil('the schedule', second.output, (o) => o.includes('next backup at'), {
      timeoutMs: 30_000,
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain('done in');
    expect(readdirSync(dir).filter((e) => !e.startsWith('.'))).toHaveLength(1);

    const healthy = await script(['health'], scheduled);
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    expect(healthy.stdout).toMatch(/newest backup \d{8}T\d{6}Z, 0\.0 h old/);
  }, 120_000);

  it('refuses a damaged backup before touching anything, naming the file', async () => {
    const damaged = join(work, 'damaged');
    cpSync(backupPath, damaged, { recursive: true });
    const bundle = join(damaged, `repositories/${repos[1]}.bundle`);
    const bytes = readFileSync(bundle);
    bytes[bytes.length - 10] ^= 0xff;
    writeFileSync(bundle, bytes);

    const verify = await script(['verify', damaged], env);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`backup ${damaged} is damaged`);
    expect(verify.stderr).toMatch(
      new RegExp(`repositories/${repos[1]}\\.bundle: sha256 [0-9a-f]{64}, the manifest says`),
    );

    const restore = await script(['restore', damaged, '--yes'], env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('is damaged, refusing to use it');
    // The database is as it was.
    expect(await tableDigests(db.adminUrl)).toEqual(before);

    // A missing file is named too.
    await rm(join(damaged, 'database.dump'));
    const missing = await script(['verify', damaged], env);
    expect(missing.stderr).toContain('database.dump: missing');
  }, 120_000);

  it('restores a wiped database and git server: rows, audit trail, rules and refs identical', async () => {
    // Wipe: the database and every repository.
    await withClient(db.adminUrl.replace(/\/[^/]*$/, '/postgres'), (c) =>
      c.query(`DROP DATABASE "${db.name}" WITH (FORCE)`),
    );
    for (const name of [...repos, emptyRepo])
      expect(
        (
          await fetch(`${server.url}/api/repositories/${name}`, {
            method: 'DELETE',
            headers: { Authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(204);
    expect(existsSync(join(gitRoot, `${repos[0]}.git`))).toBe(false);

    const started = Date.now();
    const result = await script(['restore', backupPath], env);
    const seconds = (Date.now() - started) / 1000;
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('row counts of');
    // The restore time of this data set, for the RUNBOOK's recovery time objective.
    console.log(
      `restore took ${seconds.toFixed(2)} s; script: ${/done in .*/.exec(result.stdout)?.[0]}`,
    );

    expect(await tableDigests(db.adminUrl)).toEqual(before);
    expect(await schemaRules(db.adminUrl)).toEqual(rulesBefore);
    expect(await refsOnDisk(gitRoot)).toEqual(refsBefore);
    for (const name of [...repos, emptyRepo]) {
      const bare = join(gitRoot, `${name}.git`);
      await git(['fsck', '--strict', '--no-progress'], bare);
      // Created by the server itself: its settings and main's guard are back.
      expect(await git(['config', 'receive.fsckObjects'], bare)).toBe('true');
      expect(existsSync(join(bare, 'hooks', 'pre-receive'))).toBe(true);
    }

    // The app's role works as before: it appends to the audit trail, the ids go on from the
    // restored sequence, and the trail is still append-only.
    const prisma = new PrismaService({ databaseUrl: db.url, maxConnections: 1 });
    await prisma.$connect();
    try {
      await new AuditService(new AuditEventRepository(prisma)).record({
        actorType: 'system',
        action: 'backup.restored',
        targetType: 'system',
      });
      const last = await prisma.auditEvent.findFirstOrThrow({ orderBy: { id: 'desc' } });
      expect(last.id).toBe(maxAuditId + 1n);
      await expect(
        prisma.$executeRawUnsafe(`UPDATE "AuditEvent" SET "action" = 'x' WHERE id = 1`),
      ).rejects.toThrow();
    } finally {
      await prisma.$disconnect();
    }
    await withClient(db.adminUrl, async (c) => {
      await expect(c.query(`DELETE FROM "AuditEvent" WHERE id = 1`)).rejects.toThrow(/append-only/);
    });

    // main is protected again: a non-fast-forward push is refused.
    const clone = join(work, 'after-restore');
    await git(['clone', '--quiet', `${server.url}/${repos[0]}.git`, clone], work);
    await git(['reset', '--quiet', '--hard', 'HEAD~1'], clone);
    await expect(git(['push', '--quiet', '--force', 'origin', 'main'], clone)).rejects.toThrow(
      /non-fast-forward/,
    );
  }, 180_000);

  it('replaces an existing database only with --yes, and a second restore changes nothing', async () => {
    const refused = await script(['restore', backupPath], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /would replace database "autocoder_test_\w+" \(\d+ tables\) and 3 existing repositories: .*--yes/,
    );

    // Only as the owner the backup was taken as (its default privileges name that role).
    const asApp = await script(['restore', backupPath, '--yes'], {
      ...env,
      BACKUP_DATABASE_URL: db.url,
    });
    expect(asApp.code).toBe(1);
    expect(asApp.stderr).toContain(
      `the backup was taken as the owner role "postgres" and this restore connects as "${db.appRole}"`,
    );
    expect(asApp.stderr).not.toContain(new URL(db.url).password);

    const again = await script(['restore', backupPath, '--yes'], env);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('already holds the backup');
    // The audit event written after the first restore is gone again: the backup's state.
    expect(await tableDigests(db.adminUrl)).toEqual(before);
    expect(await refsOnDisk(gitRoot)).toEqual(refsBefore);
  }, 180_000);
});
