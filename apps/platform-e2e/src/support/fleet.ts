// Helpers of the fleet suites: a backlog of independent features made through the api, the
// build's end, the fleet's consistency checks (database against the git server's repository),
// and the process holding a project's merge lock.
import type { PrismaService } from '@autocoder/server-db';
import type { FeatureView, ProjectView } from '@autocoder/shared-contracts';
import { waitFor } from '@autocoder/server-test-support';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiClient } from './api-client';
import type { Stack } from './stack';

/** First key of the merge queue's advisory lock (MERGE_LOCK_NAMESPACE of the merge-queue lib). */
const MERGE_LOCK_NAMESPACE = 0x4d51_0001;

export interface Backlog {
  projectId: string;
  featureIds: string[];
}

/**
 * A project with `features` independent features, made through the api (no initializer): each
 * coding session (llm-fake's coding-demo) writes `features/<id>.js` and `test/<id>.test.js`.
 */
export async function createBacklog(
  api: ApiClient,
  opts: { name: string; features: number; concurrency: number; verifyCommand: string },
): Promise<Backlog> {
  const created = await api.post<ProjectView>('/api/v1/projects', {
    name: opts.name,
    spec: 'A library of independent modules, each with a node:test test.',
    verifyCommand: opts.verifyCommand,
    concurrency: opts.concurrency,
  });
  if (created.status !== 201)
    throw new Error(`create project answered ${created.status}: ${JSON.stringify(created.body)}`);
  const featureIds: string[] = [];
  for (let i = 0; i < opts.features; i++) {
    const res = await api.post<FeatureView>(`/api/v1/projects/${created.body.id}/features`, {
      category: 'fleet',
      name: `Module ${i + 1}`,
      description: `Independent module ${i + 1} with its node:test test.`,
      steps: ['Run `node --test` and see its test pass'],
    });
    if (res.status !== 201)
      throw new Error(`create feature answered ${res.status}: ${JSON.stringify(res.body)}`);
    featureIds.push(res.body.id);
  }
  return { projectId: created.body.id, featureIds };
}

export async function startAgents(api: ApiClient, projectId: string, concurrency: number) {
  const started = await api.post<ProjectView>(`/api/v1/projects/${projectId}/agents/start`, {
    concurrency,
  });
  if (started.status !== 202)
    throw new Error(`agents/start answered ${started.status}: ${JSON.stringify(started.body)}`);
}

