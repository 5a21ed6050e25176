#!/usr/bin/env node
// Coding sessions per second through the whole platform across 2 runner processes, against a raw
// baseline measured in the same run: 2 plain Node processes with a BullMQ Worker each (the same
// concurrency and worker options as the runners) moving the same number of empty jobs through
// the same Redis.
//
//   npx nx run-many -t build -p api,runner,llm-fake
//   node bench/sessions.mjs [--features 200] [--concurrency 5] [--rounds 3]
//   make bench-sessions
//
// The platform: the built llm-fake, api and 2 runners (dist/apps/*/main.js) on a scratch
// database (created, migrated, dropped) and a scratch QUEUE_PREFIX on the machine's Redis. Each
// round creates a project through the api with --features independent features, a verification
// command (`true`) and the concurrency of both runners together (2 × --concurrency, at most 10),
// then starts its agents (POST /api/v1/projects/:id/agents/start). A session is one coding
// session job from dispatch to finished: a runner takes the job, claims a feature, makes a git
// worktree, talks to llm-fake through the Claude SDK (apps/llm-fake/scenarios/bench-session.json:
// one streamed turn that writes a module and marks the feature passing), verifies the merge with
// main, merges under the project lock, marks the feature passing, finishes the run and dispatches
// the next session. Sessions per second = features / (last run finished − first run queued), from
// the runs' own timestamps.
//
// The baselines, per round: (1) 2 fresh worker processes, then --features empty jobs added in
// one bulk; jobs per second = jobs / (last job finished − bulk added). (2) The git work of a
// session done by a plain script, sequentially, against a fresh repository on the same git
// server (bench/git-baseline.mjs: fetch, worktree, commit, push the branch, merge, CAS publish,
// clean up); the platform's sessions/s over this is "the git cost of a session" (goal ≥ 0.5).
//
// Correctness, checked every round (sessionsOutcome in bench/support.mjs): every feature passing,
// finally claimed by exactly one run, passed once, its lease released, every run finished, the
// project's run over (status ready), and main holding every feature's module. Prints a JSON summary and the markdown row for
// docs/benchmarks.md; exits 1 on a correctness failure only (no target is set).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { plainGitSessions } from './git-baseline.mjs';
import {
  applyMigrations,
  defaultServerUrl,
  dropDatabase,
  withDatabase,
} from '../tools/prisma/engine.mjs';
import {
  clearRedis,
  option,
  redisUrl,
  root,
  runProjects,
  sessionsOutcome,
  startNode,
  startPlatform,
  sumViolations,
} from './support.mjs';

const RUNNERS = 2;
const FEATURES = option('features', 200);
const CONCURRENCY = option('concurrency', 5); // per runner process, and per baseline worker
const ROUNDS = option('rounds', 3); // the median round is reported: shared machines are noisy
const PROJECT_CONCURRENCY = Math.min(10, RUNNERS * CONCURRENCY); // the api allows 1–10
const ROUND_LIMIT_MS = 600_000;
/** The runners' agent-session worker options (apps/runner/src/app/agent-session.processor.ts). */
const WORKER_OPTIONS = { concurrency: CONCURRENCY, limiter: { max: 10_000, duration: 1000 } };

const connection = () => {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
};

// ---- A baseline worker process: `node bench/sessions.mjs --raw-worker <prefix> <queue>` ----
if (process.argv[2] === '--raw-worker') {
  const [, , , prefix, queue] = process.argv;
  const worker = new Worker(queue, async () => undefined, {
    ...WORKER_OPTIONS,
    connection: connection(),
    prefix,
  });
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    worker.close().finally(() => process.exit(0));
  });
} else {
  await main();
}

// ---- The benchmark -----------------------------------------------------------------------------

/** One round through the platform: a fresh project, its agents started, until its run is over. */
async function platformRound(base, db, workspace, round) {
  const { projectIds, wallSeconds } = await runProjects(base, db, {
    name: `bench sessions ${round}`,
    scenario: 'bench-session',
    concurrencies: [PROJECT_CONCURRENCY],
    features: FEATURES,
    limitMs: ROUND_LIMIT_MS,
  });
  const { firstQueued, lastFinished, ...outcome } = await sessionsOutcome(
    db,
    workspace,
    projectIds,
    FEATURES,
  );
  const seconds = (lastFinished - firstQueued) / 1000;
  return {
    projectId: projectIds[0],
    ...outcome,
    seconds: Math.round(seconds * 100) / 100,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    sessionsPerSecond: Math.round((FEATURES / seconds) * 100) / 100,
  };
}

