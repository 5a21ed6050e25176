import { Prisma, PrismaService, Schedule } from '@autocoder/server-db';
import { JobQueueService, LiveEvents } from '@autocoder/server-queue';
import { JobName, ScheduleEventData, ScheduleEventType } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, CLOCK } from './clock';
import { ScheduleOverride, ScheduleState } from './schedule-policy';
import { activeWindowOf, nextStartOf, TimeWindow } from './schedule-window';

export const SCHEDULE_STATE_KEY = 'schedule.state';
export const SCHEDULE_OVERRIDE_KEY = 'schedule.override';

/** The Setting scope of a project. */
export function projectScope(projectId: string): string {
  return `project:${projectId}`;
}

export interface ProjectScheduleSettings {
  state: ScheduleState | null;
  override: ScheduleOverride | null;
}

type Db = Prisma.TransactionClient | PrismaService;

/** A window of one of the project's schedules. */
export type ScheduleWindow = TimeWindow & { scheduleId: string };

/**
 * What the schedules did to each project and a person's override of them, kept in Setting (scope
 * `project:<id>`), and the per-project lock every change of them is made under. Shared by the
 * ScheduleService (window edges, the control tick) and AgentControlService (a person's start or
 * stop records an override).
 */
@Injectable()
export class ScheduleStateService {
  private readonly logger = new Logger(ScheduleStateService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Runs `fn` in a transaction holding the project's schedule lock (a transaction-scoped
   * advisory lock, as the dispatcher's): edges, ticks and people acting on one project from any
   * api or runner replica take turns, and the second sees what the first wrote.
   */
  withLock<T>(projectId: string, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`schedule:${projectId}`}, 0))`;
      return fn(tx);
    });
  }

  async load(db: Db, projectIds: string[]): Promise<Map<string, ProjectScheduleSettings>> {
    const rows = await db.setting.findMany({
      where: {
        scope: { in: projectIds.map(projectScope) },
        key: { in: [SCHEDULE_STATE_KEY, SCHEDULE_OVERRIDE_KEY] },
      },
    });
    const out = new Map<string, ProjectScheduleSettings>(
      projectIds.map((id) => [id, { state: null, override: null }]),
    );
    for (const row of rows) {
      const entry = out.get(row.scope.slice('project:'.length));
      if (!entry) continue;
      if (row.key === SCHEDULE_STATE_KEY) entry.state = row.value as unknown as ScheduleState;
      else entry.override = row.value as unknown as ScheduleOverride;
    }
    return out;
  }

  /** Projects whose agents the schedules are in charge of (to stop them after a window). */
  async ownedProjectIds(): Promise<string[]> {
    const rows = await this.prisma.setting.findMany({
      where: { key: SCHEDULE_STATE_KEY, value: { path: ['owned'], equals: true } },
      select: { scope: true },
    });
    return rows.map((r) => r.scope.slice('project:'.length));
  }

  async saveState(tx: Db, projectId: string, state: ScheduleState): Promise<void> {
    await this.put(tx, projectId, SCHEDULE_STATE_KEY, state);
  }

  async saveOverride(tx: Db, projectId: string, override: ScheduleOverride | null): Promise<void> {
    if (override) await this.put(tx, projectId, SCHEDULE_OVERRIDE_KEY, override);
    else {
      await tx.setting.deleteMany({
        where: { scope: projectScope(projectId), key: SCHEDULE_OVERRIDE_KEY },
      });
    }
  }

  /** Enabled schedules of a project. */
  enabledSchedules(db: Db, projectId: string): Promise<Schedule[]> {
    return db.schedule.findMany({ where: { projectId, enabled: true } });
  }

  /** queuedAt of the project's newest run (Postgres time), or null. */
  async newestRunAt(db: Db, projectId: string): Promise<string | null> {
    const run = await db.run.findFirst({
      where: { projectId },
      orderBy: { queuedAt: 'desc' },
      select: { queuedAt: true },
    });
    return run?.queuedAt.toISOString() ?? null;
  }

  /**
   * A person started or stopped the agents (AgentControlService, source manual). With enabled
   * schedules, that overrides them until the window holding now ends; a start outside every
   * window holds until the next window starts (which then takes the running agents over). A stop
   * outside every window overrides nothing (nothing would start before the next window) and
   * clears an earlier override. A start inside a window leaves the agents in the window's charge:
   * they stop when it ends, as if the schedule had started them; a stop takes them out of it.
   */
  async recordManual(
    projectId: string,
    action: 'start' | 'stop',
  ): Promise<ScheduleOverride | null> {
    const now = this.clock.now();
    const result = await this.withLock(projectId, async (tx) => {
      const schedules = await this.enabledSchedules(tx, projectId);
      const { state } = (await this.load(tx, [projectId])).get(projectId) ?? { state: null };
      const window = activeWindowOf(schedules, now);
      let override: ScheduleOverride | null = null;
      if (window) {
        override = { action, at: now.toISOString(), until: window.end.toISOString() };
        const same =
          state?.scheduleId === window.rule.id && state.windowStart === window.start.toISOString();
        await this.saveState(tx, projectId, {
          scheduleId: window.rule.id,
          windowStart: window.start.toISOString(),
          windowEnd: window.end.toISOString(),
          owned: action === 'start',
          outcome: action === 'start' ? 'manual_start' : 'manual_stop',
          detail: null,
          runsAfter: action === 'start' ? await this.newestRunAt(tx, projectId) : null,
          restarts: same ? state.restarts : 0,
          retryAt: null,
          at: now.toISOString(),
        });
      } else {
        const next = action === 'start' ? nextStartOf(schedules, now) : null;
        if (next) override = { action, at: now.toISOString(), until: next.toISOString() };
        if (state?.owned) {
          await this.saveState(tx, projectId, { ...state, owned: false, at: now.toISOString() });
        }
      }
      await this.saveOverride(tx, projectId, override);
      return {
        override,
        window: window
          ? { scheduleId: window.rule.id, start: window.start, end: window.end }
          : null,
      };
    });
    if (result.override) {
      await this.announce(
        projectId,
        'schedule.override',
        'info',
        overrideMessage(result.override),
        {
          scheduleId: result.window?.scheduleId ?? null,
          window: result.window ? windowJson(result.window) : null,
          outcome: result.override.action,
          until: result.override.until,
        },
      );
    }
    if (result.window && action === 'start') await this.enqueueEnd(projectId, result.window);
    return result.override;
  }

  /**
   * The end edge of a window: a job delayed until the window's end, its id made of the window so
   * enqueuing it again (edge and tick, several replicas) adds nothing.
   */
  async enqueueEnd(projectId: string, window: ScheduleWindow): Promise<void> {
    const delay = Math.max(0, window.end.getTime() - this.clock.now().getTime());
    try {
      await this.queue.enqueue(
        {
          name: JobName.ScheduleEdge,
          data: {
            edge: 'end',
            scheduleId: window.scheduleId,
            projectId,
            windowStart: window.start.toISOString(),
            windowEnd: window.end.toISOString(),
          },
        },
        { delay },
      );
    } catch (err) {
      // The control tick stops the agents after the window anyway, a tick later.
      this.logger.warn(`end of window not enqueued for project ${projectId}: ${String(err)}`);
    }
  }

  async announce(
    projectId: string,
    type: ScheduleEventType,
    level: 'info' | 'warn',
    message: string,
    data: ScheduleEventData,
  ): Promise<void> {
    await this.live.publish({
      projectId,
      type,
      level,
      message,
      data,
      at: this.clock.now().toISOString(),
    });
  }

  private async put(tx: Db, projectId: string, key: string, value: object): Promise<void> {
    const json = value as unknown as Prisma.InputJsonValue;
    await tx.setting.upsert({
      where: { scope_key: { scope: projectScope(projectId), key } },
      create: { scope: projectScope(projectId), key, value: json },
      update: { value: json },
    });
  }
}

export function windowJson(w: TimeWindow): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}

function overrideMessage(o: ScheduleOverride): string {
  return o.action === 'start'
    ? `started by a person: the schedules leave the agents alone until ${o.until}`
    : `stopped by a person: the schedules will not restart the agents before ${o.until}`;
}
