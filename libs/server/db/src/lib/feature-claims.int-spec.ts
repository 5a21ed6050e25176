import { DomainMetrics } from '@autocoder/server-observability';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FeatureStatus } from '../generated/prisma/client';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { ClaimedFeature, FeatureClaimsRepository } from './feature-claims.repository';
import { PrismaService } from './prisma.service';

/** A feature of a test backlog: a key, its priority, the keys it depends on. */
interface SeedFeature {
  key: string;
  priority: number;
  dependsOn?: string[];
  status?: FeatureStatus;
}

const LEASE_MS = 60_000;

describe('FeatureClaimsRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let claims: FeatureClaimsRepository;

  beforeAll(async () => {
    t = await startDbTestModule(32);
    prisma = t.get(PrismaService);
    claims = t.get(FeatureClaimsRepository);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Creates a project with the features and dependency rows; returns its id and key → id. */
  async function seed(
    features: SeedFeature[],
  ): Promise<{ projectId: string; ids: Map<string, string> }> {
    const project = await prisma.project.create({
      data: { name: `claims-${randomUUID()}`, spec: '-' },
    });
    const ids = new Map(features.map((f) => [f.key, randomUUID()]));
    const idOf = (key: string): string => {
      const id = ids.get(key);
      if (!id) throw new Error(`unknown feature ${key}`);
      return id;
    };
    await prisma.feature.createMany({
      data: features.map((f) => ({
        id: idOf(f.key),
        projectId: project.id,
        priority: f.priority,
        category: 'test',
        name: f.key,
        description: '-',
        status: f.status ?? 'pending',
      })),
    });
    const edges = features.flatMap((f) =>
      (f.dependsOn ?? []).map((dep) => ({
        projectId: project.id,
        featureId: idOf(f.key),
        dependsOnId: idOf(dep),
      })),
    );
    if (edges.length > 0) await prisma.featureDependency.createMany({ data: edges });
    return { projectId: project.id, ids };
  }

  const names = (claimed: ClaimedFeature[]): string[] => claimed.map((f) => f.name);

  /**
   * Features whose trigger-kept counters differ from a recount from the dependency rows (the
   * unmet count is exact for features that do not pass; a passing feature blocks nothing).
   */
  async function counterDrift(projectId: string): Promise<string[]> {
    const rows = await prisma.$queryRaw<{ name: string }[]>`
      SELECT f.name FROM "Feature" f
      WHERE f."projectId" = ${projectId}::uuid
        AND CASE WHEN f.status = 'passing' THEN f."blockedDependentCount" <> 0
          ELSE f."unmetDependencyCount" <> (
              SELECT count(*) FROM "FeatureDependency" e JOIN "Feature" d ON d.id = e."dependsOnId"
              WHERE e."featureId" = f.id AND d.status <> 'passing')
            OR f."blockedDependentCount" <> (
              SELECT count(*) FROM "FeatureDependency" e JOIN "Feature" g ON g.id = e."featureId"
              WHERE e."dependsOnId" = f.id AND g.status <> 'passing')
        END
      ORDER BY f.name`;
    return rows.map((row) => row.name);
  }

  async function claimAll(projectId: string, owner = 'worker'): Promise<string[]> {
    return names(await claims.claim({ projectId, owner, leaseMs: LEASE_MS, limit: 100 }));
  }

  async function passAll(ids: Map<string, string>, keys: string[], owner = 'worker') {
    for (const key of keys) {
      expect(await claims.release(ids.get(key) ?? '', owner, { status: 'passing' })).toBe(true);
    }
  }

  it('claims a feature only once all of its dependencies pass', async () => {
    const { projectId, ids } = await seed([
      { key: 'A', priority: 1 },
      { key: 'B', priority: 2, dependsOn: ['A'] },
      { key: 'C', priority: 3, dependsOn: ['A', 'B'] },
      { key: 'D', priority: 0, dependsOn: ['B'] },
    ]);

    expect(await claimAll(projectId)).toEqual(['A']);
    expect(await claimAll(projectId)).toEqual([]);
    await passAll(ids, ['A']);

    // C still waits for B although A passes.
    expect(await claimAll(projectId)).toEqual(['B']);
    await passAll(ids, ['B']);

    // Neither unblocks anything: priority decides.
    expect(await claimAll(projectId)).toEqual(['D', 'C']);
    const a = await prisma.feature.findUniqueOrThrow({ where: { id: ids.get('A') } });
    expect(a).toMatchObject({ status: 'passing', leaseOwner: null, leaseExpiresAt: null });
    expect(a.passedAt).toBeInstanceOf(Date);
  });

  it('keeps a dependency that fails, or falls back from passing, blocking', async () => {
    const { projectId, ids } = await seed([
      { key: 'base', priority: 1, status: 'passing' },
      { key: 'next', priority: 1, dependsOn: ['base'] },
      { key: 'flaky', priority: 2 },
      { key: 'after-flaky', priority: 1, dependsOn: ['flaky'] },
    ]);
    const id = (key: string) => ids.get(key) ?? '';

    // A testing agent finds a regression in base.
    await prisma.feature.update({ where: { id: id('base') }, data: { status: 'failing' } });
    expect(await claimAll(projectId, 'w1')).toEqual(['flaky']);
    expect(await claims.release(id('flaky'), 'w1', { status: 'failing', error: 'boom' })).toBe(
      true,
    );
    expect(await claimAll(projectId)).toEqual([]);

    await prisma.feature.update({ where: { id: id('base') }, data: { status: 'passing' } });
    expect(await claimAll(projectId)).toEqual(['next']);
  });

  it('follows dependency rows and features that are added or removed', async () => {
    const { projectId, ids } = await seed([
      { key: 'blocker', priority: 1 },
      { key: 'edge-removed', priority: 2, dependsOn: ['blocker'] },
      { key: 'doomed', priority: 3 },
      { key: 'dependency-deleted', priority: 4, dependsOn: ['doomed'] },
      { key: 'gains-dependency', priority: 5 },
    ]);
    const id = (key: string) => ids.get(key) ?? '';

    await prisma.featureDependency.delete({
      where: {
        featureId_dependsOnId: { featureId: id('edge-removed'), dependsOnId: id('blocker') },
      },
    });
    await prisma.feature.delete({ where: { id: id('doomed') } });
    await prisma.featureDependency.create({
      data: { projectId, featureId: id('gains-dependency'), dependsOnId: id('blocker') },
    });

    expect(await claimAll(projectId)).toEqual(['blocker', 'edge-removed', 'dependency-deleted']);
  });

  it('keeps the readiness counters equal to a recount through any edit', async () => {
    const random = mulberry32(7);
    const statuses: FeatureStatus[] = [
      'pending',
      'in_progress',
      'passing',
      'failing',
      'needs_input',
    ];
    const backlog: SeedFeature[] = Array.from({ length: 30 }, (_, i) => ({
      key: `e${String(i).padStart(2, '0')}`,
      priority: i,
      dependsOn:
        i > 0 && random() < 0.5 ? [`e${String(Math.floor(random() * i)).padStart(2, '0')}`] : [],
    }));
    const { projectId, ids } = await seed(backlog);
    const alive = [...ids.values()];
    const pick = () => alive[Math.floor(random() * alive.length)] ?? '';

    for (let step = 0; step < 120; step++) {
      const op = random();
      if (op < 0.5) {
        const status = statuses[Math.floor(random() * statuses.length)] ?? 'pending';
        await prisma.feature.update({ where: { id: pick() }, data: { status } });
      } else if (op < 0.75) {
        // Only towards later features, so the graph stays acyclic.
        const [a, b] = [alive.indexOf(pick()), alive.indexOf(pick())].sort((x, y) => x - y);
        if (a !== undefined && b !== undefined && a !== b) {
          await prisma.featureDependency.createMany({
            data: [{ projectId, featureId: alive[b] ?? '', dependsOnId: alive[a] ?? '' }],
            skipDuplicates: true,
          });
        }
      } else if (op < 0.95) {
        const edge = await prisma.featureDependency.findFirst({
          where: { projectId },
          skip: Math.floor(random() * 10),
          select: { featureId: true, dependsOnId: true },
        });
        if (edge) await prisma.featureDependency.delete({ where: { featureId_dependsOnId: edge } });
      } else {
        const victim = pick();
        alive.splice(alive.indexOf(victim), 1);
        await prisma.feature.delete({ where: { id: victim } });
      }
      if (step % 20 === 19)
        expect({ step, drift: await counterDrift(projectId) }).toEqual({ step, drift: [] });
    }
  });

  it('counts right when several dependencies of one feature pass at the same moment', async () => {
    // 60 features waiting for 3 dependencies each; all 180 dependencies pass at once.
    const backlog: SeedFeature[] = [];
    for (let g = 0; g < 60; g++) {
      const deps = [0, 1, 2].map((k) => `d${g}-${k}`);
      for (const dep of deps) backlog.push({ key: dep, priority: 1 });
      backlog.push({ key: `g${g}`, priority: 2, dependsOn: deps });
    }
    const { projectId } = await seed(backlog);
    const deps = await claims.claim({ projectId, owner: 'w', leaseMs: LEASE_MS, limit: 500 });
    expect(deps).toHaveLength(180);

    const released = await Promise.all(
      deps.map((dep) => claims.release(dep.id, 'w', { status: 'passing' })),
    );
    expect(released.every(Boolean)).toBe(true);
    expect(await counterDrift(projectId)).toEqual([]);
    expect(await claimAll(projectId)).toHaveLength(60);
  });

  it('never hands out a feature whose counter is wrong', async () => {
    const { projectId, ids } = await seed([
      { key: 'base', priority: 1 },
      { key: 'blocked', priority: 0, dependsOn: ['base'] },
    ]);
    // Corrupt the counter by hand: the claim's own dependency check still holds the line.
    await prisma.$executeRaw`
      UPDATE "Feature" SET "unmetDependencyCount" = 0, "blockedDependentCount" = 5
      WHERE id = ${ids.get('blocked')}::uuid`;
    expect(await claimAll(projectId)).toEqual(['base']);
  });

  it('orders by how many features a claim unblocks, then by priority, then by id', async () => {
    const backlog: SeedFeature[] = [
      { key: 'hub', priority: 9 },
      { key: 'mid-late', priority: 5 },
      { key: 'mid-early', priority: 2 },
      { key: 'leaf', priority: 1 },
      // Its dependents already pass (edited by hand): it unblocks nothing.
      { key: 'unblocks-nothing', priority: 0 },
      { key: 'h1', priority: 0, dependsOn: ['hub'] },
      { key: 'h2', priority: 0, dependsOn: ['hub'] },
      { key: 'h3', priority: 0, dependsOn: ['hub', 'mid-late'] },
      { key: 'm1', priority: 0, dependsOn: ['mid-early'] },
      { key: 'p1', priority: 0, dependsOn: ['unblocks-nothing'], status: 'passing' },
      { key: 'p2', priority: 0, dependsOn: ['unblocks-nothing'], status: 'passing' },
    ];
    const expected = ['hub', 'mid-early', 'mid-late', 'unblocks-nothing', 'leaf'];

    const batch = await seed(backlog);
    expect(await claimAll(batch.projectId)).toEqual(expected);

    const oneByOne = await seed(backlog);
    const taken: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      const claimed = await claims.claim({
        projectId: oneByOne.projectId,
        owner: 'w',
        leaseMs: LEASE_MS,
      });
      taken.push(...names(claimed));
    }
    expect(taken).toEqual(expected);

    // Equal counts and priorities: the id decides.
    const tie = await seed([
      { key: 'x', priority: 1 },
      { key: 'y', priority: 1 },
      { key: 'z', priority: 1 },
    ]);
    const byId = [...tie.ids.entries()].sort((a, b) => a[1].localeCompare(b[1])).map(([k]) => k);
    expect(await claimAll(tie.projectId)).toEqual(byId);
  });

  it('gives each holder its lease and no one else', async () => {
    const { projectId, ids } = await seed([{ key: 'task', priority: 1 }]);
    const id = ids.get('task') ?? '';

    const before = Date.now();
    const [claimed] = await claims.claim({ projectId, owner: 'alice', leaseMs: 30_000 });
    expect(claimed).toMatchObject({ id, name: 'task', priority: 1, attempts: 1 });
    const leaseEnds = claimed?.leaseExpiresAt.getTime() ?? 0;
    expect(leaseEnds).toBeGreaterThanOrEqual(before + 30_000 - 2_000);
    expect(leaseEnds).toBeLessThanOrEqual(Date.now() + 30_000 + 2_000);

    expect(await claims.heartbeat([id], 'mallory', LEASE_MS)).toEqual([]);
    expect(await claims.heartbeat([id, randomUUID()], 'alice', 120_000)).toEqual([id]);
    const extended = await prisma.feature.findUniqueOrThrow({ where: { id } });
    expect(extended.leaseExpiresAt?.getTime()).toBeGreaterThan(leaseEnds + 60_000);

    expect(await claims.release(id, 'mallory', { status: 'passing' })).toBe(false);
    expect(await prisma.feature.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'in_progress',
      leaseOwner: 'alice',
    });

    expect(await claims.release(id, 'alice', { status: 'failing', error: 'tests fail' })).toBe(
      true,
    );
    expect(await prisma.feature.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'failing',
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: 'tests fail',
      passedAt: null,
    });
    // Released once: a late second release or heartbeat finds no lease.
    expect(await claims.release(id, 'alice', { status: 'passing' })).toBe(false);
    expect(await claims.heartbeat([id], 'alice', LEASE_MS)).toEqual([]);
  });

  it('reaps expired leases back to pending and leaves live ones', async () => {
    const { projectId, ids } = await seed([
      { key: 'live', priority: 1 },
      { key: 'dead', priority: 2 },
      { key: 'dead-now', priority: 3 },
    ]);
    const id = (key: string) => ids.get(key) ?? '';
    await claims.claim({ projectId, owner: 'healthy', leaseMs: LEASE_MS });
    await claims.claim({ projectId, owner: 'crashed', leaseMs: 1_000 });

    // As of five seconds from now: only the one-second lease has run out.
    const reaped = await claims.reapExpired(new Date(Date.now() + 5_000));
    expect(reaped).toContain(id('dead'));
    expect(reaped).not.toContain(id('live'));
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: id('dead') } })).toMatchObject({
      status: 'pending',
      leaseOwner: null,
      leaseExpiresAt: null,
      attempts: 1,
      lastError: 'lease of crashed expired',
    });
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: id('live') } })).toMatchObject({
      status: 'in_progress',
      leaseOwner: 'healthy',
    });

    // The crashed holder comes back: its lease is visibly gone.
    expect(await claims.heartbeat([id('dead')], 'crashed', LEASE_MS)).toEqual([]);
    expect(await claims.release(id('dead'), 'crashed', { status: 'passing' })).toBe(false);

    // The database's own clock, without an argument.
    const [again] = await claims.claim({ projectId, owner: 'second', leaseMs: 1 });
    expect(again).toMatchObject({ id: id('dead'), attempts: 2 });
    await sleep(20);
    expect(await claims.reapExpired()).toContain(id('dead'));
    expect(await claims.reapExpired(new Date(Date.now() + 5_000))).not.toContain(id('live'));
  });

  it('counts claims by kind and outcome, and reaped leases, in the metrics', async () => {
    // No MetricsModule here: the repository records on the shared registry; compare deltas.
    const metrics = DomainMetrics.shared();
    const read = async () => ({
      claimed: await metrics.valueOf('claims', { kind: 'backlog', outcome: 'claimed' }),
      none: await metrics.valueOf('claims', { kind: 'backlog', outcome: 'none' }),
      regression: await metrics.valueOf('claims', { kind: 'regression', outcome: 'claimed' }),
      reaped: await metrics.valueOf('leasesReaped'),
    });
    const { projectId } = await seed([
      { key: 'one', priority: 1 },
      { key: 'done', priority: 2, status: 'passing' },
    ]);
    const before = await read();
    await claims.claim({ projectId, owner: 'a', leaseMs: 1_000 });
    await claims.claim({ projectId, owner: 'b', leaseMs: 1_000 });
    await claims.claimRegression({ projectId, owner: 'c', leaseMs: 1_000 });
    const reaped = await claims.reapExpired(new Date(Date.now() + 60_000));
    const after = await read();
    expect(after.claimed - before.claimed).toBe(1);
    expect(after.none - before.none).toBe(1);
    expect(after.regression - before.regression).toBe(1);
    expect(reaped.length).toBeGreaterThan(0);
    expect(after.reaped - before.reaped).toBe(reaped.length);
  });

  it('stops claiming after maxAttempts and fails exhausted features', async () => {
    const { projectId, ids } = await seed([
      { key: 'hard', priority: 1 },
      { key: 'needs-hard', priority: 1, dependsOn: ['hard'] },
      { key: 'easy', priority: 5 },
    ]);
    const id = (key: string) => ids.get(key) ?? '';
    const claim = () => claims.claim({ projectId, owner: 'w', leaseMs: LEASE_MS, maxAttempts: 2 });

    for (const attempt of [1, 2]) {
      const [claimed] = await claim();
      expect(claimed).toMatchObject({ name: 'hard', attempts: attempt });
      await claims.release(id('hard'), 'w', { status: 'pending', error: `flaky ${attempt}` });
    }
    expect(names(await claim())).toEqual(['easy']);
    expect(await claim()).toEqual([]);

    expect(await claims.markExhausted(projectId, 2)).toEqual([id('hard')]);
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: id('hard') } })).toMatchObject({
      status: 'failing',
      attempts: 2,
      lastError: expect.stringMatching(/^exhausted 2 attempts/),
    });
    expect(await claims.markExhausted(projectId, 2)).toEqual([]);
    // Its dependent stays blocked: nothing is left to claim, so a run can end.
    expect(await claims.claim({ projectId, owner: 'w', leaseMs: LEASE_MS })).toEqual([]);
    expect(
      await prisma.feature.findUniqueOrThrow({ where: { id: id('needs-hard') } }),
    ).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses nonsense arguments before reaching SQL', async () => {
    const projectId = randomUUID();
    await expect(claims.claim({ projectId, owner: 'w', leaseMs: 0 })).rejects.toThrow(RangeError);
    await expect(claims.claim({ projectId, owner: '', leaseMs: 1 })).rejects.toThrow(RangeError);
    await expect(claims.claim({ projectId, owner: 'w', leaseMs: 1, limit: 1.5 })).rejects.toThrow(
      RangeError,
    );
    expect(await claims.heartbeat([], 'w', 1)).toEqual([]);
  });

  it('hands 500 features in a random graph to 32 claimers exactly once, in dependency order', async () => {
    const total = 500;
    const random = mulberry32(20261124);
    const backlog: SeedFeature[] = [];
    for (let i = 0; i < total; i++) {
      const deps = new Set<string>();
      if (i > 0 && random() < 0.4) {
        const count = 1 + Math.floor(random() * 3);
        for (let k = 0; k < count; k++) deps.add(`f${Math.floor(random() * i)}`);
      }
      backlog.push({ key: `f${i}`, priority: Math.floor(random() * 100), dependsOn: [...deps] });
    }
    const { projectId, ids } = await seed(backlog);
    const edges = backlog.flatMap((f) =>
      (f.dependsOn ?? []).map((dep) => ({ feature: ids.get(f.key), dependency: ids.get(dep) })),
    );

    // One sequence over all claimers (a single JS thread): claimDone is an upper bound of the
    // claim's snapshot, releaseStart a lower bound of the dependency's commit.
    let seq = 0;
    let passed = 0;
    const claimDone = new Map<string, number>();
    const releaseStart = new Map<string, number>();
    const claimsPerId = new Map<string, number>();
    const unmetAtClaim: string[] = [];
    const lostReleases: string[] = [];
    // Only a guard against a claimer loop that never ends: a loaded machine needs far longer
    // than the second or two this takes alone, and the test's own limit is 90 s.
    const deadline = Date.now() + 60_000;

    const claimer = async (n: number): Promise<void> => {
      const owner = `claimer-${n}`;
      while (passed < total && Date.now() < deadline) {
        const [feature] = await claims.claim({ projectId, owner, leaseMs: LEASE_MS });
        if (!feature) {
          // Everything ready is held by others; their releases unblock more.
          await sleep(2);
          continue;
        }
        claimDone.set(feature.id, ++seq);
        claimsPerId.set(feature.id, (claimsPerId.get(feature.id) ?? 0) + 1);
        // Dependencies only move towards passing here: one not passing now was not at claim time.
        const open = await prisma.featureDependency.count({
          where: { featureId: feature.id, dependsOn: { status: { not: 'passing' } } },
        });
        if (open > 0) unmetAtClaim.push(feature.id);
        releaseStart.set(feature.id, ++seq);
        if (!(await claims.release(feature.id, owner, { status: 'passing' }))) {
          lostReleases.push(feature.id);
        }
        passed++;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 32 }, (_, n) => claimer(n)));
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `500 features, ${edges.length} dependencies, 32 claimers: ${seconds.toFixed(2)} s ` +
        `(${(total / seconds).toFixed(0)} claims/s)`,
    );

    expect(passed).toBe(total);
    expect(claimsPerId.size).toBe(total);
    expect([...claimsPerId.values()].every((count) => count === 1)).toBe(true);
    expect(unmetAtClaim).toEqual([]);
    expect(lostReleases).toEqual([]);
    // A claim that returned before its dependency's release even started cannot have seen it pass.
    const early = edges.filter(
      ({ feature, dependency }) =>
        (claimDone.get(feature ?? '') ?? 0) < (releaseStart.get(dependency ?? '') ?? Infinity),
    );
    expect(early).toEqual([]);

    const rows = await prisma.feature.groupBy({
      by: ['status', 'attempts'],
      where: { projectId },
      _count: true,
    });
    expect(rows).toEqual([{ status: 'passing', attempts: 1, _count: total }]);
    expect(await counterDrift(projectId)).toEqual([]);
    expect(await claims.claim({ projectId, owner: 'late', leaseMs: LEASE_MS })).toEqual([]);
  });
});

/** Small seeded PRNG, so a failing graph can be reproduced. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