/** One baseline round: 2 fresh worker processes, FEATURES empty jobs added in one bulk. */
async function baselineRound(prefix, round) {
  const name = `bench-empty-${round}`;
  const workers = Array.from({ length: RUNNERS }, (_, i) =>
    startNode(
      `raw worker ${i}`,
      [resolve(root, 'bench/sessions.mjs'), '--raw-worker', prefix, name],
      {
        REDIS_URL: redisUrl,
      },
    ),
  );
  const queue = new Queue(name, { connection: connection(), prefix });
  try {
    await Promise.all(
      workers.map(async (w) => {
        const deadline = Date.now() + 30_000;
        while (!w.lines.includes('ready')) {
          if (Date.now() > deadline || w.child.exitCode !== null) {
            throw new Error(`baseline worker not ready\n${w.output()}`);
          }
          await sleep(20);
        }
      }),
    );
    const added = Date.now();
    await queue.addBulk(
      Array.from({ length: FEATURES }, (_, i) => ({ name: 'empty', data: { i } })),
    );
    for (;;) {
      const counts = await queue.getJobCounts('completed', 'failed');
      if (counts.completed + counts.failed >= FEATURES) break;
      if (Date.now() - added > ROUND_LIMIT_MS) throw new Error('baseline jobs still running');
      await sleep(10);
    }
    const jobs = await queue.getJobs(['completed'], 0, FEATURES);
    const last = Math.max(...jobs.map((j) => j.finishedOn ?? 0));
    const seconds = (last - added) / 1000;
    return {
      jobs: jobs.length,
      seconds: Math.round(seconds * 1000) / 1000,
      jobsPerSecond: Math.round(jobs.length / seconds),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

function report(rounds) {
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  // The git cost's own median round (its ratio need not rank like the BullMQ one).
  const gitMedian = [...rounds].sort((a, b) => a.gitRatio - b.gitRatio)[
    Math.floor(rounds.length / 2)
  ];
  const violations = sumViolations(rounds.map((r) => r.platform.violations));
  const correct = Object.values(violations).every((n) => n === 0);
  console.log(
    JSON.stringify(
      {
        benchmark: 'sessions-per-second',
        runners: RUNNERS,
        concurrencyPerRunner: CONCURRENCY,
        projectConcurrency: PROJECT_CONCURRENCY,
        features: FEATURES,
        rounds,
        violations,
        sessionsPerSecond: median.platform.sessionsPerSecond,
        emptyJobsPerSecond: median.baseline.jobsPerSecond,
        ratio: median.ratio,
        plainGitSessionsPerSecond: gitMedian.plainGit.sessionsPerSecond,
        gitRatio: gitMedian.gitRatio,
        correct,
      },
      null,
      2,
    ),
  );
  const n = (x) => x.toLocaleString('en');
  console.log(
    `| coding sessions, ${RUNNERS} runners × concurrency ${CONCURRENCY} (${n(FEATURES)} independent features, project concurrency ${PROJECT_CONCURRENCY}, dispatch → run finished) | ${n(median.platform.sessionsPerSecond)} sessions/s (${median.platform.seconds} s) | ${RUNNERS} BullMQ workers × concurrency ${CONCURRENCY}, ${n(FEATURES)} empty jobs: ${n(median.baseline.jobsPerSecond)} jobs/s | ${median.ratio} |`,
  );
  console.log(
    `| git cost of a session: the platform's coding sessions (as above) vs a plain script doing a session's git operations sequentially on the same git server | ${n(gitMedian.platform.sessionsPerSecond)} sessions/s | ${n(gitMedian.plainGit.sessionsPerSecond)} sessions/s (${gitMedian.plainGit.sessions} in ${gitMedian.plainGit.seconds} s) | ${gitMedian.gitRatio} (goal ≥ 0.5) |`,
  );
  if (!correct) {
    console.error('FAILED: sessions broke the rules (see "violations")');
    process.exitCode = 1;
  }
}

/** A fresh repository on the platform's git server, and the environment giving git its token. */
async function gitServerRepository(git, name) {
  const authorization = `Basic ${Buffer.from(`bench:${git.token}`).toString('base64')}`;
  const res = await fetch(`${git.url}/api/repositories/${name}`, {
    method: 'PUT',
    headers: { authorization },
  });
  if (res.status !== 201) throw new Error(`git server answered ${res.status} creating ${name}`);
  return {
    url: `${git.url}/${name}.git`,
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
    },
  };
}

async function main() {
  const id = randomBytes(3).toString('hex');
  const prefix = `bench-sessions-${id}`;
  const rawPrefix = `bench-sessions-raw-${id}`;
  const dbUrl = withDatabase(
    process.env.BENCH_DATABASE_SERVER_URL ?? defaultServerUrl,
    `autocoder_bench_sessions_${id}`,
  );
  const workspace = mkdtempSync(join(tmpdir(), 'bench-sessions-'));
  let platform;
  const cleanUp = async () => {
    await platform?.stop();
    await dropDatabase(dbUrl).catch((err) => console.error(`scratch database: ${err.message}`));
    await clearRedis([prefix, rawPrefix]).catch((err) =>
      console.error(`scratch Redis keys: ${err.message}`),
    );
    rmSync(workspace, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanUp().finally(() => process.exit(130));
  });

  let db;
  try {
    await applyMigrations(dbUrl);
    platform = await startPlatform({
      dbUrl,
      prefix,
      workspace,
      runners: RUNNERS,
      concurrency: CONCURRENCY,
    });
    const { base } = platform;

    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let result;
      try {
        result = await platformRound(base, db, workspace, round);
      } catch (err) {
        throw new Error(`${err.message}\n${platform.output()}`);
      }
      const baseline = await baselineRound(rawPrefix, round);
      const plainGit = await plainGitSessions({
        sessions: Math.min(FEATURES, 60),
        createRemote: () => gitServerRepository(platform.git, `bench-plain-git-${id}-${round}`),
      });
      rounds.push({
        platform: result,
        baseline,
        plainGit,
        ratio: Math.round((result.sessionsPerSecond / baseline.jobsPerSecond) * 10_000) / 10_000,
        gitRatio: Math.round((result.sessionsPerSecond / plainGit.sessionsPerSecond) * 100) / 100,
      });
    }
    report(rounds);
  } finally {
    await db?.end();
    await cleanUp();
  }
}
