// The product's main path end to end, as separate processes: a spec → the initializer writes 22
// features with dependencies → the coding agents (3 at a time, in 2 runner processes) implement
// them in worktrees of a real git repository, each merge verified by a real command (`node --test`
// over every test merged so far) → every feature passing, main holding every merge.
import { PrismaService } from '@autocoder/server-db';
import type { ProjectSpendView, ProjectView } from '@autocoder/shared-contracts';
import { waitFor } from '@autocoder/server-test-support';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './support/api-client';
import { startStack, Stack } from './support/stack';

const FEATURES = 22;

describe('full build, end to end', () => {
  let stack: Stack;
  let api: ApiClient;
  let prisma: PrismaService;

  beforeAll(async () => {
    stack = await startStack({ runners: 2, env: { RUNNER_CONCURRENCY: '2' } });
    api = new ApiClient(stack.apiUrl);
    prisma = new PrismaService({ databaseUrl: stack.db.url });
    await prisma.$connect();
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await stack?.stop();
  });

  it('builds every feature with 3 concurrent sessions on 2 runners, main verified', async () => {
    const created = await api.post<ProjectView>('/api/v1/projects', {
      name: 'String utilities',
      spec: '[scenario:build] A library of string utilities, each with a node:test test.',
      verifyCommand: 'node --test',
      concurrency: 3,
      agents: { testingAgents: 1 },
      start: true,
    });
    expect(created.status).toBe(201);
    const projectId = created.body.id;
    const init = await api.finishedRun(projectId);
    expect(init.status).toBe('succeeded');

    const started = await api.post<ProjectView>(`/api/v1/projects/${projectId}/agents/start`, {});
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('running');

    const done = await waitFor(
      'every feature passing',
      async () => {
        const p = await api.get<ProjectView>(`/api/v1/projects/${projectId}`);
        return p.body.status === 'ready' && p.body.counts.passing === FEATURES ? p.body : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    expect(done.counts).toMatchObject({
      passing: FEATURES,
      pending: 0,
      in_progress: 0,
      failing: 0,
    });

    const coding = await prisma.run.findMany({
      where: { projectId, role: 'coding' },
      include: { features: true },
      orderBy: { startedAt: 'asc' },
    });
    const succeeded = coding.filter((r) => r.status === 'succeeded' && r.features.length > 0);
    // Every feature passed exactly once: no double claims, no feature marked passing twice.
    const passingEvents = await prisma.runEvent.findMany({
      where: { type: 'feature.passing', run: { projectId, role: 'coding' } },
    });
    const passedIds = passingEvents.map((e) => (e.data as { featureId: string }).featureId);
    expect(passedIds).toHaveLength(FEATURES);
    expect(new Set(passedIds).size).toBe(FEATURES);
    expect(succeeded.length).toBeGreaterThanOrEqual(FEATURES);
    // No two runs ever held the same feature at the same time.
    const byFeature = new Map<string, { start: number; end: number }[]>();
    for (const r of coding) {
      if (!r.startedAt || !r.finishedAt) continue;
      for (const f of r.features) {
        const list = byFeature.get(f.featureId) ?? [];
        list.push({ start: r.startedAt.getTime(), end: r.finishedAt.getTime() });
        byFeature.set(f.featureId, list);
      }
    }
    for (const spans of byFeature.values()) {
      spans.sort((a, b) => a.start - b.start);
      for (let i = 1; i < spans.length; i++)
        expect(spans[i].start).toBeGreaterThanOrEqual(spans[i - 1].end);
    }
    // Up to 3 sessions at once, and 3 reached; both runner processes took sessions.
    const edges = coding
      .flatMap((r) =>
        r.startedAt && r.finishedAt
          ? [
              { t: r.startedAt.getTime(), d: 1 },
              { t: r.finishedAt.getTime(), d: -1 },
            ]
          : [],
      )
      .sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (now += e.d));
    expect(peak).toBe(3);
    expect(new Set(coding.map((r) => r.runnerId)).size).toBe(2);

    // Usage and cost per run, spend per feature split into new work and regression checks.
    // Prompt caching marks the whole transcript every turn, so a turn's fresh input can be 0
    // (Anthropic counts only what follows the last breakpoint): every token is read or written.
    for (const r of succeeded) {
      expect(r.tokensIn + r.cacheReadTokens + r.cacheWriteTokens).toBeGreaterThan(0);
      expect(Number(r.costUsd)).toBeGreaterThan(0);
    }
    expect(succeeded.some((r) => r.cacheReadTokens > 0)).toBe(true);
    const spend = await api.get<ProjectSpendView>(`/api/v1/projects/${projectId}/spend`);
    expect(spend.status).toBe(200);
    expect(spend.body.project.newWorkUsd).toBeGreaterThan(0);
    expect(spend.body.features.filter((f) => f.newWorkUsd > 0)).toHaveLength(FEATURES);
    const testing = await prisma.run.count({ where: { projectId, role: 'testing' } });
    if (testing > 0) expect(spend.body.project.regressionUsd).toBeGreaterThan(0);

    // main holds every feature and passes the verification command on a fresh checkout.
    const res = await fetch(`${stack.apiUrl}/api/v1/projects/${projectId}/repository.tar.gz`);
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'autocoder-main-'));
    try {
      writeFileSync(join(dir, 'main.tar.gz'), Buffer.from(await res.arrayBuffer()));
      execFileSync('tar', ['xzf', 'main.tar.gz'], { cwd: dir });
      rmSync(join(dir, 'main.tar.gz'));
      expect(readdirSync(join(dir, 'features'))).toHaveLength(FEATURES);
      expect(readdirSync(join(dir, 'test'))).toHaveLength(FEATURES);
      execFileSync('node', ['--test'], { cwd: dir, stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const repo = stack.repoOf(projectId);
    const merges = execFileSync('git', [`--git-dir=${repo}`, 'log', '--format=%s', 'main'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((s) => s.startsWith('Merge '));
    expect(merges).toHaveLength(FEATURES);

    // A run's diff shows what it merged.
    const one = succeeded[0];
    const diff = await api.get<string>(`/api/v1/runs/${one.id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toContain(`features/${one.features[0].featureId}.js`);
  });
});
