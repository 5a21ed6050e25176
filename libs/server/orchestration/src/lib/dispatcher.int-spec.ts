// The dispatcher and agent control against the real Postgres (own database) and Redis (own queue
// prefix): concurrency under concurrent callers, readiness, the end of a run, exhausted features,
// lost runs, and start/pause/resume/stop.
import { FeaturesService, HumanInputService, ProjectsService } from '@autocoder/server-projects';
import { ConfigModule, loadConfig } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { JobQueueService, QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { DOMAIN_ERROR_STATUS, DomainError, JobName, QueueName } from '@autocoder/shared-contracts';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { AgentControlService } from './agent-control.service';
import { Dispatcher } from './dispatcher.service';
import { OrchestrationModule } from './orchestration.module';

describe('dispatcher and agent control (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let dispatcher: Dispatcher;
  let control: AgentControlService;
  const prefix = `dispatch-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      FEATURE_MAX_ATTEMPTS: '2',
      LOG_LEVEL: 'silent',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot({ databaseUrl: db.url }),
        QueueModule.forRoot({
          role: 'producer',
          redisUrl: config.REDIS_URL,
          prefix,
          attempts: 1,
          backoffMs: 1000,
        }),
        LiveEventsModule,
        OrchestrationModule,
      ],
    }).compile();
    app = await moduleRef.init();
    prisma = app.get(PrismaService);
    dispatcher = app.get(Dispatcher);
    control = app.get(AgentControlService);
  });

  afterAll(async () => {
    await app?.get(JobQueueService).queue(QueueName.AgentSession).obliterate({ force: true });
    await app?.close();
    await db?.drop();
  });

  /** A project with `n` features; `chain` makes each depend on the one before. */
  async function project(n: number, opts: { chain?: boolean; concurrency?: number } = {}) {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec: 's',
      concurrency: opts.concurrency ?? 3,
    });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const f = await app.get(FeaturesService).create(p.id, {
        category: 'c',
        name: `f${i}`,
        description: 'd',
        steps: ['s'],
        dependsOn: opts.chain && i > 0 ? [ids[i - 1]] : [],
      });
      ids.push(f.id);
    }
    return { id: p.id, features: ids };
  }

  const inflight = (projectId: string, role: 'coding' | 'testing' = 'coding') =>
    prisma.run.count({ where: { projectId, role, status: { in: ['queued', 'running'] } } });

  it('keeps exactly the concurrency in flight when many replicas dispatch at once', async () => {
    const p = await project(10, { concurrency: 3 });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    await Promise.all(Array.from({ length: 20 }, () => dispatcher.dispatch(p.id)));
    expect(await inflight(p.id)).toBe(3);
    const queue = app.get(JobQueueService).queue(QueueName.AgentSession);
    const runs = await prisma.run.findMany({ where: { projectId: p.id } });
    const jobs = await Promise.all(runs.map((r) => queue.getJob(r.id)));
    expect(jobs.map((j) => j?.name)).toEqual([
      JobName.CodingSession,
      JobName.CodingSession,
      JobName.CodingSession,
    ]);
  });

  it('starts no more sessions than there are ready features', async () => {
    const p = await project(4, { chain: true, concurrency: 5 });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    const out = await dispatcher.dispatch(p.id);
    expect(out).toMatchObject({ coding: 1, finished: false });
    expect(await inflight(p.id)).toBe(1);
  });

  it('finishes the run when nothing is ready or in flight, and fails exhausted features', async () => {
    const p = await project(2, { chain: true });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    // The first feature used up its 2 attempts; the second depends on it.
    await prisma.feature.update({
      where: { id: p.features[0] },
      data: { attempts: 2, lastError: 'tests fail' },
    });
    const out = await dispatcher.dispatch(p.id);
    expect(out).toEqual({ coding: 0, testing: 0, finished: true });
    const [first, second] = await Promise.all(
      p.features.map((id) => prisma.feature.findUniqueOrThrow({ where: { id } })),
    );
    expect(first).toMatchObject({
      status: 'failing',
      lastError: 'exhausted 2 attempts: tests fail',
    });
    expect(second).toMatchObject({ status: 'pending', unmetDependencyCount: 1 });
    expect((await prisma.project.findUniqueOrThrow({ where: { id: p.id } })).status).toBe('ready');
  });

  it('keeps testing sessions in flight only while coding work remains', async () => {
    const p = await project(3, { concurrency: 1 });
    await prisma.feature.update({ where: { id: p.features[0] }, data: { status: 'passing' } });
    await app.get(ProjectsService).update(p.id, { agents: { testingAgents: 2 } });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    await dispatcher.dispatch(p.id);
    expect(await inflight(p.id, 'coding')).toBe(1);
    // Two testing agents configured, one passing feature to check.
    expect(await inflight(p.id, 'testing')).toBe(1);
  });

  it('fails a lost run (its job is gone) so it stops holding a slot', async () => {
    const p = await project(2, { concurrency: 1 });
    const lost = await prisma.run.create({
      data: { projectId: p.id, role: 'coding', status: 'running' },
    });
    await prisma.$executeRaw`UPDATE "Run" SET "updatedAt" = now() - interval '5 minutes' WHERE id = ${lost.id}::uuid`;
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    const tick = await dispatcher.tick();
    expect(tick.lost).toBeGreaterThanOrEqual(1);
    expect(await prisma.run.findUniqueOrThrow({ where: { id: lost.id } })).toMatchObject({
      status: 'failed',
      error: 'its job is unknown',
    });
    // The slot is free again: a new session was dispatched in the same tick.
    expect(await inflight(p.id)).toBe(1);
  });

  it('waits for a person when only questions are left, and an answer wakes the agents', async () => {
    const p = await project(2, { chain: true, concurrency: 2 });
    // The second depends on the first, which asks: nothing else is ready.
    const [asked] = p.features;
    await app.get(HumanInputService).request(p.id, asked, {
      prompt: 'Which database?',
      fields: [{ name: 'db', label: 'Database', kind: 'text' }],
    });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    expect(await dispatcher.dispatch(p.id)).toEqual({ coding: 0, testing: 0, finished: true });
    const status = async () =>
      (await prisma.project.findUniqueOrThrow({ where: { id: p.id } })).status;
    expect(await status()).toBe('waiting');
    // The tick leaves a waiting project alone: only running ones are dispatched.
    await dispatcher.dispatchAll();
    expect(await inflight(p.id)).toBe(0);

    await app.get(HumanInputService).answer(p.id, asked, { values: { db: 'sqlite' } });
    expect(await control.wake(p.id, 'a question was answered')).toBe('running');
    expect(await status()).toBe('running');
    expect(await inflight(p.id)).toBe(1);
    // Waking a running project only tops it up; a ready one is left alone.
    expect(await control.wake(p.id, 'again')).toBe('running');
    expect(await inflight(p.id)).toBe(1);
    await control.stop(p.id);
    expect(await control.wake(p.id, 'nobody asked')).toBe('ready');
    expect(await inflight(p.id)).toBe(0);
  });

  it('stops and starts a waiting project like a ready one', async () => {
    const p = await project(2, { concurrency: 1 });
    await app.get(HumanInputService).request(p.id, p.features[0], {
      prompt: 'Which colour?',
      fields: [{ name: 'colour', label: 'Colour', kind: 'text' }],
    });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'waiting' } });
    expect((await control.stop(p.id)).status).toBe('ready');
    await prisma.project.update({ where: { id: p.id }, data: { status: 'waiting' } });
    // Only the question left: start says what would help.
    await prisma.feature.update({ where: { id: p.features[1] }, data: { status: 'passing' } });
    await expect(control.start(p.id, {})).rejects.toThrow(/answer the 1 waiting question/);
    await prisma.feature.update({ where: { id: p.features[1] }, data: { status: 'pending' } });
    const started = await control.start(p.id, {});
    expect(started.status).toBe('running');
    expect(started.activity).toMatchObject({
      state: 'running',
      codingSessions: 1,
      maxSessions: 1,
      questions: 1,
      summary: 'Running 1 of 1 coding session',
    });
    await control.stop(p.id);
  });

  it('start, pause, resume and stop, with refusals as 409s', async () => {
    const p = await project(3, { concurrency: 2 });
    const status = async (): Promise<number | undefined> => {
      try {
        await control.start(p.id, {});
        return undefined;
      } catch (err) {
        return err instanceof DomainError ? DOMAIN_ERROR_STATUS[err.kind] : -1;
      }
    };
    const started = await control.start(p.id, { concurrency: 2, testingAgents: 0 });
    expect(started.status).toBe('running');
    expect(await inflight(p.id)).toBe(2);
    expect(await status()).toBe(409); // already running

    const paused = await control.pause(p.id);
    expect(paused.status).toBe('paused');
    // Queued sessions will not start.
    expect(await inflight(p.id)).toBe(0);
    await expect(control.pause(p.id)).rejects.toThrow(/not running/);

    const resumed = await control.resume(p.id);
    expect(resumed.status).toBe('running');
    expect(await inflight(p.id)).toBe(2);

    const stopped = await control.stop(p.id);
    expect(stopped.status).toBe('ready');
    expect(await inflight(p.id)).toBe(0);
    const queue = app.get(JobQueueService).queue(QueueName.AgentSession);
    const cancelled = await prisma.run.findMany({
      where: { projectId: p.id, status: 'cancelled' },
    });
    expect(cancelled).toHaveLength(4);
    for (const r of cancelled) expect(await queue.getJob(r.id)).toBeUndefined();
    await expect(control.stop(p.id)).rejects.toThrow(/not running/);

    // Nothing pending: nothing to start.
    await prisma.feature.updateMany({ where: { projectId: p.id }, data: { status: 'passing' } });
    expect(await status()).toBe(409);
  });
});
