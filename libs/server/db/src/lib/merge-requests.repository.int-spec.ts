import { randomUUID } from 'node:crypto';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { MergeRequestsRepository } from './merge-requests.repository';
import { PrismaService } from './prisma.service';

describe('MergeRequestsRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let repo: MergeRequestsRepository;

  beforeAll(async () => {
    t = await startDbTestModule(16);
    prisma = t.get(PrismaService);
    repo = t.get(MergeRequestsRepository);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** A project with `n` in-progress features, each leased by its own coding run. */
  async function seed(n: number) {
    const project = await prisma.project.create({
      data: { name: `mq-${randomUUID()}`, spec: '-' },
    });
    const items = [];
    for (let i = 0; i < n; i++) {
      const run = await prisma.run.create({
        data: { projectId: project.id, role: 'coding', status: 'running', attempt: 1 },
      });
      const owner = `${run.id}:1`;
      const feature = await prisma.feature.create({
        data: {
          projectId: project.id,
          priority: i,
          category: 'test',
          name: `feature ${i + 1}`,
          description: '-',
          status: 'in_progress',
          leaseOwner: owner,
          leaseExpiresAt: new Date(Date.now() + 60_000),
          attempts: 1,
        },
      });
      items.push({ run, feature, owner });
    }
    return { projectId: project.id, items };
  }

  async function enqueueAll(seeded: Awaited<ReturnType<typeof seed>>) {
    const ids: string[] = [];
    for (const [i, { run, feature, owner }] of seeded.items.entries()) {
      const { request } = await repo.enqueue({
        projectId: seeded.projectId,
        featureId: feature.id,
        runId: run.id,
        owner,
        branch: `autocoder/session/${run.id}`,
        commit: `c${i + 1}`,
      });
      ids.push(request.id);
    }
    return ids;
  }

  /** The ids in queue order: by createdAt, then id (requests queued in one millisecond tie). */
  async function inQueueOrder(ids: string[]): Promise<string[]> {
    const rows = await prisma.mergeRequest.findMany({
      where: { id: { in: ids } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => r.id);
  }

  it('journals each merge on its run with the merge (workspace.merged, feature.passing once) and finds it for a retried attempt', async () => {
    const s = await seed(2);
    const ids = await enqueueAll(s);
    const [a, b] = s.items as [(typeof s.items)[number], (typeof s.items)[number]];
    expect(await repo.mergedForRun(a.run.id)).toBeNull(); // queued: open, not merged
    const { batchId } = await repo.takeBatch(s.projectId, 5);
    // b's feature already passes (merged by an earlier request): its pass is not written again.
    await prisma.feature.update({ where: { id: b.feature.id }, data: { status: 'passing' } });
    const { events } = await repo.resolve(
      batchId,
      ids.map((id, i) => ({ id, status: 'merged' as const, mergeCommit: `m${i + 1}` })),
    );
    expect(events.map((e) => [e.runId, e.type])).toEqual([
      [a.run.id, 'workspace.merged'],
      [a.run.id, 'feature.passing'],
    ]);
    const rows = await prisma.runEvent.findMany({
      where: { runId: { in: [a.run.id, b.run.id] } },
      orderBy: { id: 'asc' },
    });
    expect(rows.map((e) => [e.runId, e.type, e.data])).toEqual([
      [
        a.run.id,
        'workspace.merged',
        expect.objectContaining({ commit: 'm1', previousMain: 'm1^1' }),
      ],
      [a.run.id, 'feature.passing', { featureId: a.feature.id }],
    ]);
    expect((await repo.mergedForRun(a.run.id))?.id).toBe(ids[0]);
  });

  it('keeps one open request per run: a second enqueue gets the open one', async () => {
    const s = await seed(1);
    const [id] = await enqueueAll(s);
    const { run, feature, owner } = s.items[0] as (typeof s.items)[number];
    const again = await repo.enqueue({
      projectId: s.projectId,
      featureId: feature.id,
      runId: run.id,
      owner: `${run.id}:2`,
      branch: 'b',
      commit: 'other',
    });
    expect(again).toMatchObject({ created: false, request: { id, commit: 'c1', owner } });
    expect((await repo.openForRun(run.id))?.id).toBe(id);

    // Once it ended, the run may queue again.
    const { batchId } = await repo.takeBatch(s.projectId, 5);
    await repo.resolve(batchId, [{ id: id as string, status: 'conflict', detail: 'a.ts' }]);
    expect(await repo.openForRun(run.id)).toBeNull();
    const next = await repo.enqueue({
      projectId: s.projectId,
      featureId: feature.id,
      runId: run.id,
      owner,
      branch: 'b',
      commit: 'c2',
    });
    expect(next.created).toBe(true);
  });

  it('takes queued requests oldest first into a batch, with positions', async () => {
    const s = await seed(5);
    const ids = await inQueueOrder(await enqueueAll(s));
    expect(await repo.hasQueued(s.projectId)).toBe(true);
    expect(await repo.projectsWaiting()).toContain(s.projectId);
    const first = await repo.takeBatch(s.projectId, 3);
    expect(first.requests.map((r) => r.id)).toEqual(ids.slice(0, 3));
    expect(first.requests.map((r) => r.position)).toEqual([1, 2, 3]);
    expect(first.requests.map((r) => r.featureName)).toEqual(
      await Promise.all(
        ids.slice(0, 3).map(async (id) => {
          const row = await prisma.mergeRequest.findUnique({
            where: { id },
            include: { feature: true },
          });
          return row?.feature.name;
        }),
      ),
    );
    expect(first.requests.every((r) => r.status === 'merging' && r.batchId === first.batchId)).toBe(
      true,
    );
    const second = await repo.takeBatch(s.projectId, 3);
    expect(second.requests.map((r) => r.id)).toEqual(ids.slice(3));
    expect((await repo.takeBatch(s.projectId, 3)).requests).toEqual([]);
    expect(await repo.hasQueued(s.projectId)).toBe(false);
    expect((await repo.merging(s.projectId)).map((r) => r.id)).toHaveLength(5);
  });

  it('gives two concurrent takers disjoint batches that cover the queue', async () => {
    for (let round = 0; round < 10; round++) {
      const s = await seed(8);
      const ids = await enqueueAll(s);
      const [a, b] = await Promise.all([
        repo.takeBatch(s.projectId, 8),
        repo.takeBatch(s.projectId, 8),
      ]);
      const taken = [...a.requests, ...b.requests].map((r) => r.id);
      expect(new Set(taken).size).toBe(taken.length);
      expect(taken.sort()).toEqual([...ids].sort());
    }
  });

  it('resolves a batch in one transaction and marks merged features passing exactly once', async () => {
    const s = await seed(4);
    const ids = await enqueueAll(s);
    const [i1, i2, i3, i4] = s.items;
    if (!i1 || !i2 || !i3 || !i4) throw new Error('seed');
    // The lease moved on meanwhile: the merge still makes the feature pass.
    await prisma.feature.update({
      where: { id: i2.feature.id },
      data: { leaseOwner: 'someone-else:1' },
    });
    // Already passing: left as it was.
    const passedAt = new Date('2026-01-01T00:00:00Z');
    await prisma.feature.update({
      where: { id: i4.feature.id },
      data: { status: 'passing', leaseOwner: null, leaseExpiresAt: null, passedAt },
    });
    const { batchId } = await repo.takeBatch(s.projectId, 10);
    const plan = {
      previousMain: 'base',
      candidate: 'm4',
      merges: [
        { id: ids[0] as string, mergeCommit: 'm1' },
        { id: ids[1] as string, mergeCommit: 'm2' },
        { id: ids[3] as string, mergeCommit: 'm4' },
      ],
    };
    expect(await repo.recordPlan(batchId, plan)).toBe(true);
    expect(await repo.recordPlan(randomUUID(), plan)).toBe(false);

    const outcomes = [
      { id: ids[0] as string, status: 'merged' as const, mergeCommit: 'm1' },
      { id: ids[1] as string, status: 'merged' as const },
      { id: ids[2] as string, status: 'failed' as const, detail: 'x'.repeat(9000) + 'END' },
      { id: ids[3] as string, status: 'merged' as const, mergeCommit: 'm4' },
    ];
    const first = await repo.resolve(batchId, outcomes);
    expect(first.resolved.map((r) => r.status).sort()).toEqual([
      'failed',
      'merged',
      'merged',
      'merged',
    ]);
    expect(first.passing.sort()).toEqual([i1.feature.id, i2.feature.id].sort());
    const again = await repo.resolve(batchId, outcomes);
    expect(again).toEqual({ resolved: [], passing: [], events: [] });

    const rows = await Promise.all(ids.map((id) => repo.find(id)));
    expect(rows.map((r) => r?.status)).toEqual(['merged', 'merged', 'failed', 'merged']);
    // The planned merge commit stays when the outcome names none.
    expect(rows.map((r) => r?.mergeCommit)).toEqual(['m1', 'm2', null, 'm4']);
    expect(rows[0]).toMatchObject({ candidate: 'm4', previousMain: 'base' });
    expect(rows[2]?.detail).toHaveLength(8000);
    expect(rows[2]?.detail?.endsWith('END')).toBe(true);
    expect(rows.every((r) => r?.finishedAt instanceof Date)).toBe(true);

    const features = await prisma.feature.findMany({
      where: { projectId: s.projectId },
      orderBy: { priority: 'asc' },
    });
    expect(features.map((f) => f.status)).toEqual(['passing', 'passing', 'in_progress', 'passing']);
    expect(features[0]).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, lastError: null });
    expect(features[1]).toMatchObject({ leaseOwner: null });
    expect(features[1]?.passedAt).toBeInstanceOf(Date);
    // The failed one keeps its session's lease: the session releases it with the reason.
    expect(features[2]).toMatchObject({ leaseOwner: i3.owner });
    expect(features[3]?.passedAt).toEqual(passedAt);
    expect(await repo.projectsWaiting()).not.toContain(s.projectId);
  });

  it('puts a batch back in the queue, in place, and gives up after the most attempts', async () => {
    const s = await seed(3);
    const ids = await inQueueOrder(await enqueueAll(s));
    const batch = await repo.takeBatch(s.projectId, 2);
    await repo.recordPlan(batch.batchId, {
      previousMain: 'b',
      candidate: 'x',
      merges: [{ id: ids[0] as string, mergeCommit: 'x' }],
    });
    const back = await repo.requeue(batch.batchId, {
      reason: 'main moved',
      countAttempt: true,
      maxAttempts: 2,
    });
    expect(back.map((r) => r.status)).toEqual(['queued', 'queued']);
    expect(back[0]).toMatchObject({
      attempts: 1,
      batchId: null,
      position: null,
      candidate: null,
      mergeCommit: null,
      detail: 'main moved',
    });
    // Still at the head of the queue.
    const retry = await repo.takeBatch(s.projectId, 2);
    expect(retry.requests.map((r) => r.id)).toEqual(ids.slice(0, 2));
    // Only some of them, without counting.
    const one = await repo.requeue(retry.batchId, {
      ids: [ids[1] as string],
      reason: 'r',
      countAttempt: false,
      maxAttempts: 2,
    });
    expect(one.map((r) => [r.id, r.attempts])).toEqual([[ids[1], 1]]);
    const gaveUp = await repo.requeue(retry.batchId, {
      reason: 'main moved again',
      countAttempt: true,
      maxAttempts: 2,
    });
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatchObject({
      id: ids[0],
      status: 'failed',
      attempts: 2,
      detail: 'merge queue gave up after 2 attempts; the last: main moved again',
    });
    expect(gaveUp[0]?.finishedAt).toBeInstanceOf(Date);
    // A stale batch id changes nothing.
    expect(
      await repo.requeue(batch.batchId, { reason: 'late', countAttempt: true, maxAttempts: 2 }),
    ).toEqual([]);
  });
});
