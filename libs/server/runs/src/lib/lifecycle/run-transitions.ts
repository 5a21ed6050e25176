import { RunStatus } from '@autocoder/shared-contracts';
import { TransitionTable } from './transition-table';

/** A run is created queued (the column's default) and moves only by these events. */
export type RunEvent =
  | 'start'
  | 'requeue'
  | 'succeed'
  | 'fail'
  | 'cancel'
  | 'exceed_budget'
  | 'get_stuck';

export const RUN_TRANSITIONS = {
  // From running too: a stalled job is redelivered to another runner while its run says running.
  start: { from: ['queued', 'running'], to: 'running' },
  // A retry, a provider's rate limit or a runner shutting down: back to the queue.
  requeue: { from: ['queued', 'running'], to: 'queued' },
  succeed: { from: ['running'], to: 'succeeded' },
  // From queued: its job could not be enqueued, or vanished before a runner took it.
  fail: { from: ['queued', 'running'], to: 'failed' },
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
  exceed_budget: { from: ['running'], to: 'budget_exceeded' },
  get_stuck: { from: ['running'], to: 'stuck' },
} as const satisfies TransitionTable<RunStatus, RunEvent>;

/** The statuses a run ends in, and the event that ends it there. */
export type FinalRunStatus = Exclude<RunStatus, 'queued' | 'running'>;

export const FINISH_EVENT: { readonly [S in FinalRunStatus]: RunEvent } = {
  succeeded: 'succeed',
  failed: 'fail',
  cancelled: 'cancel',
  budget_exceeded: 'exceed_budget',
  stuck: 'get_stuck',
};
