import { invalid, isRecordMissing, notFound, ProjectsService } from '@autocoder/server-backlog';
import { Prisma, PrismaService, Schedule } from '@autocoder/server-db';
import {
  JobQueueService,
  jobOptionsFor,
  QUEUE_SETTINGS,
  QueueSettings,
  queueUnavailable,
  withTimeout,
} from '@autocoder/server-queue';
import {
  CreateScheduleInput,
  JobName,
  QueueName,
  ScheduleEdgeJob,
  ScheduleEventData,
  ScheduleSchema,
  ScheduleView,
  UpdateScheduleInput,
  DomainError,
} from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentControlService } from '../agent-control.service';
import { Clock, CLOCK } from './clock';
import {
  isActive,
  nextStep,
  overrideHolds,
  ProjectStatusName,
  restartDelayMs,
  ScheduleSnapshot,
  ScheduleState,
  ScheduleStep,
} from './schedule-policy';
import {
  ProjectScheduleSettings,
  ScheduleStateService,
  ScheduleWindow,
  windowJson,
} from './schedule-state.service';
import { activeWindowOf, nextStart, nextWindow, startPattern, windowAt } from './schedule-window';

/** Id of the BullMQ job scheduler that fires a schedule's start edge. */
export function startSchedulerId(scheduleId: string): string {
  return `schedule-start:${scheduleId}`;
}
const SCHEDULER_PREFIX = 'schedule-start:';
/** How long a change waits for Redis before answering 503. */
const REDIS_TIMEOUT_MS = 3000;

/** What reconciling a project decided under its lock, carried out after it. */
type Plan =
  | { kind: 'start'; step: ScheduleStep; window: ScheduleWindow; restarts: number }
  | { kind: 'adopted'; step: ScheduleStep; window: ScheduleWindow }
  | { kind: 'crashed'; step: ScheduleStep; window: ScheduleWindow; detail: string; retryAt: Date }
  | { kind: 'finished'; step: ScheduleStep; window: ScheduleWindow; detail: string }
  | { kind: 'stop'; step: ScheduleStep; window: ScheduleWindow }
  | { kind: 'ended'; step: ScheduleStep; window: ScheduleWindow };

/**
 * Per-project schedules: weekly windows (days, local start time, duration, time zone) in which
 * the project's agents run.
 *
 * Every enabled schedule has a BullMQ job scheduler on the control queue that fires its start
 * edge (a cron pattern in its time zone); a window, once acted on, gets a delayed end-edge job.
 * Both edges, and the control tick for every project with schedules, call one idempotent
 * reconciliation under a per-project lock: inside a window the agents run (started, or adopted
 * when already running), after every window the agents the schedules are in charge of stop, a
 * crash inside a window is restarted with backoff, and a person's start or stop through the
 * agents API overrides the schedules until the window ends. The edges only make it prompt: a
 * lost edge is caught up by the next tick.
 */
