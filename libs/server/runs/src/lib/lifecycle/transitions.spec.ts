// The transition tables against the lifecycle written out by hand: every legal move, and that
// nothing else is legal (the tables cannot grow a transition without this list growing too).
import { PROJECT_STATUSES, RUN_STATUSES } from '@autocoder/shared-contracts';
import { PROJECT_TRANSITIONS, ProjectEvent } from './project-transitions';
import { FINISH_EVENT, RUN_TRANSITIONS, RunEvent } from './run-transitions';
import { nextState, TransitionTable } from './transition-table';

/** Every (event, from) pair the table allows, as "event: from → to". */
function legalMoves<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  states: readonly S[],
): string[] {
  const moves: string[] = [];
  for (const event of Object.keys(table) as E[]) {
    for (const from of states) {
      const to = nextState(table, event, from);
      if (to !== null) moves.push(`${event}: ${from} → ${to}`);
    }
  }
  return moves.sort();
}

describe('run transitions', () => {
  const legal = [
    'start: queued → running',
    'start: running → running',
    'requeue: queued → queued',
    'requeue: running → queued',
    'succeed: running → succeeded',
    'fail: queued → failed',
    'fail: running → failed',
    'cancel: queued → cancelled',
    'cancel: running → cancelled',
    'exceed_budget: running → budget_exceeded',
    'get_stuck: running → stuck',
  ];

  it('allows exactly the legal moves', () => {
    expect(legalMoves(RUN_TRANSITIONS, RUN_STATUSES)).toEqual([...legal].sort());
  });

  it.each<[RunEvent, (typeof RUN_STATUSES)[number]]>([
    ['start', 'succeeded'],
    ['start', 'cancelled'],
    ['requeue', 'cancelled'],
    ['requeue', 'failed'],
    ['succeed', 'queued'],
    ['succeed', 'cancelled'],
    ['fail', 'succeeded'],
    ['cancel', 'failed'],
    ['exceed_budget', 'queued'],
    ['get_stuck', 'stuck'],
  ])('refuses %s from %s', (event, from) => {
    expect(nextState(RUN_TRANSITIONS, event, from)).toBeNull();
  });

  it('a finished run never moves again', () => {
    const finished = RUN_STATUSES.filter((s) => s !== 'queued' && s !== 'running');
    for (const event of Object.keys(RUN_TRANSITIONS) as RunEvent[]) {
      for (const from of finished) expect(nextState(RUN_TRANSITIONS, event, from)).toBeNull();
    }
  });

  it('each final status has the event that ends a run there', () => {
    for (const [status, event] of Object.entries(FINISH_EVENT)) {
      expect(RUN_TRANSITIONS[event].to).toBe(status);
    }
  });
});

describe('project transitions', () => {
  const legal = [
    'initialize: idle → initializing',
    'initialize: ready → initializing',
    'initialized: initializing → ready',
    'initialize_failed: initializing → idle',
    'start: idle → running',
    'start: ready → running',
    'start: paused → running',
    'start: waiting → running',
    'pause: running → paused',
    'resume: paused → running',
    'wake: waiting → running',
    'stop: running → ready',
    'stop: paused → ready',
    'stop: waiting → ready',
    'finish: running → ready',
    'await_answers: running → waiting',
    'budget_spent: running → idle',
  ];

  it('allows exactly the legal moves', () => {
    expect(legalMoves(PROJECT_TRANSITIONS, PROJECT_STATUSES)).toEqual([...legal].sort());
  });

  it.each<[ProjectEvent, (typeof PROJECT_STATUSES)[number]]>([
    ['start', 'initializing'],
    ['start', 'running'],
    ['initialize', 'running'],
    ['initialize', 'initializing'],
    ['pause', 'paused'],
    ['resume', 'running'],
    ['wake', 'paused'],
    ['stop', 'idle'],
    ['stop', 'initializing'],
    ['finish', 'paused'],
    ['await_answers', 'waiting'],
    ['budget_spent', 'paused'],
    ['initialized', 'running'],
  ])('refuses %s from %s', (event, from) => {
    expect(nextState(PROJECT_TRANSITIONS, event, from)).toBeNull();
  });
});
