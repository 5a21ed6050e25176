import {
  nextStep,
  restartDelayMs,
  ScheduleSnapshot,
  ScheduleState,
  RESTART_MAX_MS,
} from './schedule-policy';

const window = {
  scheduleId: 's1',
  start: new Date('2025-03-03T09:00:00Z'),
  end: new Date('2025-03-03T10:00:00Z'),
};
const state = (over: Partial<ScheduleState> = {}): ScheduleState => ({
  scheduleId: 's1',
  windowStart: '2025-03-03T09:00:00.000Z',
  windowEnd: '2025-03-03T10:00:00.000Z',
  owned: true,
  outcome: 'started',
  detail: null,
  runsAfter: null,
  restarts: 0,
  retryAt: null,
  at: '2025-03-03T09:00:00.000Z',
  ...over,
});
const snap = (over: Partial<ScheduleSnapshot>): ScheduleSnapshot => ({
  at: new Date('2025-03-03T09:30:00Z'),
  status: 'ready',
  window,
  state: null,
  override: null,
  ...over,
});

describe('schedule policy', () => {
  it('claims a window it has not acted on, unless the initializer is still writing', () => {
    expect(nextStep(snap({}))).toBe('claim');
    expect(nextStep(snap({ status: 'running' }))).toBe('claim');
    // A state of another window (last week's) does not count.
    expect(nextStep(snap({ state: state({ windowStart: '2025-02-24T09:00:00.000Z' }) }))).toBe(
      'claim',
    );
    expect(nextStep(snap({ status: 'initializing' }))).toBe('none');
  });

  it('does nothing while a person’s override holds, and acts again once it has passed', () => {
    const override = { action: 'stop' as const, at: '', until: '2025-03-03T10:00:00.000Z' };
    expect(nextStep(snap({ override }))).toBe('none');
    expect(nextStep(snap({ override, at: new Date('2025-03-03T10:00:00Z'), window: null }))).toBe(
      'none',
    );
    expect(
      nextStep(
        snap({
          override,
          at: new Date('2025-03-03T10:00:00Z'),
          window: null,
          state: state(),
          status: 'running',
        }),
      ),
    ).toBe('stop');
  });

  it('inside its window: leaves running agents alone, checks stopped ones', () => {
    expect(nextStep(snap({ state: state(), status: 'running' }))).toBe('none');
    expect(nextStep(snap({ state: state(), status: 'paused' }))).toBe('none');
    // Waiting for a person's answer is still the schedule's run: the answer resumes it.
    expect(nextStep(snap({ state: state(), status: 'waiting' }))).toBe('none');
    expect(nextStep(snap({ state: state(), status: 'ready' }))).toBe('check');
    expect(nextStep(snap({ state: state(), status: 'idle' }))).toBe('check');
    // Not in the schedule's charge (refused, finished, a person stopped them): nothing.
    expect(nextStep(snap({ state: state({ owned: false, outcome: 'refused' }) }))).toBe('none');
  });

  it('waits out a start in progress, then treats it as a crash', () => {
    const starting = state({ outcome: 'starting', at: '2025-03-03T09:29:30.000Z' });
    expect(nextStep(snap({ state: starting }))).toBe('none');
    expect(nextStep(snap({ state: starting, at: new Date('2025-03-03T09:30:30Z') }))).toBe('check');
  });

  it('restarts a crash once its time has come', () => {
    const crashed = state({ outcome: 'crashed', retryAt: '2025-03-03T09:31:00.000Z' });
    expect(nextStep(snap({ state: crashed }))).toBe('none');
    expect(nextStep(snap({ state: crashed, at: new Date('2025-03-03T09:31:00Z') }))).toBe(
      'restart',
    );
  });

  it('after every window: stops what it is in charge of, or just lets go', () => {
    const after = { window: null, at: new Date('2025-03-03T10:00:00Z') };
    expect(nextStep(snap({ ...after, state: state(), status: 'running' }))).toBe('stop');
    expect(nextStep(snap({ ...after, state: state(), status: 'paused' }))).toBe('stop');
    // Else an answer after the window would start the agents outside it.
    expect(nextStep(snap({ ...after, state: state(), status: 'waiting' }))).toBe('stop');
    expect(nextStep(snap({ ...after, state: state(), status: 'ready' }))).toBe('release');
    expect(nextStep(snap({ ...after, state: state({ owned: false }), status: 'running' }))).toBe(
      'none',
    );
    expect(nextStep(snap({ ...after, state: null, status: 'running' }))).toBe('none');
    const stopping = state({ outcome: 'stopping', at: '2025-03-03T09:59:50.000Z' });
    expect(nextStep(snap({ ...after, state: stopping, status: 'running' }))).toBe('none');
  });

  it('backs off 30 s, doubling, up to 15 min', () => {
    expect([0, 1, 2, 3, 4, 5].map(restartDelayMs)).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 900_000,
    ]);
    expect(restartDelayMs(20)).toBe(RESTART_MAX_MS);
  });
});
