import { Test } from '@nestjs/testing';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { FeatureStatus } from '../generated/prisma/client';
import { createTestDatabase, TestDatabase } from '../testing/test-database';
import { DbModule } from './db.module';
import { PrismaService } from './prisma.service';

const repoRoot = join(__dirname, '..', '..', '..', '..', '..');
const run = promisify(execFile);

describe('PrismaService against a migrated database', () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const started = performance.now();
    db = await createTestDatabase();
    const first = performance.now() - started;
    const module = await Test.createTestingModule({
      imports: [DbModule.forRoot({ databaseUrl: db.url })],
    }).compile();
    await module.init();
    prisma = module.get(PrismaService);
    close = () => module.close();
    console.info(`createTestDatabase: ${first.toFixed(0)} ms (first call of this suite)`);
    // The first suite after a migration change builds the template (a few seconds).
  });

  afterAll(async () => {
    await close?.();
    await db?.drop();
  });

  /** A query as the owner: the migration history and TRUNCATE are beyond the app's role. */
  async function asOwner<T>(sql: string): Promise<T[]> {
    const owner = new Client({ connectionString: db.adminUrl });
    await owner.connect();
    try {
      return (await owner.query(sql)).rows as T[];
    } finally {
      await owner.end();
    }
  }

  it('starts with the migrations recorded in _prisma_migrations', async () => {
    const rows = await asOwner<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
      `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
       FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toContainEqual(
      expect.stringMatching(/^\d{14}_init$/),
    );
    expect(rows.every((row) => row.finished && !row.rolled_back)).toBe(true);
  });

  it('writes a project with features and a dependency and reads them back', async () => {
    const project = await prisma.project.create({
      data: {
        name: 'todo-app',
        spec: 'A todo list',
        features: {
          create: [
            {
              priority: 1,
              category: 'core',
              name: 'Add a todo',
              description: 'Typing and Enter adds it',
              steps: ['type', 'enter'],
            },
            {
              priority: 2,
              category: 'core',
              name: 'Complete a todo',
              description: 'A checkbox completes it',
            },
          ],
        },
      },
      include: { features: { orderBy: { priority: 'asc' } } },
    });
    const [add, complete] = project.features;
    if (!add || !complete) throw new Error('features were not created');

    await prisma.featureDependency.create({
      data: { projectId: project.id, featureId: complete.id, dependsOnId: add.id },
    });

    const read = await prisma.feature.findUniqueOrThrow({
      where: { id: complete.id },
      include: { dependsOn: { include: { dependsOn: true } }, project: true },
    });
    expect(read.status).toBe(FeatureStatus.pending);
    expect(read.project.name).toBe('todo-app');
    expect(read.dependsOn.map((dep) => dep.dependsOn.name)).toEqual(['Add a todo']);
    expect(add.steps).toEqual(['type', 'enter']);
  });

  it('refuses a feature that depends on itself', async () => {
    const project = await prisma.project.create({ data: { name: 'self-dependency', spec: '-' } });
    const feature = await prisma.feature.create({
      data: {
        projectId: project.id,
        priority: 1,
        category: 'core',
        name: 'Loop',
        description: '-',
      },
    });
    await expect(
      prisma.featureDependency.create({
        data: { projectId: project.id, featureId: feature.id, dependsOnId: feature.id },
      }),
    ).rejects.toThrow(/FeatureDependency_no_self_dependency/);
  });

  it('keeps audit events append-only', async () => {
    const event = await prisma.auditEvent.create({
      data: { actorType: 'system', action: 'project.create', targetType: 'project' },
    });

    // The app's role has no right to change or remove events (app-role.int-spec.ts) ...
    await expect(
      prisma.auditEvent.update({ where: { id: event.id }, data: { action: 'edited' } }),
    ).rejects.toThrow(/permission denied for table AuditEvent/);
    await expect(prisma.auditEvent.delete({ where: { id: event.id } })).rejects.toThrow(
      /permission denied for table AuditEvent/,
    );
    await expect(prisma.$executeRaw`TRUNCATE "AuditEvent"`).rejects.toThrow(/permission denied/);
    // ... and the triggers refuse even the owner.
    await expect(asOwner(`UPDATE "AuditEvent" SET action = 'edited'`)).rejects.toThrow(
      /AuditEvent is append-only: UPDATE is not allowed/,
    );
    await expect(asOwner(`DELETE FROM "AuditEvent"`)).rejects.toThrow(
      /AuditEvent is append-only: DELETE is not allowed/,
    );
    await expect(asOwner(`TRUNCATE "AuditEvent"`)).rejects.toThrow(
      /AuditEvent is append-only: TRUNCATE is not allowed/,
    );

    const kept = await prisma.auditEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(kept.action).toBe('project.create');
  });

  it('finds messages through the full-text index expression', async () => {
    const project = await prisma.project.create({ data: { name: 'search', spec: '-' } });
    await prisma.conversation.create({
      data: {
        projectId: project.id,
        kind: 'assistant',
        title: 'Help',
        messages: {
          create: [
            { role: 'user', content: 'How do I deploy the runners?' },
            { role: 'assistant', content: 'Unrelated answer about colours' },
          ],
        },
      },
    });
    const hits = await prisma.$queryRaw<{ content: string }[]>`
      SELECT content FROM "Message"
      WHERE to_tsvector('english', content) @@ plainto_tsquery('english', ${'deploying runner'})`;
    expect(hits.map((hit) => hit.content)).toEqual(['How do I deploy the runners?']);
  });

  it('applies nothing when migrate deploy runs again', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(repoRoot, 'tools', 'prisma', 'migrate.mjs'), 'deploy'],
      {
        cwd: repoRoot,
        // make exports MIGRATION_DATABASE_URL (the dev database's owner): point both at this one.
        env: { ...process.env, DATABASE_URL: db.adminUrl, MIGRATION_DATABASE_URL: db.adminUrl },
      },
    );
    expect(stdout).toContain('No pending migrations to apply');
    const [{ count }] = await asOwner<{ count: string }>(
      `SELECT count(*) AS count FROM _prisma_migrations`,
    );
    // One row per migration folder: nothing applied twice.
    const folders = readdirSync(join(repoRoot, 'prisma', 'migrations'), {
      withFileTypes: true,
    }).filter((d) => d.isDirectory());
    expect(Number(count)).toBe(folders.length);
  });
});

describe('createTestDatabase', () => {
  it('clones the migrated template quickly and drops the copies', async () => {
    const timings: number[] = [];
    const databases: TestDatabase[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      databases.push(await createTestDatabase());
      timings.push(performance.now() - started);
    }
    console.info(
      `createTestDatabase, later calls: ${timings.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
    );
    expect(new Set(databases.map((db) => db.name)).size).toBe(3);

    await Promise.all(databases.map((db) => db.drop()));
    // Each copy had a login role of its own (roles are cluster-wide); drop() removes it too.
    const server = new Client({
      connectionString:
        process.env['TEST_DATABASE_ADMIN_URL'] || 'postgresql://postgres@127.0.0.1:5432/postgres',
    });
    await server.connect();
    try {
      const { rows } = await server.query(
        'SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
        [databases.map((db) => db.appRole)],
      );
      expect(rows).toEqual([]);
    } finally {
      await server.end();
    }
  });
});
