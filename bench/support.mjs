// Pieces the benchmarks share: a scratch database, the built apps on free loopback ports (the api
// alone, or the whole platform: llm-fake, runners and api), an open-loop request driver,
// percentiles, CPU time per process and for the machine, the Chromium flags, and the correctness
// checks of a round of coding sessions. Loopback only; every loop is bounded.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyMigrations,
  defaultServerUrl,
  dropDatabase,
  ensureDatabase,
  withDatabase,
} from '../tools/prisma/engine.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A whole-number `--name N` option. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} needs a whole number`);
  return value;
}

/** Whole numbers from a `--name 1,2,4` option. */
export function listOption(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const values = String(process.argv[i + 1] ?? '')
    .split(',')
    .map(Number);
  if (values.length === 0 || values.some((v) => !Number.isSafeInteger(v) || v < 1)) {
    throw new Error(`--${name} needs whole numbers separated by commas`);
  }
  return values;
}

export const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });

/** A migrated scratch database; `drop()` removes it. Dropped again if the migrations fail. */
export async function scratchDatabase(tag) {
  const server = process.env.BENCH_DATABASE_SERVER_URL ?? defaultServerUrl;
  const url = withDatabase(server, `autocoder_bench_${tag}_${randomBytes(4).toString('hex')}`);
  const drop = () => dropDatabase(url);
  try {
    await ensureDatabase(url);
    await applyMigrations(url);
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { url, drop };
}

/** Polls `url` until it answers 2xx; gives up after `timeoutMs`, or early once `gone()` is true. */
export async function waitOk(url, timeoutMs = 30_000, gone = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone()) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/**
 * The built api (dist/apps/api/main.js) on a free loopback port, without sign-in (AUTH_MODE=none
 * is allowed on loopback only), its own queue prefix; resolves once /health/live answers within
 * `readyTimeoutMs`. Its stderr goes to this process's; with `quiet` its output is kept instead and
 * only its last lines shown, in the error, if it does not start. `stop()` sends SIGTERM (SIGKILL
 * after 15 s) and waits for the exit; it does nothing once the api has exited.
 */
export async function startApi(env, { readyTimeoutMs = 30_000, quiet = false } = {}) {
  const port = await freePort();
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the api under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, resolve(root, 'dist/apps/api/main.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      AUTH_MODE: 'none',
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
      // A benchmark is not an abuse of the api: the per-caller limits would refuse it.
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '10000000',
      ...env,
    },
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'inherit'],
  });
  const lines = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) if (line) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise((ok) => child.once('exit', ok));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    if (gone()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitOk(`${base}/health/live`, readyTimeoutMs, gone);
  } catch (err) {
    const why = gone() ? `the api exited (${child.exitCode ?? child.signalCode})` : err.message;
    await stop();
    throw new Error(quiet ? `${why}\napi:\n${lines.slice(-40).join('\n')}` : why);
  }
  return { base, pid: child.pid, stop };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarise(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (v) => Math.round(v * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/**
 * Open-loop load: requests start on a fixed schedule (`rate` per second for `seconds`) whether
 * or not earlier ones answered, and each latency counts from its scheduled start, so a stall
 * shows in the figures instead of silently slowing the load (no coordinated omission).
 */
export async function openLoop(urls, { rate, seconds }) {
  const total = rate * seconds;
  const latencies = [];
  let failures = 0;
  const started = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const url = urls[i % urls.length];
    inflight.push(
      fetch(url)
        .then(async (res) => {
          await res.arrayBuffer();
          if (!res.ok) failures++;
          latencies.push(performance.now() - due);
        })
        .catch(() => failures++),
    );
  }
  await Promise.all(inflight);
  return { ...summarise(latencies), failures };
}

/**
 * CPU seconds each given process used so far (Linux /proc, same host); gone ones are left out.
 * With `children`, also what its exited and reaped children used (a runner's git processes).
 */
export function cpuByPid(pids, { children = false } = {}) {
  const seconds = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime (+ cutime + cstime), in USER_HZ
      let ticks = Number(fields[11]) + Number(fields[12]);
      if (children) ticks += Number(fields[13]) + Number(fields[14]);
      seconds.set(pid, ticks / 100);
    } catch {
      // exited
    }
  }
  return seconds;
}

/** Processes of this host whose command name (/proc/<pid>/comm) is one of `names`. */
export function pidsNamed(...names) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(+entry);
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** The whole machine's CPU ticks so far (/proc/stat): busy (not idle, not waiting for I/O), all. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number); // user … steal
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busy: total - ticks[3] - ticks[4], total };
}

/**
 * CPU seconds the processes used between two readings of cpuByPid, counting only those alive at
 * both. Unlike latency, CPU per request hardly moves with whatever else the machine is doing.
 */