/** Waits until every feature passes and the project is ready again (its run over by itself). */
export async function waitForBuild(
  api: ApiClient,
  projectId: string,
  features: number,
  timeoutMs: number,
): Promise<ProjectView> {
  return waitFor(
    'every feature passing and the project ready',
    async () => {
      const p = await api.get<ProjectView>(`/api/v1/projects/${projectId}`);
      return p.body.status === 'ready' && p.body.counts.passing === features ? p.body : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

const git = (repo: string, args: string[]) =>
  execFileSync('git', [`--git-dir=${repo}`, ...args], { encoding: 'utf8', stdio: 'pipe' });

/** Feature-Id trailers of main's first-parent merges, oldest first, with their commits. */
function mainMerges(repo: string): { commit: string; featureId: string | null }[] {
  const out = git(repo, [
    'log',
    '--first-parent',
    '--merges',
    '--reverse',
    '--format=%H%x1f%B%x1e',
    'main',
  ]);
  return out
    .split('\x1e')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [commit, body = ''] = entry.split('\x1f');
      const id = /^Feature-Id:\s*([0-9a-f-]{36})\s*$/im.exec(body)?.[1] ?? null;
      return { commit: commit.trim(), featureId: id };
    });
}

/**
 * The fleet's end state, strictly: every feature passing, each merged on main exactly once (the
 * trailers of main's first-parent merges match the database's merged requests one to one), the
 * repository sound (`git fsck`), main's tree holding every feature's module and test, no
 * feature.passing twice, no merge request open, no lease, no run left, no worktree left (but in
 * the caches of `deadRunners`: a host that died keeps what it had on its disk).
 */
export async function expectFleetConsistent(
  stack: Stack,
  prisma: PrismaService,
  backlog: Backlog,
  opts: { deadRunners?: readonly string[] } = {},
): Promise<void> {
  const { projectId, featureIds } = backlog;
  const features = await prisma.feature.findMany({ where: { projectId } });
  expect(features).toHaveLength(featureIds.length);
  expect(features.filter((f) => f.status !== 'passing').map((f) => f.name)).toEqual([]);

  const repo = stack.repoOf(projectId);
  const merges = mainMerges(repo);
  const onMain = merges.map((m) => m.featureId);
  expect(onMain.filter((id) => id === null)).toEqual([]);
  expect([...onMain].sort()).toEqual([...featureIds].sort()); // each exactly once
  const merged = await prisma.mergeRequest.findMany({ where: { projectId, status: 'merged' } });
  expect(merged.map((r) => r.featureId).sort()).toEqual([...featureIds].sort());
  const mergeOf = new Map(merges.map((m) => [m.featureId, m.commit]));
  for (const r of merged) expect(r.mergeCommit).toBe(mergeOf.get(r.featureId));
  const open = await prisma.mergeRequest.count({
    where: { projectId, status: { in: ['queued', 'merging'] } },
  });
  expect(open).toBe(0);

  // A sound repository; main's tree has every feature's module and test.
  execFileSync('git', [`--git-dir=${repo}`, 'fsck', '--strict', '--no-dangling', '--no-progress'], {
    stdio: 'pipe',
  });
  const tree = new Set(git(repo, ['ls-tree', '-r', '--name-only', 'main']).split('\n'));
  for (const id of featureIds) {
    expect(tree.has(`features/${id}.js`)).toBe(true);
    expect(tree.has(`test/${id}.test.js`)).toBe(true);
  }

  const passing = await prisma.runEvent.findMany({
    where: { type: 'feature.passing', run: { projectId } },
  });
  const passed = passing.map((e) => (e.data as { featureId: string }).featureId);
  const missing = featureIds.filter((id) => passed.filter((p) => p === id).length !== 1);
  if (missing.length > 0) {
    // What the runs of those features went through, for the failure's reader.
    const runs = await prisma.run.findMany({
      where: { projectId, features: { some: { featureId: { in: missing } } } },
      include: { events: { orderBy: { id: 'asc' } }, features: true },
      orderBy: { queuedAt: 'asc' },
    });
    console.error(
      runs
        .map(
          (r) =>
            `run ${r.id} (${r.features.map((f) => f.featureId).join(',')}) attempt ${r.attempt} on ${r.runnerId}: ${r.status} ${r.error ?? ''}\n  ${r.events.map((e) => `${e.type}${e.type.includes('fail') || e.level === 'warn' || e.level === 'error' ? `(${e.message})` : ''}`).join(' ')}`,
        )
        .join('\n'),
    );
  }
  expect(passed.sort()).toEqual([...featureIds].sort()); // none twice, none missing

  const leased = await prisma.feature.count({
    where: { projectId, OR: [{ leaseOwner: { not: null } }, { status: 'in_progress' }] },
  });
  expect(leased).toBe(0);
  const inflight = await prisma.run.count({
    where: { projectId, status: { in: ['queued', 'running'] } },
  });
  expect(inflight).toBe(0);

  // Sessions discard their worktrees last (after the run's status): give them a moment.
  const worktrees = () =>
    readdirSync(stack.workspaceRoot)
      .filter((d) => d.startsWith('runner-') && !opts.deadRunners?.includes(d))
      .map((d) => join(stack.workspaceRoot, d, projectId, 'worktrees'))
      .flatMap((dir) => (existsSync(dir) ? readdirSync(dir) : []));
  const left = await waitFor(
    'the sessions to discard their worktrees',
    async () => (worktrees().length === 0 ? ['none'] : undefined),
    { timeoutMs: 30_000, intervalMs: 200 },
  ).catch(() => worktrees());
  expect(left).toEqual(['none']);
}

/**
 * The OS pid of the process whose merge worker holds the project's merge lock, if any: the
 * lock's backend (pg_locks) names it in its application_name (`autocoder merge worker host:pid`).
 */
export async function mergeLockHolder(
  prisma: PrismaService,
  projectId: string,
): Promise<number | undefined> {
  const rows = await prisma.$queryRawUnsafe<{ application_name: string }[]>(
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::int::oid
        AND l.objid = hashtext($2)::oid AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    MERGE_LOCK_NAMESPACE,
    projectId,
  );
  const name = rows[0]?.application_name;
  const pid = name ? /:(\d+)$/.exec(name)?.[1] : undefined;
  return pid ? Number(pid) : undefined;
}
