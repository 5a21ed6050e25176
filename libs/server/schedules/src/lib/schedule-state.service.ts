import { Schedule, ScheduleRepository, ScheduleStore } from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { LiveEvents } from '@autocoder/server-live-events';
import { JobName, ScheduleEventData, ScheduleEventType } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, CLOCK } from './clock';
import { sameWindow, ScheduleOverride, ScheduleState } from './schedule-policy';
import { activeWindowOf, nextStartOf, TimeWindow } from './schedule-window';

export interface ProjectScheduleSettings {
  state: ScheduleState | null;
  override: ScheduleOverride | null;
}

export const NO_SETTINGS: ProjectScheduleSettings = { state: null, override: null };

/** A window of one of the project's schedules. */
export type ScheduleWindow = TimeWindow & { scheduleId: string };

/** The window of `schedules` that holds `at`, if one does. */
export function scheduleWindowOf(schedules: readonly Schedule[], at: Date): ScheduleWindow | null {
  const w = activeWindowOf(schedules, at);
  return w ? { scheduleId: w.rule.id, start: w.start, end: w.end } : null;
}

/**
 * What the schedules did to each project and a person's override of them, kept in Setting (scope
 * `project:<id>`), and the per-project lock every change of them is made under. Shared by the
 * ScheduleReconciler (window edges, the control tick), ScheduleService (a schedule disabled or
 * deleted) and AgentControlService (a person's start or stop records an override).
 */
@Injectable()
export class ScheduleStateService {
  private readonly logger = new Logger(ScheduleStateService.name);

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Runs `fn` holding the project's schedule lock: edges, ticks and people acting on one project
   * from any api or runner replica take turns, and the second sees what the first wrote.
   */
  withLock<T>(projectId: string, fn: (store: ScheduleStore) => Promise<T>): Promise<T> {
    return this.schedules.withProjectLock(projectId, fn);
  }

  /** State and override per project, read through `store` (the lock's) or outside any lock. */
  async load(
    projectIds: string[],
    store: ScheduleStore = this.schedules,
  ): Promise<Map<string, ProjectScheduleSettings>> {
    const stored = await store.settings(projectIds);
    // The JSON was written by saveState/saveOverride below, in these shapes.
    return new Map(
      [...stored].map(([id, s]) => [
        id,
        {
          state: s.state as unknown as ScheduleState | null,
          override: s.override as unknown as ScheduleOverride | null,
        },
      ]),
    );
  }

  /** The project's state and override, under the lock of `store`. */
  async settingsOf(store: ScheduleStore, projectId: string): Promise<ProjectScheduleSettings> {
    return (await this.load([projectId], store)).get(projectId) ?? NO_SETTINGS;
  }

  /** The project's state, under the lock of `store`. */
  async stateOf(store: ScheduleStore, projectId: string): Promise<ScheduleState | null> {
    return (await this.settingsOf(store, projectId)).state;
  }

  /** queuedAt of the project's newest run, as state.runsAfter holds it. */
  async newestRunAt(store: ScheduleStore, projectId: string): Promise<string | null> {
    return (await store.newestRunAt(projectId))?.toISOString() ?? null;
  }

  /** A disabled or deleted schedule no longer stops agents it started: they are left running. */
  async release(projectId: string, scheduleId: string, why: string): Promise<void> {
    await this.withLock(projectId, async (store) => {
      const state = await this.stateOf(store, projectId);
      if (state?.scheduleId !== scheduleId || !state.owned) return;
      await store.saveState(projectId, {
        ...state,
        owned: false,
        outcome: 'released',
        detail: why,
        at: this.clock.now().toISOString(),
      } satisfies ScheduleState);
    });
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
    const result = await this.withLock(projectId, async (store) => {
      const schedules = await store.enabled(projectId);
      const state = await this.stateOf(store, projectId);
      const window = scheduleWindowOf(schedules, now);
      let override: ScheduleOverride | null = null;
      if (window) {
        override = { action, at: now.toISOString(), until: window.end.toISOString() };
        await store.saveState(projectId, {
          scheduleId: window.scheduleId,
          windowStart: window.start.toISOString(),
          windowEnd: window.end.toISOString(),
          owned: action === 'start',
          outcome: action === 'start' ? 'manual_start' : 'manual_stop',
          detail: null,
          runsAfter: action === 'start' ? await this.newestRunAt(store, projectId) : null,
          restarts: sameWindow(state, window) ? state.restarts : 0,
          retryAt: null,
          at: now.toISOString(),
        } satisfies ScheduleState);
      } else {
        const next = action === 'start' ? nextStartOf(schedules, now) : null;
        if (next) override = { action, at: now.toISOString(), until: next.toISOString() };
        if (state?.owned) {
          await store.saveState(projectId, { ...state, owned: false, at: now.toISOString() });
        }
      }
      await store.saveOverride(projectId, override);
      return { override, window };
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
}

export function windowJson(w: TimeWindow): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}

function overrideMessage(o: ScheduleOverride): string {
  return o.action === 'start'
    ? `started by a person: the schedules leave the agents alone until ${o.until}`
    : `stopped by a person: the schedules will not restart the agents before ${o.until}`;
}
