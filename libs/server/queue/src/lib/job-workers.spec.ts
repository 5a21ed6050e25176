import { JobName } from '@autocoder/shared-contracts';
import { DomainMetrics } from '@autocoder/server-observability';
import { Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { FoundHandler, meteredJob, oneHandlerPerJob, pauseFleet } from './job-workers';

const handler = (name: JobName, where = `H.${name}`): FoundHandler => ({
  name,
  where,
  run: async () => undefined,
});

describe('oneHandlerPerJob', () => {
  it('maps every job to its one handler', () => {
    const all = Object.values(JobName).map((n) => handler(n));
    const map = oneHandlerPerJob(all);
    expect([...map.keys()].sort()).toEqual(Object.values(JobName).sort());
  });

  it('names every missing and doubled job at once', () => {
    const found = Object.values(JobName)
      .filter((n) => n !== JobName.ControlTick)
      .map((n) => handler(n));
    found.push(handler(JobName.ChatTurn, 'B.chat'), handler(JobName.ChatTurn, 'A.chat'));
    expect(() => oneHandlerPerJob(found)).toThrow(
      'The runner cannot start: no handler for job control-tick (queue control); 3 handlers for job chat-turn: A.chat, B.chat, H.chat-turn.',
    );
  });
});

describe('meteredJob', () => {
  const job = (attemptsMade = 0) => ({
    name: 'chat-turn',
    timestamp: Date.now() - 2000,
    processedOn: Date.now(),
    attemptsMade,
    opts: {},
  });

  it('counts a completed attempt, a failed one, and neither for a rate-limit wait', async () => {
    const metrics = DomainMetrics.on(new Registry());
    const labels = { queue: 'chat', job: 'chat-turn' };
    await expect(meteredJob(metrics, 'chat', job(), async () => 'ok')).resolves.toBe('ok');
    await expect(
      meteredJob(metrics, 'chat', job(1), async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      meteredJob(metrics, 'chat', job(), async () => {
        throw Worker.RateLimitError();
      }),
    ).rejects.toThrow();
    expect(await metrics.valueOf('jobsCompleted', labels)).toBe(1);
    expect(await metrics.valueOf('jobsFailed', labels)).toBe(1);
    expect(await metrics.valueOf('jobsActive', { queue: 'chat' })).toBe(0);
    expect(await metrics.valueOf('jobDuration', { queue: 'chat' }, '_count')).toBe(3);
    // The wait of first attempts only (two of the three), about 2 s each.
    expect(await metrics.valueOf('jobWait', { queue: 'chat' }, '_count')).toBe(2);
    expect(await metrics.valueOf('jobWait', { queue: 'chat' }, '_sum')).toBeGreaterThanOrEqual(3.9);
  });
});

describe('pauseFleet', () => {
  it("pauses the worker's queue for the provider's wait and counts the pause", async () => {
    const metrics = DomainMetrics.on(new Registry());
    const paused: number[] = [];
    const worker = { rateLimit: async (ms: number) => void paused.push(ms) };
    await pauseFleet(metrics, 'agent-session', worker, 30_000);
    await pauseFleet(metrics, 'agent-session', worker, 5_000);
    expect(paused).toEqual([30_000, 5_000]);
    expect(await metrics.valueOf('fleetPauses', { queue: 'agent-session' })).toBe(2);
    expect(await metrics.valueOf('fleetPauses', { queue: 'chat' })).toBe(0);
  });
});
