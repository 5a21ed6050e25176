// What a project's agents are doing, in one word and one sentence: a pure function of what the
// projects service reads in grouped queries, so every screen (list, header, agents API) says
// the same and each state is tested without a database.
import {
  ProjectActivityState,
  ProjectActivityView,
  ProjectView,
} from '@autocoder/shared-contracts';

/** A project's state, its concurrency (coding sessions at once), and its runs queued or running. */
export type ProjectActivityInput = Pick<
  ProjectView,
  'status' | 'counts' | 'concurrency' | 'budgetUsd' | 'spentUsd'
> &
  Pick<ProjectActivityView, 'codingSessions' | 'testingSessions'>;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function stateOf(input: ProjectActivityInput, total: number): ProjectActivityState {
  if (input.status === 'initializing') return 'initializing';
  if (total === 0) return 'empty';
  if (input.counts.passing === total) return 'done';
  // Before running/paused: a spent budget is why nothing new starts, and the way out differs.
  if (input.budgetUsd !== null && input.spentUsd >= input.budgetUsd) return 'budget';
  if (input.status === 'running') return 'running';
  if (input.status === 'paused') return 'paused';
  if (input.status === 'waiting') return 'waiting';
  return 'ready';
}

function summaryOf(
  state: ProjectActivityState,
  input: ProjectActivityInput,
  total: number,
): string {
  const questions = input.counts.needs_input;
  const left = total - input.counts.passing;
  const sessions = input.codingSessions + input.testingSessions;
  switch (state) {
    case 'empty':
      return 'No backlog yet: start the initializer to write it';
    case 'initializing':
      return 'The initializer is writing the backlog';
    case 'done':
      return `Done: all ${plural(total, 'feature')} pass`;
    case 'budget':
      return `Budget of $${(input.budgetUsd ?? 0).toFixed(2)} spent — raise it to go on`;
    case 'running': {
      const testing = input.testingSessions > 0 ? ` (+${input.testingSessions} testing)` : '';
      return `Running ${input.codingSessions} of ${plural(input.concurrency, 'coding session')}${testing}`;
    }
    case 'paused':
      return sessions > 0
        ? `Paused: ${plural(sessions, 'session')} finishing, no new ones start`
        : 'Paused: no sessions start until resumed';
    case 'waiting':
      return `Waiting for your answer to ${plural(questions, 'question')}`;
    case 'ready':
      return questions > 0
        ? `Ready: ${left} of ${plural(total, 'feature')} left, ${plural(questions, 'question')} to answer`
        : `Ready: ${left} of ${plural(total, 'feature')} left`;
  }
}

export function projectActivity(input: ProjectActivityInput): ProjectActivityView {
  const total = Object.values(input.counts).reduce((sum, n) => sum + n, 0);
  const state = stateOf(input, total);
  return {
    state,
    codingSessions: input.codingSessions,
    testingSessions: input.testingSessions,
    maxSessions: input.concurrency,
    questions: input.counts.needs_input,
    summary: summaryOf(state, input, total),
  };
}
