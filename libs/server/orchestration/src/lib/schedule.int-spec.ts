// Schedules against the real Postgres (own database) and Redis (own queue prefix), with the
// engine's clock fixed: job schedulers in Redis, window edges starting and stopping the agents,
// a person's override, restarts after a crash with backoff, refusals, and the control tick.
import { FeaturesService, ProjectsService } from '@autocoder/server-projects';
import { ConfigModule, loadConfig } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { JobQueueService, QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import {
  CreateScheduleInput,
  JobName,
  QueueName,
  ScheduleEdgeJob,
} from '@autocoder/shared-contracts';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { AgentControlService } from './agent-control.service';
import { OrchestrationModule } from './orchestration.module';
import {
  Clock,
  CLOCK,
  ScheduleState,
  ScheduleStateService,
  ScheduleJobSchedulers,
  startSchedulerId,
  ScheduleService,
  nextStart,
} from '@autocoder/server-schedules';
import { ScheduleReconciler } from './schedule-reconciler.service';

class FixedClock implements Clock {
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

describe('schedules (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let schedules: ScheduleService;
  let reconciler: ScheduleReconciler;
  let jobSchedulers: ScheduleJobSchedulers;
  let control: AgentControlService;
  let stateStore: ScheduleStateService;
  let control_q: Queue;
  const clock = new FixedClock(Date.parse('2025-03-03T08:00:00Z'));
  const prefix = `sched-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent' });
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
    })
      .overrideProvider(CLOCK)
      .useValue(clock)
      .compile();
    app = await moduleRef.init();
    prisma = app.get(PrismaService);
    schedules = app.get(ScheduleService);
    reconciler = app.get(ScheduleReconciler);
    jobSchedulers = app.get(ScheduleJobSchedulers);
    control = app.get(AgentControlService);
    stateStore = app.get(ScheduleStateService);
    control_q = app.get(JobQueueService).queue(QueueName.Control);
  });

  afterAll(async () => {
    const queues = app?.get(JobQueueService);
    await queues?.queue(QueueName.AgentSession).obliterate({ force: true });
    await queues?.queue(QueueName.Control).obliterate({ force: true });
    await app?.close();
    await db?.drop();
  });

  /** A project with `n` pending features. */
  async function project(n = 3): Promise<string> {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec: 's',
      concurrency: 2,
    });
    for (let i = 0; i < n; i++) {
      await app.get(FeaturesService).create(p.id, {
        category: 'c',
        name: `f${i}`,
        description: 'd',
        steps: ['s'],
      });
    }
    return p.id;
  }

  // 2025-03-03 is a Monday. Monday 09:00 UTC for 60 minutes unless said otherwise.
  const monday = (over: Partial<CreateScheduleInput> = {}): CreateScheduleInput => ({
    daysOfWeek: [1],
    startTime: '09:00',
    durationMinutes: 60,
    timeZone: 'UTC',
    enabled: true,
    ...over,
  });
  /** The job scheduler by id, from the list (getJobScheduler answers a blank for a missing id). */
  const scheduler = async (id: string) =>
    (await control_q.getJobSchedulers(0, -1)).find((js) => js.key === id);
  const startEdge = (scheduleId: string): ScheduleEdgeJob => ({ edge: 'start', scheduleId });
  const status = async (projectId: string) =>
    (await prisma.project.findUniqueOrThrow({ where: { id: projectId } })).status;
  const stateOf = async (projectId: string): Promise<ScheduleState | null> =>
    (await stateStore.load([projectId])).get(projectId)?.state ?? null;
  const inflight = (projectId: string) =>
    prisma.run.count({ where: { projectId, status: { in: ['queued', 'running'] } } });
  /** What the dispatcher leaves after sessions failed until nothing was claimable. */
  async function crash(projectId: string): Promise<void> {
    await prisma.run.updateMany({
      where: { projectId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', error: 'boom', finishedAt: new Date() },
    });
    await prisma.project.update({ where: { id: projectId }, data: { status: 'ready' } });
  }

  it('keeps a job scheduler per enabled schedule in Redis, with its pattern and zone', async () => {
    clock.set('2025-03-03T08:00:00Z');
    const projectId = await project();
    const created = await schedules.create(
      projectId,
      monday({ daysOfWeek: [5, 1, 3], startTime: '09:30', timeZone: 'Europe/Berlin' }),
    );
    expect(created).toMatchObject({
      daysOfWeek: [1, 3, 5],
      pattern: '30 9 * * 1,3,5',
      // 09:30 CET on Monday 2025-03-03.
      nextStart: '2025-03-03T08:30:00.000Z',
      // Its window lasts 60 minutes.
      nextStop: '2025-03-03T09:30:00.000Z',
      activeWindow: null,
      override: null,
    });
    const id = startSchedulerId(created.id);
    const found = await scheduler(id);
    expect(found).toMatchObject({
      key: id,
      name: JobName.ScheduleEdge,
      pattern: '30 9 * * 1,3,5',
      tz: 'Europe/Berlin',
      template: { data: { edge: 'start', scheduleId: created.id } },
    });
    // BullMQ (real time) fires when the window math says the next window starts.
    const now = Date.now();
    expect(found?.next).toBe(nextStart(created, new Date(now)).getTime());

    await schedules.update(projectId, created.id, { enabled: false });
    expect(await scheduler(id)).toBeUndefined();
    const enabled = await schedules.update(projectId, created.id, {
      enabled: true,
      startTime: '22:15',
    });
    expect(enabled.pattern).toBe('15 22 * * 1,3,5');
    expect(await scheduler(id)).toMatchObject({ pattern: '15 22 * * 1,3,5' });

    await schedules.remove(projectId, created.id);
    expect(await scheduler(id)).toBeUndefined();
    await expect(schedules.get(projectId, created.id)).rejects.toThrow(/not found/);
  });

  it('syncs schedulers with Postgres: adds missing ones, removes left-over ones', async () => {
    const projectId = await project();
    const s = await schedules.create(projectId, monday());
    await control_q.removeJobScheduler(startSchedulerId(s.id));
    await control_q.upsertJobScheduler(
      startSchedulerId('00000000-0000-4000-8000-00000000dead'),
      { pattern: '0 9 * * 1', tz: 'UTC' },
      { name: JobName.ScheduleEdge, data: { edge: 'start', scheduleId: 'gone' } },
    );
    const synced = await jobSchedulers.syncAll();
    expect(synced.removed).toBe(1);
    expect(await scheduler(startSchedulerId(s.id))).toBeDefined();
    await schedules.remove(projectId, s.id);
  });

  it('starts the agents at the start edge, enqueues the end edge, and stops them there', async () => {
    const projectId = await project();
    const s = await schedules.create(projectId, monday());
    clock.set('2025-03-03T09:00:00Z');

    // Several replicas at once (edge twice, a tick): one start.
    const start = jest.spyOn(control, 'start');
    const results = await Promise.all([
      reconciler.onEdge(startEdge(s.id)),
      reconciler.onEdge(startEdge(s.id)),
      reconciler.reconcileAll(),
    ]);
    const claims =
      results.slice(0, 2).filter((r) => 'step' in r && r.step === 'claim').length +
      (results[2] as { acted: number }).acted;
    expect(claims).toBe(1);
    expect(start).toHaveBeenCalledTimes(1);
    start.mockRestore();
    expect(await status(projectId)).toBe('running');
    expect(await inflight(projectId)).toBe(2);
    expect(await stateOf(projectId)).toMatchObject({
      scheduleId: s.id,
      windowStart: '2025-03-03T09:00:00.000Z',
      windowEnd: '2025-03-03T10:00:00.000Z',
      owned: true,
      outcome: 'started',
    });

    // The end edge: delayed until the window's end, one job however often it is enqueued.
    const endId = `schedule-end-${s.id}-${Date.parse('2025-03-03T09:00:00Z')}`;
    const end = await control_q.getJob(endId);
    expect(end?.name).toBe(JobName.ScheduleEdge);
    expect(end?.data).toEqual({
      edge: 'end',
      scheduleId: s.id,
      projectId,
      windowStart: '2025-03-03T09:00:00.000Z',
      windowEnd: '2025-03-03T10:00:00.000Z',
    });
    expect(end?.delay).toBe(60 * 60_000);
    expect(await control_q.getDelayedCount()).toBeGreaterThanOrEqual(1);

    // Again inside the window: nothing to do.
    clock.set('2025-03-03T09:30:00Z');
    expect(await reconciler.onEdge(startEdge(s.id))).toEqual({ step: 'none' });
    expect((await schedules.list(projectId))[0]).toMatchObject({
      activeWindow: { start: '2025-03-03T09:00:00.000Z', end: '2025-03-03T10:00:00.000Z' },
      nextStart: '2025-03-10T09:00:00.000Z',
      lastAction: { outcome: 'started', restarts: 0 },
    });

    // The end edge, run a moment early: judged at the window's end.
    clock.set('2025-03-03T09:59:59.900Z');
    expect(await reconciler.onEdge(end?.data as ScheduleEdgeJob)).toEqual({ step: 'stop' });
    expect(await status(projectId)).toBe('ready');
    expect(await inflight(projectId)).toBe(0);
    expect(await stateOf(projectId)).toMatchObject({ owned: false, outcome: 'stopped' });
    clock.set('2025-03-03T10:05:00Z');
    expect(await reconciler.reconcileProject(projectId)).toBe('none');
    await schedules.remove(projectId, s.id);
  });

  it('leaves the agents stopped after a manual stop inside the window until it ends', async () => {
    const projectId = await project();
    const s = await schedules.create(projectId, monday());
    clock.set('2025-03-03T09:01:00Z');
    await reconciler.onEdge(startEdge(s.id));
    expect(await status(projectId)).toBe('running');

    clock.set('2025-03-03T09:10:00Z');
    await control.stop(projectId);
    const [view] = await schedules.list(projectId);
    expect(view.override).toEqual({
      action: 'stop',
      at: '2025-03-03T09:10:00.000Z',
      until: '2025-03-03T10:00:00.000Z',
    });
    for (const t of ['2025-03-03T09:11:00Z', '2025-03-03T09:59:00Z', '2025-03-03T10:00:00Z']) {
      clock.set(t);
      expect(await reconciler.reconcileAll()).toMatchObject({ acted: 0 });
      expect(await reconciler.onEdge(startEdge(s.id))).toEqual({ step: 'none' });
      expect(await status(projectId)).toBe('ready');
    }
    expect((await schedules.list(projectId))[0].override).toBeNull();

    // The next window starts them again.
    clock.set('2025-03-10T09:00:00Z');
    expect(await reconciler.onEdge(startEdge(s.id))).toEqual({ step: 'claim' });
    expect(await status(projectId)).toBe('running');
    await control.stop(projectId);
    await schedules.remove(projectId, s.id);
  });

  it('lets a manual start outside the windows run until the next window takes it over', async () => {
    const projectId = await project();
    const s = await schedules.create(projectId, monday());
    clock.set('2025-03-03T11:00:00Z');
    await control.start(projectId, {});
    const [view] = await schedules.list(projectId);
    expect(view.override).toMatchObject({ action: 'start', until: '2025-03-10T09:00:00.000Z' });
    clock.set('2025-03-05T11:00:00Z');
    expect(await reconciler.reconcileProject(projectId)).toBe('none');
    expect(await status(projectId)).toBe('running');

    // At the next window the schedule adopts the running agents, and stops them at its end.
    clock.set('2025-03-10T09:00:00Z');
    expect(await reconciler.onEdge(startEdge(s.id))).toEqual({ step: 'claim' });
    expect(await stateOf(projectId)).toMatchObject({ owned: true, outcome: 'adopted' });
    clock.set('2025-03-10T10:00:00Z');
    expect(await reconciler.reconcileAll()).toMatchObject({ acted: 1 });
    expect(await status(projectId)).toBe('ready');
    await schedules.remove(projectId, s.id);
  });

  it('restarts a crashed run inside the window only after the backoff, doubling it', async () => {
    const projectId = await project();
    const s = await schedules.create(projectId, monday({ durationMinutes: 120 }));
    clock.set('2025-03-03T09:00:00Z');
    await reconciler.onEdge(startEdge(s.id));
    expect(await status(projectId)).toBe('running');

    await crash(projectId);
    clock.set('2025-03-03T09:01:00Z');
    expect(await reconciler.reconcileProject(projectId)).toBe('check');
    expect(await stateOf(projectId)).toMatchObject({
      outcome: 'crashed',
      detail: expect.stringMatching(/failed: boom/),
      retryAt: '2025-03-03T09:01:30.000Z',
      restarts: 0,
    });
    clock.set('2025-03-03T09:01:29Z');
    expect(await reconciler.reconcileAll()).toMatchObject({ acted: 0 });
    expect(await status(projectId)).toBe('ready');
    clock.set('2025-03-03T09:01:30Z');
    expect(await reconciler.reconcileAll()).toMatchObject({ acted: 1 });
    expect(await status(projectId)).toBe('running');
    expect(await stateOf(projectId)).toMatchObject({ outcome: 'started', restarts: 1 });

    // Crashing again: 60 s.
    await crash(projectId);
    clock.set('2025-03-03T09:02:00Z');
    await reconciler.reconcileAll();
    expect(await stateOf(projectId)).toMatchObject({
      outcome: 'crashed',
      retryAt: '2025-03-03T09:03:00.000Z',
    });
    clock.set('2025-03-03T09:02:59Z');
    await reconciler.reconcileAll();
    expect(await status(projectId)).toBe('ready');
    clock.set('2025-03-03T09:03:00Z');
    await reconciler.reconcileAll();
    expect(await status(projectId)).toBe('running');
    expect(await stateOf(projectId)).toMatchObject({ restarts: 2 });

    // Finishing cleanly (the last run succeeded) is no crash: left alone.
    await prisma.run.updateMany({
      where: { projectId, status: { in: ['queued', 'running'] } },
      data: { status: 'succeeded', finishedAt: new Date(Date.now() + 1000) },
    });
    await prisma.project.update({ where: { id: projectId }, data: { status: 'ready' } });
    clock.set('2025-03-03T09:10:00Z');
    await reconciler.reconcileAll();
    expect(await stateOf(projectId)).toMatchObject({ owned: false, outcome: 'finished' });
    clock.set('2025-03-03T09:30:00Z');
    expect(await reconciler.reconcileAll()).toMatchObject({ acted: 0 });
    expect(await status(projectId)).toBe('ready');
    await schedules.remove(projectId, s.id);
  });

  it('records a refused start once (409: no pending features) instead of retrying it', async () => {
    const projectId = await project(1);
    await prisma.feature.updateMany({ where: { projectId }, data: { status: 'passing' } });
    const s = await schedules.create(projectId, monday());
    clock.set('2025-03-03T09:00:00Z');
    expect(await reconciler.onEdge(startEdge(s.id))).toEqual({ step: 'claim' });
    expect(await stateOf(projectId)).toMatchObject({
      owned: false,
      outcome: 'refused',
      detail: expect.stringMatching(/no pending features/),
    });
    clock.set('2025-03-03T09:20:00Z');
    expect(await reconciler.reconcileAll()).toMatchObject({ acted: 0 });
    expect(await status(projectId)).toBe('idle');
    await schedules.remove(projectId, s.id);
  });

  it('catches up on the control tick: a schedule created inside its window starts at once', async () => {
    const projectId = await project();
    clock.set('2025-03-03T09:20:00Z');
    const s = await schedules.create(projectId, monday());
    expect(s.activeWindow).toEqual({
      start: '2025-03-03T09:00:00.000Z',
      end: '2025-03-03T10:00:00.000Z',
    });
    // Inside a window the next stop is its end, before the next start (a week later).
    expect(s.nextStop).toBe('2025-03-03T10:00:00.000Z');
    expect(s.nextStart).toBe('2025-03-10T09:00:00.000Z');
    await reconciler.reconcileAll();
    expect(await status(projectId)).toBe('running');
    // Disabling it hands the agents back: the end of the window no longer stops them.
    await schedules.update(projectId, s.id, { enabled: false });
    expect(await stateOf(projectId)).toMatchObject({ owned: false, outcome: 'released' });
    clock.set('2025-03-03T10:30:00Z');
    await reconciler.reconcileAll();
    expect(await status(projectId)).toBe('running');
    await control.stop(projectId);
    await schedules.remove(projectId, s.id);
  });
});
