// A fleet across hosts, with real processes: two runners, each with a cache of its own, reach the
// project's repository on the bundled git server over loopback and merge through the batching
// merge queue in Postgres. First a 20-feature build at project concurrency 4; then a build hit by
// a runner SIGKILLed (with the git push it started) while it publishes main, a replacement runner,
// and the git server closed and started again on the same port. Each ends with the fleet's strict
// checks (support/fleet.ts): every feature passing and merged on main exactly once, git fsck
// clean, nothing left queued, leased or running.
import { PrismaService } from '@autocoder/server-db';
import { waitFor } from '@autocoder/server-test-support';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './support/api-client';
import {
  createBacklog,
  expectFleetConsistent,
  mergeLockHolder,
  startAgents,
  waitForBuild,
} from './support/fleet';
import { startStack, Stack } from './support/stack';

describe('a fleet of runners on the git server', () => {
  let stack: Stack;
  let api: ApiClient;
  let prisma: PrismaService;

  beforeAll(async () => {
    // Short job locks: a killed runner's session is noticed as stalled within seconds.
    stack = await startStack({ runners: 2, env: { RUNNER_CONCURRENCY: '2', JOB_LOCK_MS: '4000' } });
    api = new ApiClient(stack.apiUrl);
    prisma = new PrismaService({ databaseUrl: stack.db.url });
    await prisma.$connect();
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await stack?.stop();
  });

  it('two runners build 20 independent features at project concurrency 4', async () => {
    const started = Date.now();
    const backlog = await createBacklog(api, {
      name: 'Fleet',
      features: 20,
      concurrency: 4,
      verifyCommand: 'node --test',
    });
    await startAgents(api, backlog.projectId, 4);
    await waitForBuild(api, backlog.projectId, 20, 150_000);
    await expectFleetConsistent(stack, prisma, backlog);

    // Both runners took sessions, and more than one session ran at once (never above 4).
    const runs = await prisma.run.findMany({
      where: { projectId: backlog.projectId, role: 'coding' },
    });
    expect(new Set(runs.map((r) => r.runnerId)).size).toBe(2);
    const edges = runs
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
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(peak).toBeLessThanOrEqual(4);
    // Merges were batched: fewer batches than requests.
    const batches = await prisma.mergeRequest.findMany({
      where: { projectId: backlog.projectId, status: 'merged' },
      select: { batchId: true },
    });
    console.info(
      `fleet build: 20 features in ${Math.round((Date.now() - started) / 1000)} s, peak ${peak} sessions, ${new Set(batches.map((b) => b.batchId)).size} merge batches`,
    );
  });

  it('survives a runner killed while it pushes main, and a git server restart, without manual steps', async () => {
    const FEATURES = 12;
    // A verification that takes a moment, so batches are in flight while sessions keep coming.
    const backlog = await createBacklog(api, {
      name: 'Fleet under faults',
      features: FEATURES,
      concurrency: 4,
      verifyCommand: 'sleep 1 && node --test',
    });
    const repo = stack.repoOf(backlog.projectId);
    // Made now (the first runner to need it would make it) so its hook can be swapped below.
    const made = await fetch(`${stack.git.url}/api/repositories/${backlog.projectId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stack.env['GIT_SERVER_TOKEN']}` },
    });
    expect(made.ok).toBe(true);
    expect(existsSync(join(repo, 'hooks', 'pre-receive'))).toBe(true);
    // A held publication of main: while armed, the server's pre-receive hook (before the real
    // one, which the ref update follows) marks that a push of main is in flight and holds it
    // until released (10 s at most), so the kill lands mid-push.
    const marks = mkdtempSync(join(tmpdir(), 'autocoder-push-'));
    writeFileSync(join(marks, 'armed'), '');
    const hook = join(repo, 'hooks', 'pre-receive');
    const realHook = join(repo, 'hooks', 'pre-receive.real');
    renameSync(hook, realHook);
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        'input=$(cat)',
        // An update of main (not its creation: the initial commit's old value is all zeros).
        `if [ -e '${marks}/armed' ] && printf '%s\\n' "$input" | grep -v '^0\\{40\\} ' | grep -q ' refs/heads/main$'; then`,
        `  touch '${marks}/push-'$$; i=0`,
        `  while [ ! -e '${marks}/release' ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`,
        'fi',
        `printf '%s\\n' "$input" | '${realHook}'`,
        '',
      ].join('\n'),
    );
    chmodSync(hook, 0o755);

    try {
      await startAgents(api, backlog.projectId, 4);
      // (a) Right when a main push is in flight, kill the host of the merge lock's holder.
      const holder = await waitFor(
        'a main push in flight and its merge worker',
        async () => {
          if (!readdirSync(marks).some((f) => f.startsWith('push-'))) return undefined;
          const pid = await mergeLockHolder(prisma, backlog.projectId);
          return stack.runners.find((r) => r.pid === pid);
        },
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      const merging = await prisma.mergeRequest.findMany({
        where: { projectId: backlog.projectId, status: 'merging' },
      });
      const candidate = merging.find((r) => r.candidate !== null)?.candidate;
      expect(candidate).toBeDefined();
      // The runner process only: the git push it started goes on as an orphan, after the lock
      // went with the runner's connection.
      await holder.stop('SIGKILL');
      // Disarmed, and the held push let go: the orphaned push lands now, racing the next
      // worker's reconciliation.
      rmSync(join(marks, 'armed'));
      writeFileSync(join(marks, 'release'), '');
      const replacement = await stack.startRunner();
      const survivors = [...stack.runners.filter((r) => r !== holder), replacement];

      // The next lock holder reconciles the batch the dead worker was publishing.
      await waitFor(
        'a surviving runner to reconcile the dead worker’s batch',
        async () =>
          survivors.some((r) => r.output().some((l) => l.includes('of a stopped merge worker'))),
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      const landed = survivors.some((r) =>
        r.output().some((l) => l.includes('of a stopped merge worker (on main)')),
      );

      // (b) Once a few more merges are in, the git server goes away and comes back.
      await waitFor(
        'more features passing',
        async () =>
          (await prisma.feature.count({
            where: { projectId: backlog.projectId, status: 'passing' },
          })) >=
          FEATURES / 2,
        { timeoutMs: 120_000, intervalMs: 250 },
      );
      await stack.restartGit({ downMs: 2000 });

      await waitForBuild(api, backlog.projectId, FEATURES, 180_000);
      await expectFleetConsistent(stack, prisma, backlog, {
        deadRunners: [stack.runnerIdOf(holder) ?? ''],
      });
      // Reconciled as on main, or as not (then the orphaned push lost its CAS to the next
      // worker's, or landed after it and the next batch found its merges already there).
      const orphanLanded =
        spawnSync('git', [
          `--git-dir=${repo}`,
          'merge-base',
          '--is-ancestor',
          `${candidate}`,
          'main',
        ]).status === 0;
      console.info(
        `killed mid-push: reconciled as ${landed ? 'on main' : 'not on main'}; its candidate ${orphanLanded ? 'is' : 'is not'} on main`,
      );
      // The replacement had work to do: it or the survivor merged after the kill.
      expect(replacement.exit).toBeUndefined();
    } finally {
      rmSync(marks, { recursive: true, force: true });
    }
  });
});
