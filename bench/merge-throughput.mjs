#!/usr/bin/env node
// Merge throughput on one project: --agents coding agents finish together (their branches pushed
// to the git server at the same moment) and the project's merge queue merges them, each merge
// verified by a command taking --verify-seconds; features per minute with the batching queue
// (MERGE_BATCH_MAX 20) against one-at-a-time merging (MERGE_BATCH_MAX 1, the design before the
// queue: every branch merged, verified and published on its own), measured in the same run.
//
//   make bench-merge-queue
//   node bench/merge-throughput.mjs [--agents 10] [--verify-seconds 2] [--rounds 3]
//
// Real parts: a scratch Postgres database (migrated, dropped after), the bundled git server on
// loopback (startGitServer, a temporary root), two "runners" (two Nest application contexts with
// their own cache roots and their own MergeQueueService, as two runner processes have), each
// agent's branch made with ProjectRepository exactly as a session makes it (worktree from the
// remote's main, commit, push of autocoder/session/<run>). The timed part is what a session does
// after pushing: submit the branch to the queue and await the outcome (awaitOutcome, which drains
// the queue whenever the request waits and no other worker holds the project's lock). The clock
// runs from the first submit to the last outcome. Verification runs `sleep N` in the merged tree
// (unsandboxed here: the sandbox costs ~0.1 s to open per verification, docs/benchmarks.md).
//
// Checked every round: every request merged, every feature passing, main holding every agent's
// file, one merge commit per feature naming it. Prints JSON and the markdown row; exits 1 on a
// correctness failure or when the batching queue is below 4× one-at-a-time.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, loadavg, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyMigrations,
  defaultServerUrl,
  dropDatabase,
  withDatabase,
} from '../tools/prisma/engine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
};
const AGENTS = option('agents', 10);
const VERIFY_SECONDS = option('verify-seconds', 2);
const ROUNDS = option('rounds', 3);
const GOAL = 4;

const dbUrl = withDatabase(
  process.env.BENCH_DATABASE_SERVER_URL ?? defaultServerUrl,
  `autocoder_bench_merge_${randomBytes(4).toString('hex')}`,
);
const scratch = mkdtempSync(join(tmpdir(), 'bench-merge-'));

