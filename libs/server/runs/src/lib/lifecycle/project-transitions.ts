import { ProjectStatus } from '@autocoder/shared-contracts';
import { TransitionTable } from './transition-table';

/** The project's agent state: created idle (the column's default), moved only by these events. */
export type ProjectEvent =
  | 'initialize'
  | 'initialized'
  | 'initialize_failed'
  | 'start'
  | 'pause'
  | 'resume'
  | 'wake'
  | 'stop'
  | 'finish'
  | 'await_answers'
  | 'budget_spent';

export const PROJECT_TRANSITIONS = {
  // The initializer only fills an empty backlog, so agents cannot be under way.
  initialize: { from: ['idle', 'ready'], to: 'initializing' },
  initialized: { from: ['initializing'], to: 'ready' },
  initialize_failed: { from: ['initializing'], to: 'idle' },
  start: { from: ['idle', 'ready', 'paused', 'waiting'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  // A person answered the question the agents stopped for.
  wake: { from: ['waiting'], to: 'running' },
  stop: { from: ['running', 'paused', 'waiting'], to: 'ready' },
  // The dispatcher found nothing ready and nothing in flight.
  finish: { from: ['running'], to: 'ready' },
  await_answers: { from: ['running'], to: 'waiting' },
  budget_spent: { from: ['running'], to: 'idle' },
} as const satisfies TransitionTable<ProjectStatus, ProjectEvent>;