@Injectable()
export class ScheduleService {
  private readonly logger = new Logger(ScheduleService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
    private readonly control: AgentControlService,
    private readonly queue: JobQueueService,
    private readonly state: ScheduleStateService,
    @Inject(QUEUE_SETTINGS) private readonly queueSettings: QueueSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // ---- CRUD -------------------------------------------------------------------------------

  async create(projectId: string, input: CreateScheduleInput): Promise<ScheduleView> {
    await this.projects.require(projectId);
    const rule = this.validate(input);
    const schedule = await this.prisma.$transaction(async (tx) => {
      const row = await tx.schedule.create({ data: { projectId, ...rule } });
      // In the transaction: without its job scheduler the schedule is not created (503).
      await this.syncScheduler(row);
      return row;
    });
    return this.view(schedule);
  }

  async list(projectId: string): Promise<ScheduleView[]> {
    await this.projects.require(projectId);
    const rows = await this.prisma.schedule.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const settings = (await this.state.load(this.prisma, [projectId])).get(projectId);
    return rows.map((r) => this.toView(r, settings));
  }

  async get(projectId: string, scheduleId: string): Promise<ScheduleView> {
    return this.view(await this.require(projectId, scheduleId));
  }

  /** Changes fields; the result must be a valid schedule as a whole (400 naming the field). */
  async update(
    projectId: string,
    scheduleId: string,
    input: UpdateScheduleInput,
  ): Promise<ScheduleView> {
    const current = await this.require(projectId, scheduleId);
    const rule = this.validate({
      daysOfWeek: input.daysOfWeek ?? current.daysOfWeek,
      startTime: input.startTime ?? current.startTime,
      durationMinutes: input.durationMinutes ?? current.durationMinutes,
      timeZone: input.timeZone ?? current.timeZone,
      enabled: input.enabled ?? current.enabled,
    });
    const schedule = await this.prisma
      .$transaction(async (tx) => {
        const row = await tx.schedule.update({ where: { id: scheduleId }, data: rule });
        await this.syncScheduler(row);
        return row;
      })
      .catch((err: unknown) => {
        // Deleted meanwhile.
        throw isRecordMissing(err) ? notFound('schedule', scheduleId) : err;
      });
    if (!schedule.enabled) await this.release(projectId, scheduleId, 'the schedule was disabled');
    return this.view(schedule);
  }

  async remove(projectId: string, scheduleId: string): Promise<void> {
    await this.require(projectId, scheduleId);
    await this.prisma.$transaction(async (tx) => {
      await tx.schedule.deleteMany({ where: { id: scheduleId } });
      await this.redis(this.controlQueue().removeJobScheduler(startSchedulerId(scheduleId)));
    });
    await this.release(projectId, scheduleId, 'the schedule was deleted');
  }

  /**
   * Job schedulers for every enabled schedule, none for anything else (a deleted project's
   * schedules, a change whose commit failed after Redis took it). The runner calls it at start.
   */
  async syncAll(): Promise<{ upserted: number; removed: number }> {
    const schedules = await this.prisma.schedule.findMany({ where: { enabled: true } });
    for (const s of schedules) await this.syncScheduler(s);
    const wanted = new Set(schedules.map((s) => startSchedulerId(s.id)));
    const existing = await this.controlQueue().getJobSchedulers(0, -1);
    let removed = 0;
    for (const js of existing) {
      if (js.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(js.key)) {
        await this.controlQueue().removeJobScheduler(js.key);
        removed++;
      }
    }
    return { upserted: schedules.length, removed };
  }

  // ---- Edges and the control tick ----------------------------------------------------------

  /** A schedule edge job (runner, control queue). */
  async onEdge(job: ScheduleEdgeJob): Promise<{ step: ScheduleStep; reason?: string }> {
    if (job.edge === 'end') {
      // Judged at the window's end even if the job runs a moment early (another host's clock).
      const now = this.clock.now();
      const end = new Date(job.windowEnd);
      return { step: await this.reconcileProject(job.projectId, now < end ? end : now) };
    }
    const schedule = await this.prisma.schedule.findUnique({ where: { id: job.scheduleId } });
    if (!schedule || !schedule.enabled) {
      // Left behind (its project was deleted, or a failed commit): nothing should fire it again.
      await this.controlQueue()
        .removeJobScheduler(startSchedulerId(job.scheduleId))
        .catch(() => false);
      return { step: 'none', reason: 'no such enabled schedule' };
    }
    return { step: await this.reconcileProject(schedule.projectId) };
  }

  /**
   * The control tick's part: every project with an enabled schedule or agents in the schedules'
   * charge, judged from one batch of cheap reads; only a project with something to do takes its
   * lock and judges again.
   */
  async reconcileAll(at = this.clock.now()): Promise<{ projects: number; acted: number }> {
    const schedules = await this.prisma.schedule.findMany({ where: { enabled: true } });
    const ids = [
      ...new Set([...schedules.map((s) => s.projectId), ...(await this.state.ownedProjectIds())]),
    ];
    if (ids.length === 0) return { projects: 0, acted: 0 };
    const [projects, settings] = await Promise.all([
      this.prisma.project.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true },
      }),
      this.state.load(this.prisma, ids),
    ]);
    const status = new Map(projects.map((p) => [p.id, p.status as ProjectStatusName]));
    let acted = 0;
    for (const id of ids) {
      const projectStatus = status.get(id);
      const snapshot = projectStatus && {
        at,
        status: projectStatus,
        window: this.windowOf(
          schedules.filter((s) => s.projectId === id),
          at,
        ),
        ...(settings.get(id) ?? { state: null, override: null }),
      };
      if (snapshot && nextStep(snapshot) === 'none') continue;
      try {
        if ((await this.reconcileProject(id, at)) !== 'none') acted++;
      } catch (err) {
        this.logger.error({ err, projectId: id }, 'schedule reconciliation failed');
      }
    }
    return { projects: ids.length, acted };
  }

  /** Judges one project under its lock and does what the schedules call for (idempotent). */
  async reconcileProject(projectId: string, at = this.clock.now()): Promise<ScheduleStep> {
    const plan = await this.state.withLock(projectId, (tx) => this.decide(tx, projectId, at));
    if (!plan) return 'none';
    await this.carryOut(projectId, plan, at);
    return plan.step;
  }

  private async decide(
    tx: Prisma.TransactionClient,
    projectId: string,
    at: Date,
  ): Promise<Plan | null> {
    const project = await tx.project.findUnique({
      where: { id: projectId },
      select: { status: true },
    });
    const { state, override } = (await this.state.load(tx, [projectId])).get(projectId) ?? {
      state: null,
      override: null,
    };
    if (!project) {
      // The project is gone (its schedules went with it): forget what was kept for it.
      await tx.setting.deleteMany({ where: { scope: `project:${projectId}` } });
      return null;
    }
    if (override && !overrideHolds(override, at))
      await this.state.saveOverride(tx, projectId, null);
    const window = this.windowOf(await this.state.enabledSchedules(tx, projectId), at);
    const snapshot: ScheduleSnapshot = {
      at,
      status: project.status as ProjectStatusName,
      window,
      state,
      override,
    };
    const step = nextStep(snapshot);
    const now = at.toISOString();
    const save = (next: ScheduleState) => this.state.saveState(tx, projectId, next);
    switch (step) {
      case 'none':
        return null;
      case 'claim': {
        if (!window) return null;
        const fresh = {
          scheduleId: window.scheduleId,
          windowStart: window.start.toISOString(),
          windowEnd: window.end.toISOString(),
          owned: true,
          detail: null,
          restarts: 0,
          retryAt: null,
          at: now,
        };
        if (isActive(snapshot.status)) {
          // Their runs were queued before: every run counts when judging a crash.
          await save({ ...fresh, outcome: 'adopted', runsAfter: null });
          return { kind: 'adopted', step, window };
        }
        await save({
          ...fresh,
          outcome: 'starting',
          runsAfter: await this.state.newestRunAt(tx, projectId),
        });
        return { kind: 'start', step, window, restarts: 0 };
      }
      case 'restart': {
        if (!window || !state) return null;
        const restarts = state.restarts + 1;
        await save({
          ...state,
          outcome: 'starting',
          restarts,
          retryAt: null,
          runsAfter: await this.state.newestRunAt(tx, projectId),
          at: now,
        });
        return { kind: 'start', step, window, restarts };
      }
      case 'check': {
        if (!window || !state) return null;
        const crash = await this.crashOf(tx, projectId, state);
        if (crash) {
          const retryAt = new Date(at.getTime() + restartDelayMs(state.restarts));
          await save({
            ...state,
            outcome: 'crashed',
            detail: crash,
            retryAt: retryAt.toISOString(),
            at: now,
          });
          return { kind: 'crashed', step, window, detail: crash, retryAt };
        }
        const detail = `the agents stopped on their own (project ${snapshot.status}) without a failed run`;
        await save({ ...state, owned: false, outcome: 'finished', detail, at: now });
        return { kind: 'finished', step, window, detail };
      }
      case 'stop':
      case 'release': {
        if (!state) return null;
        const ended = {
          scheduleId: state.scheduleId,
          start: new Date(state.windowStart),
          end: new Date(state.windowEnd),
        };
        if (step === 'release') {
          await save({ ...state, owned: false, outcome: 'ended', at: now });
          return { kind: 'ended', step, window: ended };
        }
        await save({ ...state, outcome: 'stopping', at: now });
        return { kind: 'stop', step, window: ended };
      }
    }
  }

  /**
   * The crash signal. The engine has no error status for a project: a runner or provider failure
   * does not take a project out of `running` (session jobs retry, the tick fails lost runs and
   * the dispatcher starts new sessions). A project leaves `running` on its own only through the
   * dispatcher: `ready` when nothing is left to claim (which includes features that failed until
   * their attempts ran out), `idle` when its budget is spent. So: the schedule started the
   * agents in this window, nobody stopped them (a person's stop or the window's end clears the
   * schedule's charge), the project is ready or idle, and the newest session run that ended
   * since that start ended `failed` or `stuck`. A clean finish (its last run succeeded) or a
   * spent budget (`budget_exceeded`) is not a crash: a restart could only be refused. A start
   * that never completed (the replica died after claiming the window) also counts.
   */
  private async crashOf(
    tx: Prisma.TransactionClient,
    projectId: string,
    state: ScheduleState,
  ): Promise<string | null> {
    if (state.outcome === 'starting') return 'the start did not complete';
    const last = await tx.run.findFirst({
      where: {
        projectId,
        role: { in: ['coding', 'testing'] },
        finishedAt: { not: null },
        ...(state.runsAfter ? { queuedAt: { gt: new Date(state.runsAfter) } } : {}),
      },
      orderBy: { finishedAt: 'desc' },
      select: { id: true, status: true, error: true },
    });
    if (!last || (last.status !== 'failed' && last.status !== 'stuck')) return null;
    return `run ${last.id} ${last.status}${last.error ? `: ${last.error}` : ''}`;
  }

  private async carryOut(projectId: string, plan: Plan, at: Date): Promise<void> {
    const data = (outcome: string, detail?: string) => edgeData(plan.window, outcome, detail);
    switch (plan.kind) {
      case 'start':
        return this.start(projectId, plan, at);
      case 'adopted':
        await this.state.announce(
          projectId,
          'schedule.edge',
          'info',
          `window until ${plan.window.end.toISOString()}: the running agents stop when it ends`,
          data('adopted'),
        );
        return this.state.enqueueEnd(projectId, plan.window);
      case 'crashed':
        return this.state.announce(
          projectId,
          'schedule.edge',
          'warn',
          `the agents stopped inside their window (${plan.detail}); restarting at ${plan.retryAt.toISOString()}`,
          data('crashed', plan.detail),
        );
      case 'finished':
        return this.state.announce(
          projectId,
          'schedule.edge',
          'info',
          plan.detail,
          data('finished'),
        );
      case 'ended':
        return this.state.announce(
          projectId,
          'schedule.edge',
          'info',
          'window ended',
          data('ended'),
        );
      case 'stop':
        try {
          await this.control.stop(projectId, 'schedule');
        } catch (err) {
          if (!isConflict(err)) {
            // Still in the schedules' charge ("stopping"): tried again after the grace period.
            this.logger.error({ err, projectId }, 'the schedule could not stop the agents');
            return;
          }
        }
        await this.settle(projectId, plan.window, 'stopping', { owned: false, outcome: 'stopped' });
        return this.state.announce(
          projectId,
          'schedule.edge',
          'info',
          'window ended: agents stopped',
          data('stopped'),
        );
    }
  }

  private async start(
    projectId: string,
    plan: Extract<Plan, { kind: 'start' }>,
    at: Date,
  ): Promise<void> {
    const data = (outcome: string, detail?: string) => edgeData(plan.window, outcome, detail);
    const until = plan.window.end.toISOString();
    try {
      await this.control.start(projectId, {}, undefined, 'schedule');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isConflict(err)) {
        const project = await this.prisma.project.findUnique({
          where: { id: projectId },
          select: { status: true },
        });
        if (project && isActive(project.status as ProjectStatusName)) {
          // Someone started them meanwhile: the window takes them over.
          await this.settle(projectId, plan.window, 'starting', { outcome: 'adopted' });
          await this.state.enqueueEnd(projectId, plan.window);
          return;
        }
        // Refused (no pending features, budget spent, ...): recorded once for the window.
        await this.settle(projectId, plan.window, 'starting', {
          owned: false,
          outcome: 'refused',
          detail: message,
        });
        await this.state.announce(
          projectId,
          'schedule.edge',
          'warn',
          `the schedule could not start the agents: ${message}`,
          data('refused', message),
        );
        return;
      }
      // Anything else (Redis or Postgres trouble): tried again with backoff, as a crash.
      const retryAt = new Date(at.getTime() + restartDelayMs(plan.restarts));
      this.logger.error({ err, projectId }, 'the schedule could not start the agents');
      await this.settle(projectId, plan.window, 'starting', {
        outcome: 'crashed',
        detail: `start failed: ${message}`,
        retryAt: retryAt.toISOString(),
      });
      await this.state.announce(
        projectId,
        'schedule.edge',
        'warn',
        `the schedule could not start the agents (${message}); trying again at ${retryAt.toISOString()}`,
        data('crashed', message),
      );
      return;
    }
    await this.settle(projectId, plan.window, 'starting', {
      outcome: 'started',
      detail: plan.restarts > 0 ? `restart ${plan.restarts} after a crash` : null,
    });
    await this.state.announce(
      projectId,
      'schedule.edge',
      'info',
      plan.restarts > 0
        ? `agents restarted by the schedule (restart ${plan.restarts}) until ${until}`
        : `agents started by the schedule until ${until}`,
      data('started'),
    );
    await this.state.enqueueEnd(projectId, plan.window);
  }

  /** Records an action's result, if the state still describes that action (under the lock). */
  private async settle(
    projectId: string,
    window: ScheduleWindow,
    expected: ScheduleState['outcome'],
    change: Partial<ScheduleState>,
  ): Promise<void> {
    await this.state.withLock(projectId, async (tx) => {
      const { state } = (await this.state.load(tx, [projectId])).get(projectId) ?? { state: null };
      if (
        !state ||
        state.outcome !== expected ||
        state.scheduleId !== window.scheduleId ||
        state.windowStart !== window.start.toISOString()
      ) {
        return;
      }
      await this.state.saveState(tx, projectId, {
        ...state,
        ...change,
        at: this.clock.now().toISOString(),
      });
    });
  }

  /** A disabled or deleted schedule no longer stops agents it started: they are left running. */
  private async release(projectId: string, scheduleId: string, why: string): Promise<void> {
    await this.state.withLock(projectId, async (tx) => {
      const { state } = (await this.state.load(tx, [projectId])).get(projectId) ?? { state: null };
      if (state?.scheduleId !== scheduleId || !state.owned) return;
      await this.state.saveState(tx, projectId, {
        ...state,
        owned: false,
        outcome: 'released',
        detail: why,
        at: this.clock.now().toISOString(),
      });
    });
  }

  // ---- Helpers --------------------------------------------------------------------------------

  private windowOf(schedules: Schedule[], at: Date): ScheduleWindow | null {
    const w = activeWindowOf(schedules, at);
    return w ? { scheduleId: w.rule.id, start: w.start, end: w.end } : null;
  }

  private validate(candidate: Record<string, unknown>): {
    daysOfWeek: number[];
    startTime: string;
    durationMinutes: number;
    timeZone: string;
    enabled: boolean;
  } {
    const parsed = ScheduleSchema.safeParse(candidate);
    if (!parsed.success) {
      throw invalid(
        'The schedule is not valid.',
        parsed.error.issues.map((i) => ({
          path: ['body', ...i.path.map(String)].join('.'),
          message: i.message,
        })),
      );
    }
    return { ...parsed.data, daysOfWeek: [...parsed.data.daysOfWeek].sort((a, b) => a - b) };
  }

  private async require(projectId: string, scheduleId: string): Promise<Schedule> {
    await this.projects.require(projectId);
    const schedule = await this.prisma.schedule.findFirst({ where: { id: scheduleId, projectId } });
    if (!schedule) throw notFound('schedule', scheduleId);
    return schedule;
  }

  private controlQueue() {
    return this.queue.queue(QueueName.Control);
  }

  /** The start edge's job scheduler of a schedule: there when enabled, gone when not. */
  private async syncScheduler(schedule: Schedule): Promise<void> {
    const id = startSchedulerId(schedule.id);
    if (!schedule.enabled) {
      await this.redis(this.controlQueue().removeJobScheduler(id));
      return;
    }
    const data: ScheduleEdgeJob = { edge: 'start', scheduleId: schedule.id };
    // A start edge has no job id of ours (the scheduler names each firing).
    const opts = jobOptionsFor(JobName.ScheduleEdge, data, this.queueSettings);
    await this.redis(
      this.controlQueue().upsertJobScheduler(
        id,
        { pattern: startPattern(schedule), tz: schedule.timeZone },
        { name: JobName.ScheduleEdge, data, opts },
      ),
    );
  }

  private async redis<T>(op: Promise<T>): Promise<T> {
    try {
      return await withTimeout(op, REDIS_TIMEOUT_MS);
    } catch (err) {
      throw queueUnavailable(err, 'the schedule was not changed, try again shortly');
    }
  }

  private async view(schedule: Schedule): Promise<ScheduleView> {
    const settings = (await this.state.load(this.prisma, [schedule.projectId])).get(
      schedule.projectId,
    );
    return this.toView(schedule, settings);
  }

  private toView(s: Schedule, settings: ProjectScheduleSettings | undefined): ScheduleView {
    const now = this.clock.now();
    const window = s.enabled ? windowAt(s, now) : null;
    const override = settings?.override ?? null;
    const state = settings?.state ?? null;
    return {
      id: s.id,
      projectId: s.projectId,
      daysOfWeek: s.daysOfWeek,
      startTime: s.startTime,
      durationMinutes: s.durationMinutes,
      timeZone: s.timeZone,
      enabled: s.enabled,
      pattern: startPattern(s),
      nextStart: s.enabled ? nextStart(s, now).toISOString() : null,
      nextStop: s.enabled ? (window ?? nextWindow(s, now)).end.toISOString() : null,
      activeWindow: window ? windowJson(window) : null,
      override: override && overrideHolds(override, now) ? override : null,
      lastAction:
        state?.scheduleId === s.id
          ? {
              window: { start: state.windowStart, end: state.windowEnd },
              outcome: state.outcome,
              detail: state.detail,
              restarts: state.restarts,
              retryAt: state.retryAt,
              at: state.at,
            }
          : null,
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
    };
  }
}

function edgeData(window: ScheduleWindow, outcome: string, detail?: string): ScheduleEventData {
  return {
    scheduleId: window.scheduleId,
    window: windowJson(window),
    outcome,
    ...(detail ? { detail } : {}),
  };
}

function isConflict(err: unknown): boolean {
  return err instanceof DomainError && err.kind === 'conflict';
}
