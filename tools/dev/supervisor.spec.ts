// The supervisor of `make dev` with real child processes: a crashing one comes back after growing
// delays while the others keep their process, a rebuild restarts at once, stop ends them all.
import type { ChildProcess } from 'node:child_process';
import { createSupervisor, nextDelay } from './supervisor.cjs';

interface SupervisorEvent {
  type: 'start' | 'exit' | 'restart-scheduled' | 'stopped';
  name: string;
  pid?: number;
  code?: number | null;
  delayMs?: number;
}

const node = process.execPath;
const FOREVER = 'setInterval(() => {}, 1000)';

async function waitFor(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('nextDelay', () => {
  const policy = { minDelayMs: 1000, maxDelayMs: 30_000, resetAfterMs: 60_000 };

  it('doubles with each quick crash up to the ceiling', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let i = 0; i < 7; i++) delays.push((delay = nextDelay(delay, 500, policy)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('starts over after a run that lasted the reset time', () => {
    expect(nextDelay(16_000, 59_999, policy)).toBe(30_000);
    expect(nextDelay(16_000, 60_000, policy)).toBe(1000);
  });
});

describe('createSupervisor', () => {
  let events: SupervisorEvent[];
  let logs: string[];
  let supervisor: ReturnType<typeof createSupervisor>;

  function make(settings: { resetAfterMs?: number } = {}) {
    events = [];
    logs = [];
    supervisor = createSupervisor({
      minDelayMs: 100,
      maxDelayMs: 400,
      resetAfterMs: settings.resetAfterMs ?? 10_000,
      stopTimeoutMs: 3000,
      log: (line: string) => logs.push(line),
      onEvent: (event: SupervisorEvent) => events.push(event),
    });
    return supervisor;
  }
  const of = (name: string, type: SupervisorEvent['type']) =>
    events.filter((e) => e.name === name && e.type === type);

  afterEach(() => supervisor.stop());

  it('restarts a crashing child with growing delays and leaves the others alone', async () => {
    make();
    const steady = supervisor.add('steady', { command: node, args: ['-e', FOREVER] });
    const steadyPid = steady.pid();
    supervisor.add('crasher', {
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(3), 10)'],
    });

    await waitFor(() => of('crasher', 'start').length >= 5, 'five starts of the crasher');
    expect(
      of('crasher', 'restart-scheduled')
        .slice(0, 4)
        .map((e) => e.delayMs),
    ).toEqual([100, 200, 400, 400]);
    expect(of('crasher', 'exit').every((e) => e.code === 3)).toBe(true);
    expect(logs[0]).toBe('crasher exited (code 3); restarting in 100 ms, the others keep running');
    // The steady one kept its one process throughout.
    expect(of('steady', 'start')).toHaveLength(1);
    expect(of('steady', 'exit')).toHaveLength(0);
    expect(steady.pid()).toBe(steadyPid);
    expect(alive(steadyPid)).toBe(true);
  });

  it('goes back to the shortest delay after a child stayed up long enough', async () => {
    make({ resetAfterMs: 150 });
    supervisor.add('slow-crasher', {
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(1), 300)'],
    });
    await waitFor(() => of('slow-crasher', 'restart-scheduled').length >= 3, 'three restarts');
    expect(of('slow-crasher', 'restart-scheduled').map((e) => e.delayMs)).toEqual(
      expect.arrayContaining([100, 100, 100]),
    );
    expect(of('slow-crasher', 'restart-scheduled').every((e) => e.delayMs === 100)).toBe(true);
  });

  it('restarts a running child at once when asked (a rebuild), without a backoff', async () => {
    make();
    const app = supervisor.add('app', { command: node, args: ['-e', FOREVER] });
    const first = app.pid();
    app.restart();
    await waitFor(() => of('app', 'start').length === 2, 'the second start');
    expect(app.pid()).not.toBe(first);
    expect(alive(first)).toBe(false);
    expect(of('app', 'restart-scheduled')).toHaveLength(0);
  });

  it('a restart during a crash backoff starts at once and resets the backoff', async () => {
    make();
    const crasher = supervisor.add('crasher', {
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(4), 10)'],
    });
    // Three crashes in, and waiting for the next start (the last event is the scheduled restart).
    await waitFor(
      () =>
        of('crasher', 'restart-scheduled').length >= 3 &&
        events[events.length - 1]?.type === 'restart-scheduled',
      'a backoff after three crashes',
    );
    const starts = of('crasher', 'start').length;
    crasher.restart();
    expect(of('crasher', 'start')).toHaveLength(starts + 1);
    await waitFor(() => of('crasher', 'restart-scheduled').length >= 4, 'the next crash');
    expect(of('crasher', 'restart-scheduled')[3]?.delayMs).toBe(100);
  });

  it('stops every child once, process groups included, and restarts nothing afterwards', async () => {
    make();
    const plain = supervisor.add('plain', { command: node, args: ['-e', FOREVER] });
    // Like `npx nx …`: the work runs in a grandchild, reached through the process group.
    let grandchild: number | undefined;
    supervisor.add('wrapper', {
      command: 'sh',
      args: ['-c', `"${node}" -e "${FOREVER}" & echo $!; wait`],
      group: true,
      onStart: (child: ChildProcess) =>
        child.stdout?.on('data', (chunk: Buffer) => (grandchild ??= Number(String(chunk).trim()))),
    });
    supervisor.add('crasher', { command: node, args: ['-e', 'process.exit(2)'] });
    await waitFor(() => grandchild !== undefined, 'the grandchild pid');
    await waitFor(() => of('crasher', 'restart-scheduled').length >= 1, 'a scheduled restart');
    const plainPid = plain.pid();

    await Promise.all([supervisor.stop(), supervisor.stop()]);

    expect(alive(plainPid)).toBe(false);
    await waitFor(() => !alive(grandchild), 'the grandchild to end', 3000);
    expect(of('plain', 'stopped')).toHaveLength(1);
    expect(of('wrapper', 'stopped')).toHaveLength(1);
    const startsAtStop = of('crasher', 'start').length;
    // The crasher's pending restart was cancelled: nothing starts within its longest delay.
    await new Promise((r) => setTimeout(r, 500));
    expect(of('crasher', 'start')).toHaveLength(startsAtStop);
  });
});
