// What a project's schedules should do next: a pure function of a snapshot (project status, the
// window holding now, what the schedules did last, a person's override), so the control tick can
// skip projects with nothing to do without taking their lock, and the same decision is taken
// again under the lock before anything is done.
import type { ProjectStatus } from '@autocoder/shared-contracts';
import type { TimeWindow } from './schedule-window';

/** See ScheduleActionView in the contracts. */
export type ScheduleOutcome =
  | 'starting'
  | 'started'
  | 'adopted'
  | 'refused'
  | 'crashed'
  | 'finished'
  | 'stopping'
  | 'stopped'
  | 'ended'
  | 'released'
  | 'manual_start'
  | 'manual_stop';

/** What the schedules last did to a project (Setting scope `project:<id>`, key schedule.state). */
export interface ScheduleState {
  /** The window acted on: the schedule and its start and end. */
  scheduleId: string;
  windowStart: string;
  windowEnd: string;
  /** The schedule is in charge of the running agents: it stops them when the window is over. */
  owned: boolean;
  outcome: ScheduleOutcome;
  detail: string | null;
  /**
   * Session runs queued after this instant (Postgres time: the newest run's queuedAt when the
   * agents were started) belong to that start; null: every run does.
   */
  runsAfter: string | null;
  /** Restarts after crashes inside this window. */
  restarts: number;
  /** When a crashed start is tried again. */
  retryAt: string | null;
  /** When this was written (engine clock). */
  at: string;
}

/**
 * A person's start or stop through the agents API (Setting key schedule.override): the
 * schedules leave the project alone until `until`.
 */
export interface ScheduleOverride {
  action: 'start' | 'stop';
  at: string;
  until: string;
}

export interface ScheduleSnapshot {
  at: Date;
  status: ProjectStatus;
  /** The window holding `at` among the project's enabled schedules (the longest), or null. */
  window: (TimeWindow & { scheduleId: string }) | null;
  state: ScheduleState | null;
  override: ScheduleOverride | null;
}

/**
 * - claim: a window the schedules have not acted on: start the agents, or adopt them when they
 *   run already (they stop at the window's end either way);
 * - check: the schedule's agents stopped inside their window: a crash (restart later) or done;
 * - restart: a crash's backoff has passed;
 * - stop: every window is over and the schedule's agents still run;
 * - release: every window is over and its agents stopped already.
 */
export type ScheduleStep = 'none' | 'claim' | 'check' | 'restart' | 'stop' | 'release';

/** First restart 30 s after a crash, doubling per restart in the window, at most 15 min. */
export const RESTART_BASE_MS = 30_000;
export const RESTART_MAX_MS = 15 * 60_000;

/**
 * A start or stop still in progress elsewhere (its state written, the action not yet done) is
 * not second-guessed for this long; after it, a start that never happened counts as a crash
 * and a stop is tried again.
 */
export const ACTION_GRACE_MS = 60_000;

export function restartDelayMs(restartsSoFar: number): number {
  return Math.min(RESTART_BASE_MS * 2 ** Math.max(0, restartsSoFar), RESTART_MAX_MS);
}

/**
 * The agents are started: running, paused, or waiting for a person's answer (which resumes them
 * by itself, so a window's end must still stop them).
 */
export function isActive(status: ProjectStatus): boolean {
  return status === 'running' || status === 'paused' || status === 'waiting';
}

export function overrideHolds(override: ScheduleOverride | null, at: Date): boolean {
  return override !== null && Date.parse(override.until) > at.getTime();
}

export function sameWindow(
  state: ScheduleState | null,
  window: { scheduleId: string; start: Date },
): state is ScheduleState {
  return (
    state !== null &&
    state.scheduleId === window.scheduleId &&
    state.windowStart === window.start.toISOString()
  );
}

export function nextStep(s: ScheduleSnapshot): ScheduleStep {
  const t = s.at.getTime();
  if (overrideHolds(s.override, s.at)) return 'none';
  const { state } = s;
  const recent = (st: ScheduleState) => t - Date.parse(st.at) < ACTION_GRACE_MS;
  if (s.window) {
    // While the initializer writes the backlog a start would be refused: wait for it.
    if (s.status === 'initializing') return 'none';
    if (!sameWindow(state, s.window)) return 'claim';
    if (!state.owned || isActive(s.status)) return 'none';
    if (state.outcome === 'starting' && recent(state)) return 'none';
    if (state.outcome === 'crashed') {
      return state.retryAt !== null && Date.parse(state.retryAt) <= t ? 'restart' : 'none';
    }
    return 'check';
  }
  if (!state?.owned) return 'none';
  if (!isActive(s.status)) return 'release';
  if (state.outcome === 'stopping' && recent(state)) return 'none';
  return 'stop';
}