async function main() {
  await applyMigrations(dbUrl);
  process.env.SWC_NODE_PROJECT ??= resolve(root, 'tsconfig.base.json');
  require('@swc-node/register');
  const { paths } = JSON.parse(readFileSync(process.env.SWC_NODE_PROJECT, 'utf8')).compilerOptions;
  const lib = (alias) => require(resolve(root, paths[alias][0]));
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ConfigModule, loadConfig } = lib('@autocoder/server-config');
  const { DbModule, PrismaService } = lib('@autocoder/server-db');
  const { MergeQueueModule, MergeQueueService, INTEGRATION_TREES, MERGE_MESSAGE } = lib(
    '@autocoder/server-merge-queue',
  );
  const { ProjectRepository } = lib('@autocoder/server-workspace');
  const { mergeMessage } = require(resolve(root, 'libs/server/code/src/lib/merge-message.ts'));
  const { startGitServer } = lib('@autocoder/server-git-server');

  const token = randomBytes(24).toString('hex');
  const git = await startGitServer({ root: join(scratch, 'git-server'), token, port: 0 });
  const authorization = `Basic ${Buffer.from(`autocoder:${token}`).toString('base64')}`;
  const remotes = {
    async remoteFor(projectId) {
      const res = await fetch(`${git.url}/api/repositories/${projectId}`, {
        method: 'PUT',
        headers: { authorization },
      });
      if (res.status !== 200 && res.status !== 201) throw new Error(`git server: ${res.status}`);
      return { url: `${git.url}/${projectId}.git`, authorization };
    },
  };

  /** One runner: its own cache root, its own merge queue service (own lock connection). */
  async function startRunner(name, batchMax) {
    const repos = new ProjectRepository({ root: join(scratch, name), remotes });
    const config = loadConfig({
      DATABASE_URL: dbUrl,
      WORKSPACE_ROOT: join(scratch, name),
      MERGE_BATCH_MAX: String(batchMax),
      LOG_LEVEL: 'silent',
    });
    class RunnerModule {}
    Module({
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot({ databaseUrl: dbUrl }),
        MergeQueueModule.register({
          providers: [
            {
              provide: INTEGRATION_TREES,
              useValue: (projectId, branches) =>
                repos.openIntegrationTree(projectId, branches, {
                  verifyCommand: `sleep ${VERIFY_SECONDS}`,
                  timeoutMs: 60_000,
                }),
            },
            {
              provide: MERGE_MESSAGE,
              useValue: (r) =>
                mergeMessage({ id: r.featureId, name: r.featureName }, { id: r.runId }),
            },
          ],
        }),
      ],
    })(RunnerModule);
    const app = await NestFactory.createApplicationContext(RunnerModule, { logger: ['error'] });
    return { app, repos, queue: app.get(MergeQueueService), prisma: app.get(PrismaService) };
  }

  /** A round: a fresh project, AGENTS branches ready, all submitted at once; returns fpm. */
  async function round(mode, batchMax, n) {
    const runners = [
      await startRunner(`${mode}-${n}-a`, batchMax),
      await startRunner(`${mode}-${n}-b`, batchMax),
    ];
    const prisma = runners[0].prisma;
    try {
      const project = await prisma.project.create({
        data: {
          name: `bench merge ${mode} ${n} ${randomUUID()}`,
          spec: 'bench',
          status: 'running',
          verifyCommand: `sleep ${VERIFY_SECONDS}`,
        },
      });
      const agents = [];
      for (let i = 0; i < AGENTS; i++) {
        const feature = await prisma.feature.create({
          data: {
            projectId: project.id,
            priority: i,
            category: 'bench',
            name: `Feature ${i + 1}`,
            description: 'independent',
            status: 'in_progress',
            leaseOwner: `bench-${i}`,
            leaseExpiresAt: new Date(Date.now() + 3_600_000),
          },
        });
        const run = await prisma.run.create({
          data: { projectId: project.id, role: 'coding', status: 'running' },
        });
        const runner = runners[i % runners.length];
        const wt = await runner.repos.createWorktree(project.id, run.id);
        mkdirSync(join(wt.path, 'features'), { recursive: true });
        writeFileSync(join(wt.path, 'features', `${feature.id}.js`), `module.exports = ${i};\n`);
        await runner.repos.commitAll(wt, `bench: feature ${i + 1}`);
        const queued = await runner.repos.publishBranch(wt);
        agents.push({ runner, feature, run, queued, owner: `bench-${i}` });
      }
      // Together: every agent submits and waits, as sessions finishing at once do.
      const started = performance.now();
      const outcomes = await Promise.all(
        agents.map(async (a) => {
          const id = await a.runner.queue.submit({
            projectId: project.id,
            featureId: a.feature.id,
            runId: a.run.id,
            owner: a.owner,
            branch: a.queued.branch,
            commit: a.queued.commit,
          });
          return a.runner.queue.awaitOutcome(id);
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      // Correctness.
      const notMerged = outcomes.filter((o) => o.status !== 'merged').length;
      const notPassing = await prisma.feature.count({
        where: { projectId: project.id, status: { not: 'passing' } },
      });
      const bare = join(scratch, 'git-server', `${project.id}.git`);
      const files = execFileSync(
        'git',
        [`--git-dir=${bare}`, 'ls-tree', '--name-only', 'main', 'features/'],
        {
          encoding: 'utf8',
        },
      )
        .split('\n')
        .filter(Boolean).length;
      const trailers = execFileSync(
        'git',
        [
          `--git-dir=${bare}`,
          'log',
          '--first-parent',
          '--merges',
          '--format=%(trailers:key=Feature-Id,valueonly)',
          'main',
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter(Boolean);
      const batches = new Set(outcomes.map((o) => o.batchId)).size;
      return {
        mode,
        seconds: Math.round(seconds * 100) / 100,
        featuresPerMinute: Math.round((AGENTS / seconds) * 60 * 10) / 10,
        batches,
        violations: {
          notMerged,
          notPassing,
          missingOnMain: AGENTS - files,
          mergeCommitsNotOnePerFeature:
            trailers.length === AGENTS && new Set(trailers).size === AGENTS ? 0 : 1,
        },
      };
    } finally {
      for (const r of runners) await r.app.close();
    }
  }

  const rounds = [];
  try {
    for (let n = 0; n < ROUNDS; n++) {
      // Alternate, so load from elsewhere falls on both.
      const batched = await round('batching', 20, n);
      const single = await round('one-at-a-time', 1, n);
      rounds.push({
        batched,
        single,
        ratio: Math.round((batched.featuresPerMinute / single.featuresPerMinute) * 100) / 100,
      });
      console.error(
        `round ${n + 1}: batching ${batched.featuresPerMinute}/min (${batched.batches} batches), one at a time ${single.featuresPerMinute}/min`,
      );
    }
  } finally {
    await git.close();
  }
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  const violations = {};
  for (const r of rounds)
    for (const side of [r.batched, r.single])
      for (const [k, v] of Object.entries(side.violations))
        violations[k] = (violations[k] ?? 0) + v;
  const correct = Object.values(violations).every((v) => v === 0);
  console.log(
    JSON.stringify(
      {
        benchmark: 'merge-throughput',
        agents: AGENTS,
        verifySeconds: VERIFY_SECONDS,
        machine: { cores: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 10) / 10) },
        rounds,
        violations,
        correct,
        ratio: median.ratio,
        goal: GOAL,
      },
      null,
      2,
    ),
  );
  console.log(
    `| ${AGENTS} agents finishing together, verification ${VERIFY_SECONDS} s, 2 runners | batching queue: ${median.batched.featuresPerMinute} features/min (${median.batched.seconds} s, ${median.batched.batches} batch${median.batched.batches === 1 ? '' : 'es'}) | one at a time: ${median.single.featuresPerMinute} features/min (${median.single.seconds} s) | ${median.ratio}× (goal ≥ ${GOAL}×) |`,
  );
  if (!correct || median.ratio < GOAL) process.exitCode = 1;
}

try {
  await main();
} finally {
  await dropDatabase(dbUrl).catch((err) => console.error(`scratch database: ${err.message}`));
  rmSync(scratch, { recursive: true, force: true });
}
