import { ScheduleRepository, ScheduleStore } from '@autocoder/server-db';
import { DomainError, ScheduleEdgeJob, ScheduleEventData } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentControlService } from './agent-control.service';
import {
  Clock,
  CLOCK,
  ScheduleJobSchedulers,
  isActive,
  nextStep,
  overrideHolds,
  restartDelayMs,
  sameWindow,
  ScheduleSnapshot,
  ScheduleState,
  ScheduleStep,
  ScheduleStateService,
  ScheduleWindow,
  windowJson,
  NO_SETTINGS,
  scheduleWindowOf,
} from '@autocoder/server-schedules';

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
/**
 * What the windows say against the project's state. Every enabled schedule's job scheduler fires
 * its start edge; a window, once acted on, gets a delayed end-edge job. Both edges, and the
 * control tick for every project with schedules, call one idempotent reconciliation under a
 * per-project lock: inside a window the agents run (started, or adopted when already running),
 * after every window the agents the schedules are in charge of stop, a crash inside a window is
 * restarted with backoff, and a person's start or stop through the agents API overrides the
 * schedules until the window ends. The edges only make it prompt: a lost edge is caught up by the
 * next tick. The decisions themselves are schedule-policy's; this carries them out.
 */
@Injectable()
export class ScheduleReconciler {
  private readonly logger = new Logger(ScheduleReconciler.name);

  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly control: AgentControlService,
    private readonly jobSchedulers: ScheduleJobSchedulers,
    private readonly state: ScheduleStateService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A schedule edge job (runner, control queue). */
  async onEdge(job: ScheduleEdgeJob): Promise<{ step: ScheduleStep; reason?: string }> {
    if (job.edge === 'end') {
      // Judged at the window's end even if the job runs a moment early (another host's clock).
      const now = this.clock.now();
      const end = new Date(job.windowEnd);
      return { step: await this.reconcileProject(job.projectId, now < end ? end : now) };
    }
    const schedule = await this.schedules.findById(job.scheduleId);
    if (!schedule || !schedule.enabled) {
      // Left behind (its project was deleted, or a failed commit): nothing should fire it again.
      await this.jobSchedulers.removeLeftover(job.scheduleId);
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
    const schedules = await this.schedules.enabled();
    const ids = [
      ...new Set([
        ...schedules.map((s) => s.projectId),
        ...(await this.schedules.ownedProjectIds()),
      ]),
    ];
    if (ids.length === 0) return { projects: 0, acted: 0 };
    const [status, settings] = await Promise.all([
      this.schedules.projectStatuses(ids),
      this.state.load(ids),
    ]);
    let acted = 0;
    for (const id of ids) {
      const projectStatus = status.get(id);
      const snapshot = projectStatus && {
        at,
        status: projectStatus,
        window: scheduleWindowOf(
          schedules.filter((s) => s.projectId === id),
          at,
        ),
        ...(settings.get(id) ?? NO_SETTINGS),
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
    const plan = await this.state.withLock(projectId, (store) => this.decide(store, projectId, at));
    if (!plan) return 'none';
    await this.carryOut(projectId, plan, at);
    return plan.step;
  }

  private async decide(store: ScheduleStore, projectId: string, at: Date): Promise<Plan | null> {
    const status = await store.projectStatus(projectId);
    const { state, override } = await this.state.settingsOf(store, projectId);
    if (!status) {
      // The project is gone (its schedules went with it): forget what was kept for it.
      await store.forgetProject(projectId);
      return null;
    }
    if (override && !overrideHolds(override, at)) await store.saveOverride(projectId, null);
    const window = scheduleWindowOf(await store.enabled(projectId), at);
    const snapshot: ScheduleSnapshot = { at, status, window, state, override };
    const step = nextStep(snapshot);
    const now = at.toISOString();
    const save = (next: ScheduleState) => store.saveState(projectId, next);
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
          runsAfter: await this.state.newestRunAt(store, projectId),
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
          runsAfter: await this.state.newestRunAt(store, projectId),
          at: now,
        });
        return { kind: 'start', step, window, restarts };
      }
      case 'check': {
        if (!window || !state) return null;
        const crash = await this.crashOf(store, projectId, state);
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
    store: ScheduleStore,
    projectId: string,
    state: ScheduleState,
  ): Promise<string | null> {
    if (state.outcome === 'starting') return 'the start did not complete';
    const last = await store.lastFinishedSessionRun(
      projectId,
      state.runsAfter ? new Date(state.runsAfter) : null,
    );
    if (!last || (last.status !== 'failed' && last.status !== 'stuck')) return null;
    return `run ${last.id} ${last.status}${last.error ? `: ${last.error}` : ''}`;
  }

  private async carryOut(projectId: string, plan: Plan, at: Date): Promise<void> {
    switch (plan.kind) {
      case 'start':
        return this.start(projectId, plan, at);
      case 'adopted':
        await this.edge(
          projectId,
          plan.window,
          'info',
          `window until ${plan.window.end.toISOString()}: the running agents stop when it ends`,
          'adopted',
        );
        return this.state.enqueueEnd(projectId, plan.window);
      case 'crashed':
        return this.edge(
          projectId,
          plan.window,
          'warn',
          `the agents stopped inside their window (${plan.detail}); restarting at ${plan.retryAt.toISOString()}`,
          'crashed',
          plan.detail,
        );
      case 'finished':
        return this.edge(projectId, plan.window, 'info', plan.detail, 'finished');
      case 'ended':
        return this.edge(projectId, plan.window, 'info', 'window ended', 'ended');
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
        return this.edge(projectId, plan.window, 'info', 'window ended: agents stopped', 'stopped');
    }
  }

  private async start(
    projectId: string,
    plan: Extract<Plan, { kind: 'start' }>,
    at: Date,
  ): Promise<void> {
    const until = plan.window.end.toISOString();
    try {
      await this.control.start(projectId, {}, undefined, 'schedule');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (isConflict(err)) {
        const status = await this.schedules.projectStatus(projectId);
        if (status && isActive(status)) {
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
        await this.edge(
          projectId,
          plan.window,
          'warn',
          `the schedule could not start the agents: ${message}`,
          'refused',
          message,
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
      await this.edge(
        projectId,
        plan.window,
        'warn',
        `the schedule could not start the agents (${message}); trying again at ${retryAt.toISOString()}`,
        'crashed',
        message,
      );
      return;
    }
    await this.settle(projectId, plan.window, 'starting', {
      outcome: 'started',
      detail: plan.restarts > 0 ? `restart ${plan.restarts} after a crash` : null,
    });
    await this.edge(
      projectId,
      plan.window,
      'info',
      plan.restarts > 0
        ? `agents restarted by the schedule (restart ${plan.restarts}) until ${until}`
        : `agents started by the schedule until ${until}`,
      'started',
    );
    await this.state.enqueueEnd(projectId, plan.window);
  }

  /** Tells the project's live feed what a window edge did. */
  private edge(
    projectId: string,
    window: ScheduleWindow,
    level: 'info' | 'warn',
    message: string,
    outcome: string,
    detail?: string,
  ): Promise<void> {
    const data: ScheduleEventData = {
      scheduleId: window.scheduleId,
      window: windowJson(window),
      outcome,
      ...(detail ? { detail } : {}),
    };
    return this.state.announce(projectId, 'schedule.edge', level, message, data);
  }

  /** Records an action's result, if the state still describes that action (under the lock). */
  private async settle(
    projectId: string,
    window: ScheduleWindow,
    expected: ScheduleState['outcome'],
    change: Partial<ScheduleState>,
  ): Promise<void> {
    await this.state.withLock(projectId, async (store) => {
      const state = await this.state.stateOf(store, projectId);
      if (!sameWindow(state, window) || state.outcome !== expected) return;
      await store.saveState(projectId, {
        ...state,
        ...change,
        at: this.clock.now().toISOString(),
      });
    });
  }
}

function isConflict(err: unknown): boolean {
  return err instanceof DomainError && err.kind === 'conflict';
}
