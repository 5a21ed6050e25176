// SIGTERM on a runner: it stops taking jobs, lets a running session finish within the grace
// period, or releases it to another runner (without spending an attempt) when the period ends.
import { waitFor } from '@autocoder/server-test-support';
import { ApiClient } from './support/api-client';
import { startStack, Stack } from './support/stack';

describe('runner shutdown', () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({ runners: 0 });
    api = new ApiClient(stack.apiUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('finishes the current session within the grace period, then exits 0', async () => {
    const runner = await stack.startRunner({ SHUTDOWN_GRACE_MS: '15000' });
    const project = await api.createProject('Graceful', '[scenario:slow] Slow model.');
    await waitFor(
      'the session to start',
      async () => (await api.onlyRun(project.id)).status === 'running',
      { timeoutMs: 60_000 },
    );

    await runner.stop('SIGTERM', 30_000);
    expect(runner.exit).toEqual({ code: 0, signal: null });
    const run = await api.finishedRun(project.id, 5_000);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(runner.output().join('\n')).toMatch(/SIGTERM received: shutting down/);
    expect(runner.output().join('\n')).toMatch(/no new sessions; 1 running/);
  });

  it('releases a session still running when the grace period ends; another runner completes it', async () => {
    const first = await stack.startRunner({ SHUTDOWN_GRACE_MS: '500' });
    const project = await api.createProject('Released', '[scenario:slow] Slow model again.');
    await waitFor(
      'the session to start',
      async () => (await api.onlyRun(project.id)).status === 'running',
      { timeoutMs: 60_000 },
    );

    await first.stop('SIGTERM', 30_000);
    expect(first.exit?.code).toBe(0);
    expect(first.output().join('\n')).toMatch(/releasing 1 session/);
    const released = await api.onlyRun(project.id);
    expect(released.status).toBe('queued');

    const second = await stack.startRunner();
    const run = await api.finishedRun(project.id, 30_000);
    expect(run.status).toBe('succeeded');
    expect(run.attempt).toBe(1);
    const starts = run.events
      .filter((e) => e.type === 'run.started')
      .map((e) => (e.data as { runner: string }).runner);
    expect(starts).toHaveLength(2);
    expect(starts[0]).not.toBe(starts[1]);
    await second.stop();
  });
});
