import { StatusCounts } from '@autocoder/shared-contracts';
import { projectActivity, ProjectActivityInput } from './project-activity';
import { emptyCounts } from './views';

const counts = (c: Partial<StatusCounts>): StatusCounts => ({ ...emptyCounts(), ...c });

const base: ProjectActivityInput = {
  status: 'ready',
  counts: counts({ pending: 3, passing: 1 }),
  concurrency: 3,
  budgetUsd: null,
  spentUsd: 0,
  codingSessions: 0,
  testingSessions: 0,
};
const activity = (over: Partial<ProjectActivityInput>) => projectActivity({ ...base, ...over });

describe('projectActivity', () => {
  it('is empty without features while nothing writes them', () => {
    const a = activity({ status: 'idle', counts: emptyCounts() });
    expect(a.state).toBe('empty');
    expect(a.summary).toBe('No backlog yet: start the initializer to write it');
  });

  it('is initializing while the initializer writes the backlog, even once features appear', () => {
    expect(activity({ status: 'initializing', counts: emptyCounts() }).state).toBe('initializing');
    const a = activity({ status: 'initializing', counts: counts({ pending: 5 }) });
    expect(a.state).toBe('initializing');
    expect(a.summary).toBe('The initializer is writing the backlog');
  });

  it('is ready with a backlog and no agents, saying what is left', () => {
    const a = activity({ status: 'ready' });
    expect(a).toEqual({
      state: 'ready',
      codingSessions: 0,
      testingSessions: 0,
      maxSessions: 3,
      questions: 0,
      summary: 'Ready: 3 of 4 features left',
    });
    expect(activity({ status: 'idle' }).state).toBe('ready');
  });

  it('is running with the sessions in flight against the concurrency', () => {
    const a = activity({ status: 'running', codingSessions: 2, testingSessions: 1 });
    expect(a.state).toBe('running');
    expect(a.summary).toBe('Running 2 of 3 coding sessions (+1 testing)');
    expect([a.codingSessions, a.testingSessions, a.maxSessions]).toEqual([2, 1, 3]);
    expect(activity({ status: 'running', codingSessions: 1, concurrency: 1 }).summary).toBe(
      'Running 1 of 1 coding session',
    );
  });

  it('is paused, saying whether sessions are still finishing', () => {
    expect(activity({ status: 'paused', codingSessions: 2 }).summary).toBe(
      'Paused: 2 sessions finishing, no new ones start',
    );
    const idle = activity({ status: 'paused' });
    expect(idle.state).toBe('paused');
    expect(idle.summary).toBe('Paused: no sessions start until resumed');
  });

  it('is waiting for the questions agents asked', () => {
    const a = activity({ status: 'waiting', counts: counts({ pending: 1, needs_input: 2 }) });
    expect(a.state).toBe('waiting');
    expect(a.questions).toBe(2);
    expect(a.summary).toBe('Waiting for your answer to 2 questions');
    expect(activity({ status: 'waiting', counts: counts({ needs_input: 1 }) }).summary).toBe(
      'Waiting for your answer to 1 question',
    );
  });

  it('counts questions on a ready project too', () => {
    const a = activity({ counts: counts({ pending: 1, needs_input: 1 }) });
    expect(a.questions).toBe(1);
    expect(a.summary).toBe('Ready: 2 of 2 features left, 1 question to answer');
  });

  it('is budget once the spend reaches the budget, whatever the status', () => {
    for (const status of ['idle', 'running', 'paused'] as const) {
      const a = activity({ status, budgetUsd: 5, spentUsd: 5 });
      expect(a.state).toBe('budget');
      expect(a.summary).toBe('Budget of $5.00 spent — raise it to go on');
    }
    expect(activity({ budgetUsd: 5, spentUsd: 4.99 }).state).toBe('ready');
    expect(activity({ budgetUsd: null, spentUsd: 1000 }).state).toBe('ready');
  });

  it('is done when every feature passes', () => {
    const a = activity({ counts: counts({ passing: 4 }), budgetUsd: 1, spentUsd: 2 });
    expect(a.state).toBe('done');
    expect(a.summary).toBe('Done: all 4 features pass');
  });
});
