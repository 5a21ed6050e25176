import { APP_CONFIG } from '@autocoder/server-config';
import { DbModule, MergeRequest, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { LiveEvents, LiveEventsModule } from '@autocoder/server-live-events';
import { DomainMetrics } from '@autocoder/server-observability';
import { QueueModule } from '@autocoder/server-queue';
import { waitFor } from '@autocoder/server-test-support';
import type { LiveEvent, MergeQueueEventData } from '@autocoder/shared-contracts';
import { Test, TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { BatchRequest } from './merge-batch';
import { MergeQueueModule } from './merge-queue.module';
import { MERGE_LOCK_NAMESPACE, MergeQueueService, SubmitMergeInput } from './merge-queue.service';
import { FakeRemote } from './testing/fake-integration-tree';
import { INTEGRATION_TREES, MERGE_MESSAGE, MERGE_QUEUE_TUNING } from './tokens';

const message = (r: BatchRequest) => `Merge ${r.featureName} (run ${r.runId})`;

/** A promise the test resolves when it chooses. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('MergeQueueService against Postgres', () => {
  let db: TestDatabase;
  let admin: Client;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  /** One runner's merge queue: its own Prisma pool, its own lock connections. */
  async function startQueue(
    remote: FakeRemote,
    batchMax = 20,
    opts: { liveEventsPrefix?: string } = {},
  ): Promise<MergeQueueService> {
    const live = opts.liveEventsPrefix
      ? [
          QueueModule.forRoot({
            role: 'producer',
            redisUrl: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
            prefix: opts.liveEventsPrefix,
            attempts: 1,
            backoffMs: 1000,
          }),
          LiveEventsModule,
        ]
      : [];
    const module = await Test.createTestingModule({
      imports: [
        ...live,
        DbModule.forRoot({ databaseUrl: db.url, maxConnections: 4 }),
        MergeQueueModule.register({
          providers: [
            { provide: APP_CONFIG, useValue: { DATABASE_URL: db.url, MERGE_BATCH_MAX: batchMax } },
            { provide: INTEGRATION_TREES, useValue: remote.open },
            { provide: MERGE_MESSAGE, useValue: message },
            { provide: MERGE_QUEUE_TUNING, useValue: { pollMs: 50, errorBackoffMs: 200 } },
          ],
        }),
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return module.get(MergeQueueService);
  }

  function prisma(): PrismaService {
    const module = modules[0];
    if (!module) throw new Error('start a queue first');
    return module.get(PrismaService);
  }

  /** A project (with a verification command unless told) and `n` leased features, one run each. */
  async function seed(n: number, verifyCommand: string | null = 'npm test') {
    const p = prisma();
    const project = await p.project.create({
      data: { name: `mq-${randomUUID()}`, spec: '-', verifyCommand },
    });
    const inputs: SubmitMergeInput[] = [];
    for (let i = 0; i < n; i++) {
      const run = await p.run.create({
        data: { projectId: project.id, role: 'coding', status: 'running', attempt: 1 },
      });
      const owner = `${run.id}:1`;
      const feature = await p.feature.create({
        data: {
          projectId: project.id,
          priority: i,
          category: 'test',
          name: `feature ${i + 1}`,
          description: '-',
          status: 'in_progress',
          leaseOwner: owner,
          leaseExpiresAt: new Date(Date.now() + 600_000),
          attempts: 1,
        },
      });
      inputs.push({
        projectId: project.id,
        featureId: feature.id,
        runId: run.id,
        owner,
        branch: `autocoder/session/${run.id}`,
        commit: `c${i + 1}-${run.id.slice(0, 8)}`,
      });
    }
    return { projectId: project.id, inputs };
  }

  async function submitAll(queue: MergeQueueService, inputs: SubmitMergeInput[]) {
    const ids: string[] = [];
    for (const input of inputs) ids.push(await queue.submit(input));
    return ids;
  }

  async function rows(ids: string[]): Promise<MergeRequest[]> {
    return prisma().mergeRequest.findMany({ where: { id: { in: ids } } });
  }

  const sorted = (list: readonly string[]) => [...list].sort();

  it('merges what sessions submit while they wait, and marks their features passing', async () => {
    const remote = new FakeRemote();
    const queue = await startQueue(remote);
    const { projectId, inputs } = await seed(5);
    // A bad one among them: verification fails with it in the chain.
    remote.bad.add(inputs[2]?.commit as string);
    // The metrics are the shared registry's (no MetricsModule here): compare before and after.
    const metrics = DomainMetrics.shared();
    const read = async () => ({
      merged: await metrics.valueOf('merges', { outcome: 'merged' }),
      failed: await metrics.valueOf('merges', { outcome: 'failed' }),
      batched: await metrics.valueOf('mergeBatchSize', {}, '_sum'),
      passed: await metrics.valueOf('verificationDuration', { outcome: 'passed' }, '_count'),
      broke: await metrics.valueOf('verificationDuration', { outcome: 'failed' }, '_count'),
    });
    const before = await read();
    const ids = await submitAll(queue, inputs);
    expect(await queue.submit(inputs[0] as SubmitMergeInput)).toBe(ids[0]); // same run, same commit

    const outcomes = await Promise.all(ids.map((id) => queue.awaitOutcome(id)));
    expect(outcomes.map((o) => o.status)).toEqual([
      'merged',
      'merged',
      'failed',
      'merged',
      'merged',
    ]);
    expect(outcomes[2]?.detail).toMatch(/^verification failed \(exit 1\)\ntests fail: c3-/);
    const good = inputs.filter((_, i) => i !== 2).map((i) => i.commit);
    expect(sorted(remote.mainMerged())).toEqual(sorted(good));
    for (const o of outcomes.filter((x) => x.status === 'merged')) {
      expect(remote.reachableFromMain(o.mergeCommit as string)).toBe(true);
      expect(remote.messageOf(o.mergeCommit as string)).toMatch(/^Merge feature \d \(run /);
    }
    const features = await prisma().feature.findMany({
      where: { projectId },
      orderBy: { priority: 'asc' },
    });
    expect(features.map((f) => f.status)).toEqual([
      'passing',
      'passing',
      'in_progress',
      'passing',
      'passing',
    ]);
    expect(await queue.drainWaiting()).not.toContain(projectId);
    // autocoder_merge_requests_total, _merge_batch_size, _verification_duration_seconds moved.
    const after = await read();
    expect(after.merged - before.merged).toBe(4);
    expect(after.failed - before.failed).toBe(1);
    expect(after.batched - before.batched).toBe(5);
    expect(after.passed - before.passed).toBeGreaterThan(0);
    expect(after.broke - before.broke).toBeGreaterThan(0);
  });

  it('tells the console, over live events, when a batch starts and how its requests ended', async () => {
    const remote = new FakeRemote();
    const prefix = `mq-live-${randomUUID().slice(0, 8)}`;
    const queue = await startQueue(remote, 20, { liveEventsPrefix: prefix });
    const { projectId, inputs } = await seed(3);
    remote.bad.add(inputs[1]?.commit as string);
    const live = modules[modules.length - 1]?.get(LiveEvents);
    if (!live) throw new Error('no live events');
    const events: LiveEvent[] = [];
    const sub = live.stream(projectId).subscribe((e) => events.push(e));
    try {
      // The Redis subscription is asynchronous: wait until it carries an event of ours.
      await waitFor('the live subscription', async () => {
        await live.publish({
          projectId,
          type: 'project.status',
          level: 'info',
          message: 'probe',
          at: new Date().toISOString(),
        });
        return events.length > 0;
      });
      const ids = await submitAll(queue, inputs);
      await Promise.all(ids.map((id) => queue.awaitOutcome(id)));
      await waitFor('merge_queue.resolved', async () =>
        events.some((e) => e.type === 'merge_queue.resolved'),
      );
      const batch = events.find((e) => e.type === 'merge_queue.batch');
      const resolved = events.find((e) => e.type === 'merge_queue.resolved');
      const batchData = batch?.data as MergeQueueEventData;
      expect(sorted(batchData.requestIds)).toEqual(sorted(ids));
      expect(batch?.message).toBe('batch of 3 merging');
      expect(resolved?.data).toEqual({
        batchId: batchData.batchId,
        requestIds: expect.arrayContaining(ids),
        merged: 2,
        conflict: 0,
        failed: 1,
        requeued: 0,
      });
      expect(resolved?.level).toBe('warn');
      // The batch started before its requests ended.
      expect(events.indexOf(batch as LiveEvent)).toBeLessThan(
        events.indexOf(resolved as LiveEvent),
      );
    } finally {
      sub.unsubscribe();
    }
  });

  it('runs one merge worker per project across two runners', async () => {
    let inVerify = 0;
    let overlaps = 0;
    const remote = new FakeRemote({
      onVerify: async () => {
        inVerify++;
        if (inVerify > 1) overlaps++;
        await sleep(150); // a slow verification: a second worker would overlap it
        inVerify--;
      },
    });
    const a = await startQueue(remote, 2);
    const b = await startQueue(remote, 2);
    const { inputs } = await seed(6);
    const ids = await submitAll(a, inputs);

    const drains = await Promise.all([
      a.drain(inputs[0]?.projectId as string),
      b.drain(inputs[0]?.projectId as string),
    ]);
    // One of them found the lock taken and returned at once.
    expect(drains.map((d) => d.ran).sort()).toEqual([false, true]);
    expect(drains.reduce((n, d) => n + d.batches, 0)).toBe(3);
    expect(overlaps).toBe(0);
    expect(remote.maxOpenTrees).toBe(1);
    expect((await rows(ids)).map((r) => r.status)).toEqual(Array(6).fill('merged'));
    expect(sorted(remote.mainMerged())).toEqual(sorted(inputs.map((i) => i.commit)));

    // Waiters on both runners: each may drain, never two at once.
    const more = await seed(6);
    const moreIds = [
      ...(await submitAll(a, more.inputs.slice(0, 3))),
      ...(await submitAll(b, more.inputs.slice(3))),
    ];
    const done = await Promise.all(moreIds.map((id, i) => (i % 2 === 0 ? a : b).awaitOutcome(id)));
    expect(done.map((r) => r.status)).toEqual(Array(6).fill('merged'));
    expect(overlaps).toBe(0);
    expect(remote.maxOpenTrees).toBe(1);
    const all = [...inputs, ...more.inputs].map((i) => i.commit);
    expect(sorted(remote.mainMerged())).toEqual(sorted(all));
  });

  it('keeps main right when two workers race past the lock (lock: false, test only)', async () => {
    const remote = new FakeRemote({ onVerify: () => sleep(100) });
    const a = await startQueue(remote, 2);
    const b = await startQueue(remote, 2);
    const { projectId, inputs } = await seed(6);
    const ids = await submitAll(a, inputs);

    await Promise.all([a.drain(projectId, { lock: false }), b.drain(projectId, { lock: false })]);
    // Both worked at once, and a CAS refused one of them at least once.
    expect(remote.maxOpenTrees).toBe(2);
    expect(remote.publishAttempts).toBeGreaterThan(remote.published.length);
    const ended = await rows(ids);
    expect(ended.map((r) => r.status)).toEqual(Array(6).fill('merged'));
    expect(ended.some((r) => r.attempts > 0)).toBe(true);
    // Each request is on main exactly once.
    expect(sorted(remote.mainMerged())).toEqual(sorted(inputs.map((i) => i.commit)));
  });

  it('publishes without verifying when the project has no verification command', async () => {
    const remote = new FakeRemote();
    const queue = await startQueue(remote);
    const { inputs } = await seed(3, null);
    remote.bad.add(inputs[0]?.commit as string);
    const ids = await submitAll(queue, inputs);
    const outcomes = await Promise.all(ids.map((id) => queue.awaitOutcome(id)));
    expect(outcomes.map((o) => o.status)).toEqual(['merged', 'merged', 'merged']);
    expect(remote.verified).toEqual([]);
  });

  it('waits while another worker holds the lock, until its signal ends the wait', async () => {
    const remote = new FakeRemote();
    const queue = await startQueue(remote);
    const { projectId, inputs } = await seed(2);
    const ids = await submitAll(queue, inputs);
    // Another worker (here: a bare connection) holds the project's merge lock.
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::int, hashtext($2::text))', [
        MERGE_LOCK_NAMESPACE,
        projectId,
      ]);
      await expect(
        queue.awaitOutcome(ids[0] as string, AbortSignal.timeout(500)),
      ).rejects.toThrow();
      expect((await rows(ids)).map((r) => r.status)).toEqual(['queued', 'queued']);
      expect(remote.maxOpenTrees).toBe(0);
    } finally {
      await other.end();
    }
    // It let go (its connection ended): the next wait drains.
    expect(await queue.awaitOutcome(ids[1] as string)).toMatchObject({ status: 'merged' });
    expect((await rows(ids)).map((r) => r.status)).toEqual(['merged', 'merged']);
  });

  /** Terminates the backend holding a merge lock (as if its runner's host vanished). */
  async function killLockHolder(): Promise<number> {
    const { rows: killed } = await admin.query<{ pid: number }>(
      `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND application_name LIKE 'autocoder merge worker%'`,
      [db.name],
    );
    return killed.length;
  }

  it('lets another runner take over, and requeue, when a worker dies before its push', async () => {
    const blocked = gate();
    const inVerify = gate();
    let first = true;
    const remote = new FakeRemote({
      onVerify: async () => {
        if (!first) return;
        first = false;
        inVerify.open();
        await blocked.wait;
      },
    });
    const a = await startQueue(remote);
    const b = await startQueue(remote);
    const { projectId, inputs } = await seed(3);
    const ids = await submitAll(a, inputs);

    const dying = a.drain(projectId).then(
      () => 'finished',
      (err: Error) => err.name,
    );
    await inVerify.wait;
    expect((await rows(ids)).map((r) => r.status)).toEqual(['merging', 'merging', 'merging']);
    expect(await b.drain(projectId)).toEqual({ ran: false, batches: 0 });

    expect(await killLockHolder()).toBe(1);
    const took = await waitFor('runner b to take the merge lock', async () => {
      const r = await b.drain(projectId);
      return r.ran ? r : null;
    });
    expect(took.batches).toBe(1);
    const ended = await rows(ids);
    expect(ended.map((r) => r.status)).toEqual(['merged', 'merged', 'merged']);
    // Reconciled (back to the queue, one attempt counted), then merged by b.
    expect(ended.map((r) => r.attempts)).toEqual([1, 1, 1]);

    // The dead worker wakes up: it must not push what it had.
    blocked.open();
    expect(await dying).toBe('MergeLockLostError');
    expect(remote.published).toHaveLength(1);
    expect(sorted(remote.mainMerged())).toEqual(sorted(inputs.map((i) => i.commit)));
  });

  it('reconciles a batch whose worker died after the push as merged', async () => {
    const blocked = gate();
    const pushed = gate();
    let first = true;
    const remote = new FakeRemote({
      afterPublish: async () => {
        if (!first) return;
        first = false;
        pushed.open();
        await blocked.wait;
      },
    });
    const a = await startQueue(remote);
    const b = await startQueue(remote);
    const { projectId, inputs } = await seed(2);
    const ids = await submitAll(a, inputs);
    const dying = a.drain(projectId).catch(() => undefined);
    await pushed.wait;
    const planned = await rows(ids);
    expect(planned.every((r) => r.status === 'merging' && r.candidate === remote.main)).toBe(true);

    expect(await killLockHolder()).toBe(1);
    // A session waiting on runner b becomes the worker and reconciles.
    await Promise.all(ids.map((id) => b.awaitOutcome(id)));
    const ended = await rows(ids);
    expect(ended.map((r) => r.status)).toEqual(['merged', 'merged']);
    expect(ended.map((r) => r.attempts)).toEqual([0, 0]);
    const features = await prisma().feature.findMany({ where: { projectId } });
    expect(features.map((f) => f.status)).toEqual(['passing', 'passing']);

    blocked.open();
    await dying;
    // Nothing merged twice: main got the batch once, and the late resolve changed nothing.
    expect(remote.published).toHaveLength(1);
    expect(sorted(remote.mainMerged())).toEqual(sorted(inputs.map((i) => i.commit)));
    expect((await rows(ids)).map((r) => r.status)).toEqual(['merged', 'merged']);
  });

  it('gives a batch back when main keeps moving, then fails it loudly', async () => {
    let outside = 0;
    // Someone else pushes to main right before every one of our pushes.
    const remote: FakeRemote = new FakeRemote({
      onPublish: () => void remote.pushOutside(`x${++outside}`),
    });
    const queue = await startQueue(remote);
    const { projectId, inputs } = await seed(1);
    const [id] = await submitAll(queue, inputs);
    await queue.drain(projectId);
    const [row] = await rows([id as string]);
    expect(row).toMatchObject({ status: 'failed', attempts: 5 });
    expect(row?.detail).toBe(
      'merge queue gave up after 5 attempts; the last: main moved during the push',
    );
    expect(remote.published).toEqual([]);
    expect(outside).toBe(5);
    expect(await queue.awaitOutcome(id as string)).toMatchObject({ status: 'failed' });
  });
});
