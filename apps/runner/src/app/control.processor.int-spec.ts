// The runner module in-process with ACTIVE_QUEUES=control, against the real Postgres and Redis,
// with the engine's clock fixed: schedule schedulers synced at start, schedule-edge jobs taken
// from the control queue, and the control tick reconciling schedules.
import { FeaturesService, ProjectsService } from '@autocoder/server-projects';
import { loadConfig } from '@autocoder/server-config';
import { PrismaClient, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { Clock, CLOCK, ScheduleService, startSchedulerId } from '@autocoder/server-schedules';
import { JobQueueService, JobWorkers } from '@autocoder/server-queue';
import { waitFor, waitUntil } from '@autocoder/server-test-support';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PrismaPg } from '@prisma/adapter-pg';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunnerModule } from './runner.module';

class FixedClock implements Clock {
  t = Date.parse('2025-03-03T08:00:00Z');
  now(): Date {
    return new Date(this.t);
  }
}

describe('control processor: schedules (integration)', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let prisma: PrismaService;
  let workspace: string;
  let preexisting: { id: string };
  const clock = new FixedClock();
  const prefix = `runner-control-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    workspace = mkdtempSync(join(tmpdir(), 'runner-control-'));
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: 'http://127.0.0.1:9',
      ACTIVE_QUEUES: 'control',
      CONTROL_TICK_MS: '200',
      WORKSPACE_ROOT: workspace,
      GIT_SERVER_URL: `${workspace}/.remotes`,
    });
    // A schedule written while no runner was up: the runner creates its scheduler at start.
    const direct = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
    const p = await direct.project.create({ data: { name: 'before', spec: 's' } });
    preexisting = await direct.schedule.create({
      data: {
        projectId: p.id,
        daysOfWeek: [2],
        startTime: '06:00',
        durationMinutes: 30,
        timeZone: 'Asia/Kolkata',
      },
    });
    await direct.$disconnect();

    const moduleRef = await Test.createTestingModule({
      imports: [RunnerModule.forRoot(config)],
    })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.get(JobWorkers).close(QueueName.Control);
    const queues = app?.get(JobQueueService);
    await queues?.queue(QueueName.AgentSession).obliterate({ force: true });
    await queues?.queue(QueueName.Control).obliterate({ force: true });
    await app?.close();
    await db?.drop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  const isCompleted = (state: string) => state === 'completed';
  const controlQueue = () => app.get(JobQueueService).queue(QueueName.Control);
  const status = async (id: string) =>
    (await prisma.project.findUniqueOrThrow({ where: { id } })).status;

  async function project(): Promise<string> {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec: 's',
      concurrency: 1,
    });
    await app.get(FeaturesService).create(p.id, {
      category: 'c',
      name: 'f',
      description: 'd',
      steps: ['s'],
    });
    return p.id;
  }

  it('syncs the schedulers of existing schedules at start', async () => {
    expect(app.get(JobWorkers).isRunning(QueueName.Control)).toBe(true);
    const keys = (await controlQueue().getJobSchedulers(0, -1)).map((s) => s.key);
    expect(keys).toEqual(
      expect.arrayContaining(['control-tick', startSchedulerId(preexisting.id)]),
    );
  });

  it('starts the agents on a start-edge job and stops them on the end-edge job', async () => {
    const projectId = await project();
    // Monday 2025-03-03 09:00 UTC for an hour; the tick sees no window yet.
    const s = await app.get(ScheduleService).create(projectId, {
      daysOfWeek: [1],
      startTime: '09:00',
      durationMinutes: 60,
      timeZone: 'UTC',
      enabled: true,
    });
    clock.t = Date.parse('2025-03-03T09:00:00Z');
    const edge = await app.get(JobQueueService).enqueue({
      name: JobName.ScheduleEdge,
      data: { edge: 'start', scheduleId: s.id },
    });
    await waitUntil(
      'the agents to start',
      () => status(projectId),
      (s) => s === 'running',
    );
    await waitUntil('the start edge to complete', () => edge.getState(), isCompleted);
    // The edge started them, or a tick at the same instant did and the edge found nothing to do.
    const done = await controlQueue().getJob(edge.id ?? '');
    expect(['claim', 'none']).toContain((done?.returnvalue as { step: string }).step);

    const endId = `schedule-end-${s.id}-${Date.parse('2025-03-03T09:00:00Z')}`;
    const end = await waitFor('the end edge', () => controlQueue().getJob(endId));
    expect(await end.getState()).toBe('delayed');
    clock.t = Date.parse('2025-03-03T10:00:00Z');
    await end.promote();
    await waitUntil(
      'the agents to stop',
      () => status(projectId),
      (s) => s === 'ready',
    );
    // The project is ready the moment the edge's work stops the agents, a little before BullMQ
    // marks the job completed: wait for that rather than reading its state at once.
    await waitUntil('the end edge to complete', () => end.getState(), isCompleted);
    expect(end.data).toMatchObject({ edge: 'end', projectId });
    await app.get(ScheduleService).remove(projectId, s.id);
  });

  it('reconciles on the control tick (a window missed by its edge starts a tick later)', async () => {
    const projectId = await project();
    clock.t = Date.parse('2025-03-04T12:10:00Z');
    // Tuesday 12:00 UTC: already inside the window, no edge will fire for it.
    const s = await app.get(ScheduleService).create(projectId, {
      daysOfWeek: [2],
      startTime: '12:00',
      durationMinutes: 30,
      timeZone: 'UTC',
      enabled: true,
    });
    await waitUntil(
      'the tick to start the agents',
      () => status(projectId),
      (s) => s === 'running',
    );
    clock.t = Date.parse('2025-03-04T12:30:00Z');
    await waitUntil(
      'the tick to stop the agents',
      () => status(projectId),
      (s) => s === 'ready',
    );
    await app.get(ScheduleService).remove(projectId, s.id);
  });
});