export function cpuBetween(before, after) {
  let total = 0;
  for (const [pid, s] of after) if (before.has(pid)) total += s - before.get(pid);
  return total;
}

/**
 * Flags for Debian's Chromium (`apt-get install -y chromium`, at $CHROMIUM_PATH or
 * /usr/bin/chromium), headless: the list apps/admin-e2e/src/support/browser.ts launches the e2e
 * tests' browser with (a .mjs cannot import it; keep the two alike).
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---- The whole platform: llm-fake, runners and api ---------------------------------------------

/** A child Node process whose last output lines are kept for the error report. */
export function startNode(label, args, env) {
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
    pid: child.pid,
    lines,
    exited,
    gone: () => child.exitCode !== null || child.signalCode !== null,
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

/** waitOk for a process from startNode: fails early if it exits, and shows its last output. */
export async function waitServiceOk(url, service, timeoutMs = 60_000) {
  try {
    await waitOk(url, timeoutMs, service.gone);
  } catch (err) {
    throw new Error(`${err.message}\n${service.output()}`);
  }
  if (service.gone()) throw new Error(`${url}: ${service.label} exited\n${service.output()}`);
}

/** A call of the api's JSON routes (/api/v1…); a non-2xx answer throws with its body. */
export async function apiCall(base, method, path, body) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Deletes every Redis key under the given scratch prefixes. */
export async function clearRedis(prefixes) {
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

/**
 * The environment every platform process gets (llm-fake, api, runners): the one place to add a
 * variable the platform needs (a git server's address, say). `runner` adds a runner's own.
 */
export function platformEnv({ dbUrl, prefix, fakePort, workspace, gitPort, gitToken }) {
  return {
    DATABASE_URL: dbUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    LLM_PROVIDER: 'demo',
    LLM_FAKE_URL: `http://127.0.0.1:${fakePort}`,
    LLM_FAKE_PORT: String(fakePort),
    // Each process has its own WORKSPACE_ROOT (runnerEnv, startPlatform); repositories live on
    // the bundled git server, its root in <workspace>/git-server.
    WORKSPACE_ROOT: join(workspace, 'api'),
    GIT_SERVER_URL: `http://127.0.0.1:${gitPort}`,
    GIT_SERVER_TOKEN: gitToken,
    GIT_SERVER_PORT: String(gitPort),
    GIT_SERVER_ROOT: join(workspace, 'git-server'),
    AUTH_MODE: 'none',
    LOG_LEVEL: 'warn',
  };
}

/** What one runner process gets on top of platformEnv. */
export function runnerEnv({ index, healthPort, concurrency, workspace }) {
  return {
    WORKSPACE_ROOT: join(workspace, `runner-${index}`),
    RUNNER_ID: `bench-runner-${index}`,
    RUNNER_HEALTH_PORT: String(healthPort),
    RUNNER_CONCURRENCY: String(concurrency),
  };
}

/**
 * The built llm-fake, `runners` runner processes (RUNNER_CONCURRENCY `concurrency` each) and the
 * api (dist/apps/*\/main.js) on free loopback ports, on the given database, queue prefix and
 * workspace; resolves once each answers its health route. `stop()` stops them all.
 */
export async function startPlatform({ dbUrl, prefix, workspace, runners, concurrency }) {
  const services = [];
  const stop = () => Promise.all(services.map((s) => s.stop()));
  try {
    const [fakePort, apiPort, gitPort] = [await freePort(), await freePort(), await freePort()];
    const gitToken = randomBytes(24).toString('hex');
    const env = platformEnv({ dbUrl, prefix, fakePort, workspace, gitPort, gitToken });
    const fake = startNode('llm-fake', [resolve(root, 'dist/apps/llm-fake/main.js')], env);
    services.push(fake);
    await waitServiceOk(`${env.LLM_FAKE_URL}/_fake/health`, fake);
    const git = startNode('git-server', [resolve(root, 'dist/apps/git-server/main.js')], env);
    services.push(git);
    await waitServiceOk(`${env.GIT_SERVER_URL}/health`, git);
    const runnerServices = [];
    for (let index = 0; index < runners; index++) {
      const healthPort = await freePort();
      const runner = startNode(`runner ${index}`, [resolve(root, 'dist/apps/runner/main.js')], {
        ...env,
        ...runnerEnv({ index, healthPort, concurrency, workspace }),
      });
      services.push(runner);
      runnerServices.push(runner);
      await waitServiceOk(`http://127.0.0.1:${healthPort}/health`, runner);
    }
    const api = startNode('api', [resolve(root, 'dist/apps/api/main.js')], {
      ...env,
      API_PORT: String(apiPort),
    });
    services.push(api);
    const base = `http://127.0.0.1:${apiPort}`;
    await waitServiceOk(`${base}/health/ready`, api);
    return {
      base,
      pids: {
        fake: fake.pid,
        git: git.pid,
        api: api.pid,
        runners: runnerServices.map((r) => r.pid),
      },
      git: { url: env.GIT_SERVER_URL, token: gitToken },
      output: () => services.map((s) => s.output()).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---- A round of coding sessions: projects of independent features ------------------------------

/**
 * Creates one project per entry of `concurrencies` (that concurrency each) through the api, each
 * with `features` independent features, a verification command (`true`) and a spec naming the
 * llm-fake `scenario`; starts all their agents at once and waits until no project runs any more.
 * `onStart` is called just before the agents start. Returns the project ids and the wall time from
 * the first start request to the last project idle.
 */
export async function runProjects(
  base,
  db,
  { name, scenario, concurrencies, features, limitMs, onStart = () => undefined },
) {
  const ids = [];
  for (const [p, concurrency] of concurrencies.entries()) {
    const project = await apiCall(base, 'POST', '/projects', {
      name: `${name} ${p + 1}`,
      spec: `[scenario:${scenario}] A backlog of independent features for a benchmark.`,
      concurrency,
      verifyCommand: 'true',
    });
    for (let i = 0; i < features; i++) {
      await apiCall(base, 'POST', `/projects/${project.id}/features`, {
        category: 'bench',
        name: `Feature ${i + 1}`,
        description: `Independent feature ${i + 1}.`,
        steps: ['Its module exists'],
      });
    }
    ids.push({ id: project.id, concurrency });
  }
  onStart();
  const started = performance.now();
  await Promise.all(
    ids.map(({ id, concurrency }) =>
      apiCall(base, 'POST', `/projects/${id}/agents/start`, { concurrency }),
    ),
  );
  for (;;) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM "Project" WHERE "id" = ANY($1::uuid[]) AND "status" = 'running'`,
      [ids.map((p) => p.id)],
    );
    if (rows[0].n === 0) break;
    if (performance.now() - started > limitMs) {
      throw new Error(`${name}: projects still run after ${limitMs} ms`);
    }
    await sleep(100);
  }
  return {
    projectIds: ids.map((p) => p.id),
    wallSeconds: (performance.now() - started) / 1000,
  };
}

/** How many files main holds under features/ in a project's repository. */
export function featuresOnMain(workspace, projectId) {
  return execFileSync(
    'git',
    [
      `--git-dir=${join(workspace, 'git-server', `${projectId}.git`)}`,
      'ls-tree',
      '--name-only',
      'main',
      'features/',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean).length;
}

/**
 * What a round of coding sessions over `projectIds` (each with `features` features) did, from the
 * database and the repositories: runs by status, the first run queued and last finished, retries,
 * where a session's time went (p50/p90 per phase), warnings, and the rule violations (each must
 * be 0): a feature not passing, held (finally claimed) by two runs, passed twice, still leased; a
 * run not finished; a project still running; a feature's module missing on main.
 */
export async function sessionsOutcome(db, workspace, projectIds, features) {
  const ids = [projectIds];
  const { rows: runs } = await db.query(
    `SELECT "status", count(*)::int AS n, min("queuedAt") AS first, max("finishedAt") AS last,
            count(*) FILTER (WHERE "finishedAt" IS NULL)::int AS unfinished
     FROM "Run" WHERE "projectId" = ANY($1::uuid[]) AND "role" = 'coding' GROUP BY "status"`,
    ids,
  );
  // A feature "held twice" is the final claim of two runs (two sessions carried it to the end);
  // one re-claimed after a failed attempt gave it back (its lease released) is not.
  const { rows: checks } = await db.query(
    `WITH claims AS (
       SELECT e."runId", e."id", e."data"->>'featureId' AS feature, e."type"
       FROM "RunEvent" e JOIN "Run" r ON r."id" = e."runId"
       WHERE r."projectId" = ANY($1::uuid[]) AND e."type" IN ('feature.claimed', 'feature.passing')),
     final AS (
       SELECT DISTINCT ON ("runId") "runId", feature FROM claims
       WHERE "type" = 'feature.claimed' ORDER BY "runId", "id" DESC)
     SELECT
       (SELECT count(*) FROM "Feature" WHERE "projectId" = ANY($1::uuid[]) AND "status" <> 'passing')::int
         AS "notPassing",
       (SELECT count(*) FROM "Feature" WHERE "projectId" = ANY($1::uuid[])
          AND ("leaseOwner" IS NOT NULL OR "leaseExpiresAt" IS NOT NULL))::int AS "leased",
       (SELECT count(*) FROM "Feature" WHERE "projectId" = ANY($1::uuid[]) AND "attempts" > 1)::int
         AS "extraAttempts",
       (SELECT count(*) FROM (SELECT feature FROM final GROUP BY 1 HAVING count(*) > 1) x)::int
         AS "heldTwice",
       (SELECT count(*) FROM (SELECT feature FROM claims WHERE "type" = 'feature.passing'
                              GROUP BY 1 HAVING count(*) > 1) x)::int AS "passedTwice",
       (SELECT count(*) FROM (SELECT feature FROM claims WHERE "type" = 'feature.claimed'
                              GROUP BY 1 HAVING count(*) > 1) x)::int AS "reclaimed",
       (SELECT count(*) FROM "Project" WHERE "id" = ANY($1::uuid[]) AND "status" <> 'ready')::int
         AS "notReady",
       (SELECT count(*) FROM "Run" WHERE "projectId" = ANY($1::uuid[]) AND "attempt" > 1)::int
         AS "retried"`,
    ids,
  );
  const { rows: warnings } = await db.query(
    `SELECT "type", message, count(*)::int AS n
     FROM (SELECT e."type", regexp_replace(
                    regexp_replace(e."message", '[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', '<id>', 'g'),
                    '[0-9a-f]{12,40}', '<sha>', 'g') AS message
           FROM "RunEvent" e JOIN "Run" r ON r."id" = e."runId"
           WHERE r."projectId" = ANY($1::uuid[]) AND e."level" <> 'info') w
     GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10`,
    ids,
  );
  // Where a session's time goes, from its own timestamps (median and p90 over the round, ms).
  const { rows: phases } = await db.query(
    `WITH t AS (
       SELECT r."queuedAt" AS queued, r."startedAt" AS started, r."finishedAt" AS finished,
              min(e."createdAt") FILTER (WHERE e."type" = 'feature.claimed') AS claimed,
              min(e."createdAt") FILTER (WHERE e."type" = 'model.response') AS answered,
              max(e."createdAt") FILTER (WHERE e."type" = 'model.response') AS "lastAnswered",
              min(e."createdAt") FILTER (WHERE e."type" = 'workspace.committed') AS committed,
              min(e."createdAt") FILTER (WHERE e."type" = 'workspace.merged') AS merged
       FROM "Run" r JOIN "RunEvent" e ON e."runId" = r."id"
       WHERE r."projectId" = ANY($1::uuid[]) AND r."role" = 'coding'
       GROUP BY r."id"),
     p AS (
       SELECT 'queued → started' AS phase, 1 AS o, started - queued AS d FROM t
       UNION ALL SELECT 'started → feature claimed', 2, claimed - started FROM t
       UNION ALL SELECT 'claimed → model answered (worktree, model call)', 3, answered - claimed FROM t
       UNION ALL SELECT 'first → last model answer (tools, further model calls)', 4, "lastAnswered" - answered FROM t
       UNION ALL SELECT 'last answer → committed (tools, commit)', 5, committed - "lastAnswered" FROM t
       UNION ALL SELECT 'committed → merged (merge lock, verify, merge)', 6, merged - committed FROM t
       UNION ALL SELECT 'merged → run finished', 7, finished - merged FROM t
       UNION ALL SELECT 'queued → run finished (whole session)', 8, finished - queued FROM t)
     SELECT phase,
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM d)) * 1000) AS p50,
            round(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM d)) * 1000) AS p90
     FROM p GROUP BY phase, o ORDER BY o`,
    ids,
  );
  let missingOnMain = 0;
  for (const id of projectIds) missingOnMain += features - featuresOnMain(workspace, id);
  const c = checks[0];
  return {
    runs: Object.fromEntries(runs.map((r) => [r.status, r.n])),
    firstQueued: Math.min(...runs.map((r) => r.first.getTime())),
    lastFinished: Math.max(...runs.map((r) => r.last?.getTime() ?? 0)),
    retriedRuns: c.retried,
    featuresReclaimedAfterFailedAttempt: c.reclaimed,
    featuresWithExtraAttempts: c.extraAttempts,
    phasesMs: Object.fromEntries(phases.map((p) => [p.phase, { p50: p.p50, p90: p.p90 }])),
    warnings,
    violations: {
      featuresNotPassing: c.notPassing,
      featuresHeldTwice: c.heldTwice,
      featuresPassedTwice: c.passedTwice,
      featuresStillLeased: c.leased,
      runsNotFinished: runs.reduce((n, r) => n + r.unfinished, 0),
      projectsStillRunning: c.notReady,
      featuresMissingOnMain: missingOnMain,
    },
  };
}

/** Sums each key of the rounds' violation counts. */
export function sumViolations(list) {
  const total = {};
  for (const v of list) for (const [k, n] of Object.entries(v)) total[k] = (total[k] ?? 0) + n;
  return total;
}
