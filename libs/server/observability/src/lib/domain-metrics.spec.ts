import { Registry } from 'prom-client';
import { DOMAIN_METRIC_DEFINITIONS, DomainMetrics } from './domain-metrics';

describe('DomainMetrics', () => {
  let registry: Registry;
  let metrics: DomainMetrics;

  beforeEach(() => {
    registry = new Registry();
    metrics = DomainMetrics.on(registry);
  });

  it('registers every defined metric once per registry; the scrape-time gauges once a process fills them', async () => {
    expect(DomainMetrics.on(registry)).toBe(metrics);
    const scrapeTime = [
      'autocoder_queue_jobs',
      'autocoder_queue_workers',
      'autocoder_queue_rate_limit_seconds',
      'autocoder_queue_stats_up',
      'autocoder_project_budget_spent_ratio',
    ];
    const before = await registry.metrics();
    for (const def of Object.values(DOMAIN_METRIC_DEFINITIONS)) {
      expect(def.name).toMatch(/^autocoder_[a-z_]+$/);
      expect({ name: def.name, listed: before.includes(`# TYPE ${def.name} ${def.type}`) }).toEqual(
        {
          name: def.name,
          listed: !scrapeTime.includes(def.name),
        },
      );
    }
    metrics.onScrape(async () => undefined);
    const after = await registry.metrics();
    for (const def of Object.values(DOMAIN_METRIC_DEFINITIONS)) {
      expect(after).toContain(`# TYPE ${def.name} ${def.type}`);
    }
  });

  it('counts a job as active while it runs, then completed or failed, and observes its first wait', async () => {
    const done = metrics.jobStarted('chat', {
      name: 'chat-turn',
      timestamp: 1_000,
      processedOn: 3_500,
      attemptsMade: 0,
    });
    expect(await metrics.valueOf('jobsActive', { queue: 'chat' })).toBe(1);
    expect(await metrics.valueOf('jobWait', { queue: 'chat' }, '_sum')).toBe(2.5);
    done('completed');
    done('completed'); // once only
    expect(await metrics.valueOf('jobsActive', { queue: 'chat' })).toBe(0);
    expect(await metrics.valueOf('jobsCompleted', { queue: 'chat', job: 'chat-turn' })).toBe(1);
    expect(await metrics.valueOf('jobDuration', { queue: 'chat' }, '_count')).toBe(1);

    // A retry: no second wait; a delayed job waits from the end of its delay.
    metrics.jobStarted('chat', {
      name: 'chat-turn',
      timestamp: 0,
      processedOn: 9_000,
      attemptsMade: 1,
    })('failed');
    metrics.jobStarted('chat', {
      name: 'chat-turn',
      timestamp: 0,
      processedOn: 10_000,
      delay: 9_000,
      attemptsMade: 0,
    })('rate_limited');
    expect(await metrics.valueOf('jobWait', { queue: 'chat' }, '_count')).toBe(2);
    expect(await metrics.valueOf('jobWait', { queue: 'chat' }, '_sum')).toBe(3.5);
    expect(await metrics.valueOf('jobsFailed', { queue: 'chat', job: 'chat-turn' })).toBe(1);
    expect(await metrics.valueOf('jobsCompleted', { queue: 'chat', job: 'chat-turn' })).toBe(1);
  });

  it('counts sessions by role while they run', async () => {
    const end = metrics.sessionStarted('coding');
    metrics.sessionStarted('coding');
    expect(await metrics.valueOf('sessionsActive', { role: 'coding' })).toBe(2);
    end();
    end();
    expect(await metrics.valueOf('sessionsActive', { role: 'coding' })).toBe(1);
  });

  it('records model calls: latency, tokens by direction, cost, and 429s', async () => {
    const loop = metrics.loop('testing');
    loop.turn();
    loop.toolCall('bash', true);
    loop.modelCall({
      provider: 'anthropic',
      model: 'm',
      seconds: 2,
      outcome: 'ok',
      usage: { inputTokens: 100, outputTokens: 20, cacheReadTokens: 5 },
      costUsd: 0.25,
    });
    loop.modelCall({ provider: 'anthropic', model: 'm', seconds: 0.1, outcome: 'rate_limited' });
    const pm = { provider: 'anthropic', model: 'm' };
    expect(await metrics.valueOf('turns', { role: 'testing' })).toBe(1);
    expect(
      await metrics.valueOf('toolCalls', { role: 'testing', tool: 'bash', outcome: 'error' }),
    ).toBe(1);
    expect(await metrics.valueOf('modelTokens', { ...pm, direction: 'input' })).toBe(100);
    expect(await metrics.valueOf('modelTokens', { ...pm, direction: 'output' })).toBe(20);
    expect(await metrics.valueOf('modelTokens', { ...pm, direction: 'cache_read' })).toBe(5);
    expect(await metrics.valueOf('modelCost', pm)).toBe(0.25);
    expect(await metrics.valueOf('modelCallDuration', { ...pm, outcome: 'ok' }, '_sum')).toBe(2);
    expect(
      await metrics.valueOf('modelCallDuration', { ...pm, outcome: 'rate_limited' }, '_count'),
    ).toBe(1);
    expect(await metrics.valueOf('providerRateLimited', { provider: 'anthropic' })).toBe(1);
  });

  it('counts claims, reaped leases, merges and verification time', async () => {
    metrics.featureClaims('backlog', 2);
    metrics.featureClaims('backlog', 0);
    metrics.leasesReaped(3);
    metrics.mergeBatch(3, ['merged', 'merged', 'conflict']);
    metrics.verification(4, false);
    metrics.fleetPaused('agent-session');
    expect(await metrics.valueOf('claims', { kind: 'backlog', outcome: 'claimed' })).toBe(2);
    expect(await metrics.valueOf('claims', { kind: 'backlog', outcome: 'none' })).toBe(1);
    expect(await metrics.valueOf('leasesReaped')).toBe(3);
    expect(await metrics.valueOf('merges', { outcome: 'merged' })).toBe(2);
    expect(await metrics.valueOf('merges', { outcome: 'conflict' })).toBe(1);
    expect(await metrics.valueOf('mergeBatchSize', {}, '_sum')).toBe(3);
    expect(await metrics.valueOf('verificationDuration', { outcome: 'failed' }, '_sum')).toBe(4);
    expect(await metrics.valueOf('fleetPauses', { queue: 'agent-session' })).toBe(1);
  });

  it('runs the scrape hooks once per scrape and answers even when a hook fails', async () => {
    let runs = 0;
    metrics.onScrape(async (m) => {
      runs++;
      m.metric('queueStatsUp').set(1);
    });
    const remove = metrics.onScrape(async () => {
      throw new Error('Redis down');
    });
    const text = await registry.metrics();
    expect(runs).toBe(1);
    expect(text).toContain('autocoder_queue_stats_up 1');
    remove();
    await registry.metrics();
    expect(runs).toBe(2);
  });
});
