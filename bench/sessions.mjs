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
// The baseline: per round, 2 fresh worker processes, then --features empty jobs added in one
// bulk; jobs per second = jobs / (last job finished − bulk added).
//
// Correctness, checked every round: every feature passing after exactly one attempt, claimed by
// exactly one run, every run finished (succeeded), the project's run over (status ready), and main
// holding every feature's module. Prints a JSON summary and the markdown row for
// docs/benchmarks.md; exits 1 on a correctness failure only (no target is set).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import {
  applyMigrations,
  defaultServerUrl,
  dropDatabase,
  withDatabase,
} from '../tools/prisma/engine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} needs a whole number`);
  return value;
};
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

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

/** A child process whose last output lines are kept for the error report. */
function start(label, args, env) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) if (line) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  return {
    label,
    child,
    lines,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    output: () => `${label}:\n${lines.slice(-40).join('\n')}`,
  };
}

async function waitOk(url, service, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) break;
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready\n${service.output()}`);
}

async function api(base, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** One round through the platform: a fresh project, its agents started, until its run is over. */
async function platformRound(base, db, workspace, round) {
  const project = await api(base, 'POST', '/projects', {
    name: `bench sessions ${round}`,
    spec: '[scenario:bench-session] A backlog of independent features for bench/sessions.mjs.',
    concurrency: PROJECT_CONCURRENCY,
    verifyCommand: 'true',
  });
  for (let i = 0; i < FEATURES; i++) {
    await api(base, 'POST', `/projects/${project.id}/features`, {
      category: 'bench',
      name: `Feature ${i + 1}`,
      description: `Independent feature ${i + 1}.`,
      steps: ['Its module exists'],
    });
  }

  const started = performance.now();
  await api(base, 'POST', `/projects/${project.id}/agents/start`, {
    concurrency: PROJECT_CONCURRENCY,
  });
  for (;;) {
    const { rows } = await db.query(`SELECT "status" FROM "Project" WHERE "id" = $1`, [project.id]);
    if (rows[0].status !== 'running') break;
    if (performance.now() - started > ROUND_LIMIT_MS) {
      throw new Error(`round ${round}: the project still runs after ${ROUND_LIMIT_MS} ms`);
    }
    await sleep(100);
  }
  const wallSeconds = (performance.now() - started) / 1000;

  const { rows: runs } = await db.query(
    `SELECT "status", count(*)::int AS n, min("queuedAt") AS first, max("finishedAt") AS last,
            count(*) FILTER (WHERE "finishedAt" IS NULL)::int AS unfinished
     FROM "Run" WHERE "projectId" = $1 AND "role" = 'coding' GROUP BY "status"`,
    [project.id],
  );
  // A feature "held twice" is the final claim of two runs (two sessions carried it to the end);
  // one re-claimed after a failed attempt gave it back (its lease released) is not.
  const { rows: features } = await db.query(
    `WITH claims AS (
       SELECT e."runId", e."id", e."data"->>'featureId' AS feature, e."type"
       FROM "RunEvent" e JOIN "Run" r ON r."id" = e."runId"
       WHERE r."projectId" = $1 AND e."type" IN ('feature.claimed', 'feature.passing')),
     final AS (
       SELECT DISTINCT ON ("runId") "runId", feature FROM claims
       WHERE "type" = 'feature.claimed' ORDER BY "runId", "id" DESC)
     SELECT
       (SELECT count(*) FROM "Feature" WHERE "projectId" = $1 AND "status" <> 'passing')::int
         AS "notPassing",
       (SELECT count(*) FROM "Feature" WHERE "projectId" = $1 AND "attempts" > 1)::int
         AS "extraAttempts",
       (SELECT count(*) FROM (SELECT feature FROM final GROUP BY 1 HAVING count(*) > 1) x)::int
         AS "heldTwice",
       (SELECT count(*) FROM (SELECT feature FROM claims WHERE "type" = 'feature.passing'
                              GROUP BY 1 HAVING count(*) > 1) x)::int AS "passedTwice",
       (SELECT count(*) FROM (SELECT feature FROM claims WHERE "type" = 'feature.claimed'
                              GROUP BY 1 HAVING count(*) > 1) x)::int AS "reclaimed"`,
    [project.id],
  );
  // Sessions that had to run again, and why: not wrong by themselves, but they cost time.
  const { rows: retried } = await db.query(
    `SELECT count(*)::int AS n FROM "Run" WHERE "projectId" = $1 AND "attempt" > 1`,
    [project.id],
  );
  const { rows: warnings } = await db.query(
    `SELECT "type", message, count(*)::int AS n
     FROM (SELECT e."type", regexp_replace(
                    regexp_replace(e."message", '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', '<id>', 'g'),
                    '[0-9a-f]{12,40}', '<sha>', 'g') AS message
           FROM "RunEvent" e JOIN "Run" r ON r."id" = e."runId"
           WHERE r."projectId" = $1 AND e."level" <> 'info') w
     GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10`,
    [project.id],
  );
  // Where a session's time goes, from its own timestamps (median and p90 over the round, ms).
  const { rows: phases } = await db.query(
    `WITH t AS (
       SELECT r."queuedAt" AS queued, r."startedAt" AS started, r."finishedAt" AS finished,
              min(e."createdAt") FILTER (WHERE e."type" = 'feature.claimed') AS claimed,
              min(e."createdAt") FILTER (WHERE e."type" = 'model.response') AS answered,
              min(e."createdAt") FILTER (WHERE e."type" = 'workspace.committed') AS committed,
              min(e."createdAt") FILTER (WHERE e."type" = 'workspace.merged') AS merged
       FROM "Run" r JOIN "RunEvent" e ON e."runId" = r."id"
       WHERE r."projectId" = $1 AND r."role" = 'coding'
       GROUP BY r."id"),
     p AS (
       SELECT 'queued → started' AS phase, 1 AS o, started - queued AS d FROM t
       UNION ALL SELECT 'started → feature claimed', 2, claimed - started FROM t
       UNION ALL SELECT 'claimed → model answered (worktree, model call)', 3, answered - claimed FROM t
       UNION ALL SELECT 'answered → committed (tools, commit)', 4, committed - answered FROM t
       UNION ALL SELECT 'committed → merged (merge lock, verify, merge)', 5, merged - committed FROM t
       UNION ALL SELECT 'merged → run finished', 6, finished - merged FROM t)
     SELECT phase,
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d)) * 1000) AS p50,
            round(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d)) * 1000) AS p90
     FROM p GROUP BY phase, o ORDER BY o`,
    [project.id],
  );
  const { rows: status } = await db.query(`SELECT "status" FROM "Project" WHERE "id" = $1`, [
    project.id,
  ]);
  // Every session's module landed on main.
  const onMain = execFileSync(
    'git',
    [
      `--git-dir=${join(workspace, project.id, 'repo')}`,
      'ls-tree',
      '--name-only',
      'main',
      'features/',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean).length;

  const byStatus = Object.fromEntries(runs.map((r) => [r.status, r.n]));
  const first = Math.min(...runs.map((r) => r.first.getTime()));
  const last = Math.max(...runs.map((r) => r.last?.getTime() ?? 0));
  const seconds = (last - first) / 1000;
  const f = features[0];
  const violations = {
    featuresNotPassing: f.notPassing,
    featuresHeldTwice: f.heldTwice,
    featuresPassedTwice: f.passedTwice,
    runsNotFinished: runs.reduce((n, r) => n + r.unfinished, 0),
    projectStillRunning: status[0].status === 'ready' ? 0 : 1,
    featuresMissingOnMain: FEATURES - onMain,
  };
  return {
    projectId: project.id,
    runs: byStatus,
    retriedRuns: retried[0].n,
    featuresReclaimedAfterFailedAttempt: f.reclaimed,
    featuresWithExtraAttempts: f.extraAttempts,
    phasesMs: Object.fromEntries(phases.map((p) => [p.phase, { p50: p.p50, p90: p.p90 }])),
    warnings,
    seconds: Math.round(seconds * 100) / 100,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    sessionsPerSecond: Math.round((FEATURES / seconds) * 100) / 100,
    violations,
  };
}

/** One baseline round: 2 fresh worker processes, FEATURES empty jobs added in one bulk. */
async function baselineRound(prefix, round) {
  const name = `bench-empty-${round}`;
  const workers = Array.from({ length: RUNNERS }, (_, i) =>
    start(`raw worker ${i}`, [resolve(root, 'bench/sessions.mjs'), '--raw-worker', prefix, name], {
      REDIS_URL: redisUrl,
    }),
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

/** Deletes every Redis key under a scratch prefix. */
async function clearRedis(prefixes) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

function report(rounds) {
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  const violations = {};
  for (const r of rounds) {
    for (const [k, v] of Object.entries(r.platform.violations))
      violations[k] = (violations[k] ?? 0) + v;
  }
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
  if (!correct) {
    console.error('FAILED: sessions broke the rules (see "violations")');
    process.exitCode = 1;
  }
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
  const services = [];
  const cleanUp = async () => {
    await Promise.all(services.map((s) => s.stop()));
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
    const [fakePort, apiPort] = [await freePort(), await freePort()];
    const fakeUrl = `http://127.0.0.1:${fakePort}`;
    const env = {
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fakeUrl,
      LLM_FAKE_PORT: String(fakePort),
      WORKSPACE_ROOT: workspace,
      AUTH_MODE: 'none',
      LOG_LEVEL: 'warn',
    };
    const fake = start('llm-fake', [resolve(root, 'dist/apps/llm-fake/main.js')], env);
    services.push(fake);
    await waitOk(`${fakeUrl}/_fake/health`, fake);
    for (let i = 0; i < RUNNERS; i++) {
      const port = await freePort();
      const runner = start(`runner ${i}`, [resolve(root, 'dist/apps/runner/main.js')], {
        ...env,
        RUNNER_ID: `bench-runner-${i}`,
        RUNNER_HEALTH_PORT: String(port),
        RUNNER_CONCURRENCY: String(CONCURRENCY),
      });
      services.push(runner);
      await waitOk(`http://127.0.0.1:${port}/health`, runner);
    }
    const apiService = start('api', [resolve(root, 'dist/apps/api/main.js')], {
      ...env,
      API_PORT: String(apiPort),
    });
    services.push(apiService);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitOk(`${base}/health/ready`, apiService);

    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let platform;
      try {
        platform = await platformRound(base, db, workspace, round);
      } catch (err) {
        throw new Error(`${err.message}\n${services.map((s) => s.output()).join('\n')}`);
      }
      const baseline = await baselineRound(rawPrefix, round);
      rounds.push({
        platform,
        baseline,
        ratio: Math.round((platform.sessionsPerSecond / baseline.jobsPerSecond) * 10_000) / 10_000,
      });
    }
    report(rounds);
  } finally {
    await db?.end();
    await cleanUp();
  }
}
