// Kept board answers against the real Postgres (own database): the board_changes triggers, the
// change log and the cache together. The property that matters: an answer is never older
// than what the database held when the request came in, with no waiting after a write.
import type { BoardQuery, BoardView } from '@autocoder/shared-contracts';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { waitUntil } from '@autocoder/server-test-support';
import { QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { gunzipSync } from 'node:zlib';
import { ProjectsModule } from './projects.module';
import { BOARD_ANSWER_MAX_AGE_MS, BoardAnswers } from './board-answers.service';
import { FeaturesService } from './features.service';
import { ProjectsService } from './projects.service';

const FIRST_PAGE: BoardQuery = { limit: 50, offset: 0 };

describe('board answers kept until the features change (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let boards: BoardAnswers;
  let features: FeaturesService;
  let prisma: PrismaService;
  let projectId: string;
  let featureIds: string[];

  const board = async (query: BoardQuery = FIRST_PAGE): Promise<BoardView> =>
    JSON.parse((await boards.board(projectId, query)).json.toString('utf8')) as BoardView;
  const column = (view: BoardView, status: string) => view.columns.find((c) => c.status === status);

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        DbModule.forRoot({ databaseUrl: db.url }),
        QueueModule.forRoot({
          role: 'producer',
          redisUrl: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
          prefix: `boards-${randomBytes(3).toString('hex')}`,
          attempts: 1,
          backoffMs: 1000,
        }),
        LiveEventsModule,
        ProjectsModule,
      ],
    }).compile();
    app = await moduleRef.init();
    boards = app.get(BoardAnswers);
    features = app.get(FeaturesService);
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    const project = await app
      .get(ProjectsService)
      .create({ name: `p-${randomBytes(3).toString('hex')}`, spec: 's' });
    projectId = project.id;
    featureIds = [];
    for (let i = 0; i < 3; i++) {
      const f = await features.create(projectId, {
        category: 'core',
        name: `feature ${i}`,
        description: 'd',
        steps: ['s'],
      });
      featureIds.push(f.id);
    }
  });

  it('serves a kept answer while nothing changed, and a write is seen by the very next read', async () => {
    const first = await board();
    const built = boards.counts.built;
    const again = await board();
    expect(again).toEqual(first);
    expect(boards.counts.built).toBe(built); // kept, not rebuilt

    // Written through Prisma (as the api does) and through raw SQL (as the claims do): the next
    // read, with no wait, sees each.
    await features.update(projectId, featureIds[0], { status: 'passing' });
    expect(column(await board(), 'passing')?.items.map((f) => f.id)).toEqual([featureIds[0]]);
    await prisma.$executeRaw`UPDATE "Feature" SET "status" = 'failing', "lastError" = 'boom' WHERE "id" = ${featureIds[1]}::uuid`;
    const afterRaw = await board();
    expect(column(afterRaw, 'failing')?.items[0]).toMatchObject({
      id: featureIds[1],
      lastError: 'boom',
    });
  });

  it('builds at most twice for many requests that miss together (one running, one queued)', async () => {
    await board();
    await features.update(projectId, featureIds[0], { name: 'changed' });
    const built = boards.counts.built;
    const answers = await Promise.all(Array.from({ length: 20 }, () => board()));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(column(answers[0], 'pending')?.items[0].name).toBe('changed');
    expect(boards.counts.built - built).toBeGreaterThanOrEqual(1);
    expect(boards.counts.built - built).toBeLessThanOrEqual(2);
  });

  it('keeps each query apart and tells an unchanged board from a changed one by its ETag', async () => {
    const all = await boards.board(projectId, FIRST_PAGE);
    const filtered = await boards.board(projectId, { ...FIRST_PAGE, q: 'feature 2' });
    expect(JSON.parse(filtered.json.toString()).columns[0].items).toHaveLength(1);
    expect(JSON.parse(all.json.toString()).columns[0].items).toHaveLength(3);
    expect((await boards.board(projectId, FIRST_PAGE)).etag).toBe(all.etag);
    expect(JSON.parse(gunzipSync(await all.gzipped()).toString())).toEqual(
      JSON.parse(all.json.toString()),
    );

    await features.update(projectId, featureIds[2], { name: 'renamed' });
    const changed = await boards.board(projectId, FIRST_PAGE);
    expect(changed.etag).not.toBe(all.etag);
  });

  it('sees a dependency added or removed (the blocked mark) on the next read', async () => {
    await board();
    await prisma.featureDependency.create({
      data: { projectId, featureId: featureIds[1], dependsOnId: featureIds[0] },
    });
    const blocked = column(await board(), 'pending')?.items.find((f) => f.id === featureIds[1]);
    expect(blocked).toMatchObject({ blocked: true, dependsOn: [featureIds[0]] });
    await prisma.featureDependency.deleteMany({ where: { featureId: featureIds[1] } });
    const free = column(await board(), 'pending')?.items.find((f) => f.id === featureIds[1]);
    expect(free).toMatchObject({ blocked: false, dependsOn: [] });
  });

  it('does not rebuild for a change the board does not show (a lease renewal)', async () => {
    await prisma.feature.update({
      where: { id: featureIds[0] },
      data: {
        status: 'in_progress',
        leaseOwner: 'runner-1',
        leaseExpiresAt: new Date(Date.now() + 60_000),
      },
    });
    await board();
    const built = boards.counts.built;
    await prisma.$executeRaw`UPDATE "Feature" SET "leaseExpiresAt" = now() + interval '2 minutes' WHERE "id" = ${featureIds[0]}::uuid`;
    await board();
    expect(boards.counts.built).toBe(built);
  });

  it('keeps no empty board: a project deleted without features answers not found', async () => {
    const empty = await app
      .get(ProjectsService)
      .create({ name: `e-${randomBytes(3).toString('hex')}`, spec: 's' });
    await boards.board(empty.id, FIRST_PAGE);
    await prisma.project.delete({ where: { id: empty.id } });
    await expect(boards.board(empty.id, FIRST_PAGE)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('sees a write whose transaction was open when the answer was kept, once it commits', async () => {
    const writer = new Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`UPDATE "Feature" SET "name" = 'late' WHERE "id" = $1`, [featureIds[0]]);
      // Built and kept while the write is in flight: it cannot see it yet.
      expect(column(await board(), 'pending')?.items[0].name).toBe('feature 0');
      const built = boards.counts.built;
      expect(column(await board(), 'pending')?.items[0].name).toBe('feature 0');
      expect(boards.counts.built).toBe(built);
      await writer.query('COMMIT');
      expect(column(await board(), 'pending')?.items[0].name).toBe('late');
    } finally {
      await writer.end();
    }
  });

  it('writes one change row per transaction, and prunes the rows no kept answer can need', async () => {
    const rows = () =>
      prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM "BoardChange" WHERE "projectId" = ${projectId}::uuid`;
    const before = (await rows())[0].n;
    await prisma.$transaction([
      prisma.feature.update({ where: { id: featureIds[0] }, data: { name: 'a' } }),
      prisma.feature.update({ where: { id: featureIds[1] }, data: { name: 'b' } }),
    ]);
    expect((await rows())[0].n).toBe(before + 1);

    // A prune goes by the snapshot's xmin, which is cluster-wide: a transaction still open in
    // another suite's database holds it back. Wait until it passes this project's change rows.
    await waitUntil(
      'the snapshot xmin past the change rows',
      async () =>
        (
          await prisma.$queryRaw<{ passed: boolean }[]>`
            SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > max("txid") AS passed
            FROM "BoardChange" WHERE "projectId" = ${projectId}::uuid`
        )[0].passed,
      (passed) => passed,
    );
    const now = Date.now();
    await boards.prune(now);
    expect((await rows())[0].n).toBeGreaterThan(0); // nothing is old enough yet
    await boards.prune(now + BOARD_ANSWER_MAX_AGE_MS + 2 * 60_000);
    expect((await rows())[0].n).toBe(0);
    // Kept answers older than the max age went with them; the board still answers right.
    expect(column(await board(), 'pending')?.items.map((f) => f.name)).toEqual([
      'a',
      'b',
      'feature 2',
    ]);
  });
});
