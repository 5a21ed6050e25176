#!/usr/bin/env node
// The board API under a fixed request rate: GET /api/v1/projects/:id/board of a 10,000-feature
// project at 200 requests/s, against an empty route (GET /health/live) at the same rate in the
// same run, on the same api process, over the same loopback connections.
//
//   npx nx build api
//   node bench/board-api.mjs [--features 10000] [--rate 200] [--seconds 20] [--writes 5]
//   make bench-board-api
//
// The platform: the built api (dist/apps/api/main.js) with AUTH_MODE=none on 127.0.0.1, a
// scratch database (created, migrated, dropped) and a scratch QUEUE_PREFIX on the machine's
// Redis. The rate limits are raised out of the way but stay on, so both routes pay for them. The
// project's features are written straight into the database (one statement each, seconds): 12
// categories, priorities 1..N, statuses as a project midway through its build (about 45 %
// passing, in the lower priorities, a few in progress, failing and waiting for a person, the rest
// pending), 30 % of them with 1–3 dependencies on earlier features, and three other projects of
// 2,000 features beside it so that the project filter has work to do.
//
// The load is open-loop: request i is due at start + i / rate whatever happened to the ones
// before, and its latency runs from when it was due to the end of its body, so a slow answer
// delays the figures of the requests queued behind it instead of hiding them (no coordinated
// omission). Connections are kept alive (node:http); requests accept gzip as a browser's do and
// send no If-None-Match, so every answer is sent in full. While every phase runs, --writes
// feature updates per second are committed (an attempt and an error on a random feature, as
// agents at work make them): the api keeps built board answers until the project's features
// change (BoardAnswers), so each write makes its next answer a rebuilt one ("answers" counts the
// distinct answers served, by ETag). Phases, one after another: a 5 s warm-up
// of the board (not reported), then the empty route, the board's first page (50 per column), the
// board filtered by a word (`q`), the board of one column (`status`), each for --seconds. Before
// each phase the api is let settle (the empty route answering within 20 ms again) and the route
// is asked 50 times one request at a time: its service time without queueing ("alone"), then 50
// times more with a write committed before each ("built": the cost of an answer built afresh,
// what every request cost before answers were kept). Each phase also
// reports the CPU per request of the api process and of the database's backends (Linux /proc),
// which, unlike latency, other work on a shared machine hardly moves.
//
// Correctness, checked on the first answer of each phase against SQL on the same database: the
// columns, their totals, the page size; and after the warm-up and after the last phase, a write
// must be in the very next answer. Prints a table, a JSON summary and the markdown rows for
// docs/benchmarks.md; exits 1 on a wrong answer, a failed request, or a board (first page) p99
// over 50 ms; the filtered variants are reported beside it.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { loadavg } from 'node:os';
import pg from 'pg';
import {
  cpuBetween,
  cpuByPid,
  option,
  percentile,
  scratchDatabase,
  sleep,
  startApi,
} from './support.mjs';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const FEATURES = option('features', 10_000);
const RATE = option('rate', 200); // requests per second, every phase
const SECONDS = option('seconds', 20); // per phase
// Feature updates per second during every phase, as agents at work make them (0: none).
const WRITES = option('writes', 5);
const WARM_UP_SECONDS = 5;
const SERIAL_REQUESTS = 50; // one at a time before each phase: service time without queueing
const TARGET_P99_MS = 50;
const REQUEST_TIMEOUT_MS = 10_000;
const OTHER_PROJECTS = 3;
const OTHER_PROJECT_FEATURES = 2_000;
/** The `q` phase's word: in about one feature name in 25 and some descriptions (see NOUNS). */
const QUERY = 'invoice';

const CATEGORIES = [
  'setup',
  'data model',
  'auth',
  'API',
  'UI',
  'search',
  'billing',
  'notifications',
  'admin',
  'reports',
  'integrations',
  'polish',
];
const VERBS = [
  'Create',
  'Edit',
  'Delete',
  'List',
  'Export',
  'Import',
  'Filter',
  'Share',
  'Archive',
];
const NOUNS = [
  'invoice',
  'customer',
  'order',
  'product',
  'report',
  'team',
  'comment',
  'attachment',
  'project',
  'task',
  'label',
  'webhook',
  'payment',
  'dashboard',
  'calendar',
  'message',
  'document',
  'tag',
  'subscription',
  'note',
  'contact',
  'workspace',
  'reminder',
  'milestone',
  'audit entry',
];

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same backlog. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A backlog of `count` features as column arrays for one INSERT … SELECT FROM unnest(…). */
function backlog(count, seed) {
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const rows = { priority: [], category: [], name: [], description: [], steps: [], status: [] };
  const edges = [];
  const passingUpTo = Math.floor(count * 0.45);
  for (let i = 0; i < count; i++) {
    const verb = pick(VERBS);
    const noun = pick(NOUNS);
    const other = pick(NOUNS);
    const category = pick(CATEGORIES);
    let status;
    if (i < passingUpTo) status = rnd() < 0.03 ? 'failing' : 'passing';
    else if (i < passingUpTo + 5) status = 'in_progress';
    else {
      const r = rnd();
      status = r < 0.02 ? 'needs_input' : r < 0.06 ? 'failing' : 'pending';
    }
    rows.priority.push(i + 1);
    rows.category.push(category);
    rows.name.push(`${verb} a ${noun} (${category} ${i + 1})`);
    rows.description.push(
      `As a signed-in user I can ${verb.toLowerCase()} a ${noun} from its page, and the ` +
        `${other} list shows the change at once. Validation errors name the field and the reason; ` +
        `an empty state explains what to do first.`,
    );
    rows.steps.push(
      JSON.stringify([
        `Sign in and open the ${noun} page`,
        `${verb} a ${noun} and save`,
        `See the ${other} list updated`,
        'Reload and see the change kept',
      ]),
    );
    rows.status.push(status);
    if (i >= 10 && rnd() < 0.3) {
      const n = 1 + Math.floor(rnd() * 3);
      const deps = new Set();
      for (let k = 0; k < n; k++) deps.add(Math.max(0, i - 1 - Math.floor(rnd() * 200)));
      for (const d of deps) edges.push([i, d]);
    }
  }
  return { rows, edges };
}

export async function seedProject(db, name, count, seed) {
  const {
    rows: [project],
  } = await db.query(
    `INSERT INTO "Project" ("id", "name", "spec", "status", "verifyCommand", "updatedAt")
     VALUES (gen_random_uuid(), $1, 'A project management app, for bench/board-api.mjs.', 'running', 'npm test', now())
     RETURNING "id"`,
    [name],
  );
  const { rows, edges } = backlog(count, seed);
  const { rows: ids } = await db.query(
    `INSERT INTO "Feature" ("id", "projectId", "priority", "category", "name", "description",
                            "steps", "status", "attempts", "passedAt", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, p, c, n, d, s::jsonb, st::"FeatureStatus",
            CASE WHEN st IN ('failing', 'needs_input') THEN 1 ELSE 0 END,
            CASE WHEN st = 'passing' THEN now() END, now()
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
          AS t(p, c, n, d, s, st)
     RETURNING "id", "priority"`,
    [
      project.id,
      rows.priority,
      rows.category,
      rows.name,
      rows.description,
      rows.steps,
      rows.status,
    ],
  );
  const idAt = new Array(count);
  for (const r of ids) idAt[r.priority - 1] = r.id;
  // One statement, as the backlog writer does: the triggers count readiness once for all.
  await db.query(
    `INSERT INTO "FeatureDependency" ("projectId", "featureId", "dependsOnId")
     SELECT $1::uuid, f, d FROM unnest($2::uuid[], $3::uuid[]) AS t(f, d)`,
    [project.id, edges.map(([f]) => idAt[f]), edges.map(([, d]) => idAt[d])],
  );
  return { id: project.id, edges: edges.length };
}

// ---- Redis -------------------------------------------------------------------------------------

/** Deletes every Redis key under a scratch prefix (the rate limiter's counters). */
async function clearRedis(prefix) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// ---- Load --------------------------------------------------------------------------------------

// node:http with keep-alive rather than fetch, and bodies counted rather than kept: the load
// generator shares the machine's two cores with the api and Postgres, and fetch buffering 150 KB
// answers 200 times a second made the generator itself fall behind its schedule.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/**
 * One GET as a browser sends it (gzip accepted, no conditional headers: every answer in full),
 * its body read to the end and only counted.
 */
function get(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: keepAlive, headers: { 'accept-encoding': 'gzip' } },
      (res) => {
        let size = 0;
        res.on('data', (chunk) => (size += chunk.length));
        res.on('end', () => resolve({ status: res.statusCode, size, etag: res.headers.etag }));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/**
 * `rate` requests per second to `url` for `seconds`, open-loop. Latency = body received − due
 * time. `lagMs` is how late the generator itself sent requests (it must stay small for the
 * figures to be the server's).
 */
export async function openLoop(url, rate, seconds, etags = new Set()) {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  const statuses = new Map();
  let failures = 0;
  let firstError;
  let maxLag = 0;
  let bytes = 0;
  const one = async (due) => {
    try {
      const { status, size, etag } = await get(url);
      bytes += size;
      if (etag) etags.add(etag);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== 200) failures++;
    } catch (err) {
      failures++;
      firstError ??= String(err);
    }
    return performance.now() - due;
  };
  const pending = [];
  const start = performance.now() + 20;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    maxLag = Math.max(maxLag, performance.now() - due);
    pending.push(one(due).then((ms) => (latencies[i] = ms)));
  }
  await Promise.all(pending);
  const wall = (performance.now() - start) / 1000;
  latencies.sort();
  const round = (ms) => Math.round(ms * 100) / 100;
  return {
    requests: total,
    wallSeconds: Math.round(wall * 100) / 100,
    achievedRate: Math.round(total / wall),
    failures,
    ...(firstError ? { firstError } : {}),
    statuses: Object.fromEntries(statuses),
    bytesPerAnswer: Math.round(bytes / total),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[total - 1]),
    generatorMaxLagMs: round(maxLag),
    distinctAnswers: etags.size,
  };
}

// ---- Writes ------------------------------------------------------------------------------------

/**
 * What agents do to a project while people watch its board: `perSecond` feature updates that the
 * board shows (an attempt counted and an error noted on a random feature), each committed on its
 * own. Each one makes every board answer the api keeps for the project stale.
 */
function startWriter(db, projectId, perSecond) {
  let stopped = false;
  let writes = 0;
  const done = (async () => {
    if (perSecond <= 0) return;
    const { rows } = await db.query(`SELECT id FROM "Feature" WHERE "projectId" = $1`, [projectId]);
    const ids = rows.map((r) => r.id);
    const start = performance.now();
    while (!stopped) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      await db.query(
        `UPDATE "Feature" SET "attempts" = "attempts" + 1, "lastError" = $2, "updatedAt" = now() WHERE id = $1`,
        [id, `bench write ${writes}`],
      );
      writes++;
      const due = start + (writes * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return writes;
    },
  };
}

/** Problems when a write is not in the very next board answer (kept answers must not be stale). */
async function checkFreshAfterWrite(db, base, projectId) {
  const mark = `fresh ${randomBytes(4).toString('hex')}`;
  const { rows } = await db.query(
    `UPDATE "Feature" SET "lastError" = $2, "updatedAt" = now()
     WHERE id = (SELECT id FROM "Feature" WHERE "projectId" = $1 AND "status" = 'pending' ORDER BY "priority" LIMIT 1)
     RETURNING id`,
    [projectId, mark],
  );
  const res = await fetch(`${base}/api/v1/projects/${projectId}/board`);
  const board = await res.json();
  const item = board.columns
    .find((c) => c.status === 'pending')
    ?.items.find((f) => f.id === rows[0].id);
  return item?.lastError === mark
    ? []
    : [`board answered without the write just committed (${mark})`];
}

/** The Postgres backends serving the scratch database (the api's pool and this script's client). */
async function backendPids(db) {
  const { rows } = await db.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  return rows.map((r) => r.pid);
}

/**
 * Waits until the api is idle again (three answers of the empty route within 20 ms in a row, or
 * 30 s), so that the backlog of one phase does not land in the next.
 */
async function settle(base) {
  const deadline = Date.now() + 30_000;
  let quick = 0;
  while (quick < 3 && Date.now() < deadline) {
    const started = performance.now();
    try {
      await (await fetch(`${base}/health/live`)).arrayBuffer();
    } catch {
      // still swamped
    }
    quick = performance.now() - started < 20 ? quick + 1 : 0;
    await sleep(50);
  }
}

/** One request at a time: the route's own service time, without queueing (median of `n`). */
async function serial(url, n, apiPid, beforeEach = async () => undefined) {
  const times = [];
  let cpu = 0;
  for (let i = 0; i < n; i++) {
    await beforeEach();
    const cpu0 = cpuByPid([apiPid]);
    const started = performance.now();
    await get(url);
    times.push(performance.now() - started);
    cpu += cpuBetween(cpu0, cpuByPid([apiPid]));
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: Math.round(times[Math.floor(n / 2)] * 100) / 100,
    apiCpuMsPerRequest: Math.round((cpu / n) * 1e5) / 100,
  };
}

/** A phase of load, with the api's and the database's CPU per request over it. */
async function measured(db, apiPid, url, writer) {
  const api0 = cpuByPid([apiPid]);
  const db0 = cpuByPid(await backendPids(db));
  const writes = writer?.();
  const result = await openLoop(url, RATE, SECONDS);
  result.writes = (await writes?.stop()) ?? 0;
  const api1 = cpuByPid([apiPid]);
  const db1 = cpuByPid(await backendPids(db));
  // Per answered request; and the share of one core the api got (1 = a whole core, which is all
  // a Node process can use: above ~0.7 queues build up).
  const answered = Math.max(1, result.requests - result.failures);
  const perRequest = (s) => Math.round((s / answered) * 1e5) / 100;
  const apiSeconds = cpuBetween(api0, api1);
  return {
    ...result,
    apiCpuMsPerRequest: perRequest(apiSeconds),
    dbCpuMsPerRequest: perRequest(cpuBetween(db0, db1)),
    apiCoreShare: Math.round((apiSeconds / result.wallSeconds) * 100) / 100,
    loadAverage: loadavg()[0].toFixed(1),
  };
}

// ---- Checks ------------------------------------------------------------------------------------

async function expectedBoard(db, projectId, { q, status }) {
  const { rows } = await db.query(
    `SELECT "status"::text AS status, count(*)::int AS n FROM "Feature"
     WHERE "projectId" = $1
       AND ($2::text IS NULL OR "name" ILIKE '%' || $2 || '%' OR "description" ILIKE '%' || $2 || '%')
       AND ($3::text IS NULL OR "status"::text = $3)
     GROUP BY 1`,
    [projectId, q ?? null, status ?? null],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Problems with one board answer, compared with SQL; empty when it is right. */
async function checkBoard(db, base, projectId, query) {
  const params = new URLSearchParams(query);
  const res = await fetch(`${base}/api/v1/projects/${projectId}/board?${params}`);
  if (!res.ok) return [`board ${params} answered ${res.status}`];
  const board = await res.json();
  const expected = await expectedBoard(db, projectId, query);
  const problems = [];
  const columns = query.status
    ? [query.status]
    : ['pending', 'in_progress', 'needs_input', 'passing', 'failing'];
  if (board.columns.map((c) => c.status).join() !== columns.join())
    problems.push(`columns ${board.columns.map((c) => c.status).join()}`);
  for (const column of board.columns) {
    const total = expected[column.status] ?? 0;
    if (column.total !== total) problems.push(`${column.status} total ${column.total} ≠ ${total}`);
    if (column.items.length !== Math.min(50, total))
      problems.push(`${column.status} has ${column.items.length} items of ${total}`);
    const priorities = column.items.map((f) => f.priority);
    if (priorities.some((p, i) => i > 0 && p < priorities[i - 1]))
      problems.push(`${column.status} not in priority order`);
    if (query.q && column.items.some((f) => !`${f.name} ${f.description}`.includes(query.q)))
      problems.push(`${column.status} holds an item without "${query.q}"`);
  }
  return problems.map((p) => `board ${params}: ${p}`);
}

// ---- Main --------------------------------------------------------------------------------------

function report(result) {
  const { phases } = result;
  const row = (label, p) =>
    `| ${label.padEnd(44)} | ${String(p.p50).padStart(8)} | ${String(p.p95).padStart(8)} | ${String(p.p99).padStart(8)} | ${String(p.max).padStart(8)} | ${String(p.achievedRate).padStart(5)} | ${String(p.failures).padStart(6)} | ${String(p.bytesPerAnswer).padStart(8)} | ${String(p.apiCpuMsPerRequest).padStart(7)} | ${String(p.dbCpuMsPerRequest).padStart(6)} | ${String(p.serial.medianMs).padStart(9)} | ${String(p.rebuilt.medianMs).padStart(9)} | ${String(p.rebuilt.apiCpuMsPerRequest).padStart(9)} | ${String(p.writes).padStart(6)} | ${String(p.distinctAnswers).padStart(7)} | ${String(p.apiCoreShare).padStart(8)} |`;
  console.log(
    `\n| Route (${RATE} req/s, ${SECONDS} s each, open loop)`.padEnd(47) +
      '|  p50 ms  |  p95 ms  |  p99 ms  |  max ms  | req/s | failed | bytes    | api CPU | db CPU | alone p50 | built p50 | built CPU | writes | answers | api core |',
  );
  console.log(
    `|${'-'.repeat(46)}|----------|----------|----------|----------|-------|--------|----------|---------|--------|-----------|-----------|-----------|--------|---------|----------|`,
  );
  console.log(row('GET /health/live (empty route)', phases.empty));
  console.log(row('GET /board (50 per column)', phases.board));
  console.log(row(`GET /board?q=${QUERY}`, phases.boardQuery));
  console.log(row('GET /board?status=pending', phases.boardStatus));
  console.log(
    `\nboard p99 / empty p99: ${result.ratios.board}× (q ${result.ratios.boardQuery}×, status ${result.ratios.boardStatus}×); board p99 ${result.phases.board.p99} ms, target ≤ ${TARGET_P99_MS} ms: ${result.met ? 'met' : 'MISSED'} (worst filtered variant ${result.worstBoardP99} ms, reported, not judged)`,
  );
  console.log(JSON.stringify(result));
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const cell = (p) =>
    `p50 ${p.p50} ms, p95 ${p.p95} ms, **p99 ${p.p99} ms**, max ${p.max} ms | ${p.apiCpuMsPerRequest} ms + ${p.dbCpuMsPerRequest} ms | ${p.serial.medianMs} ms`;
  console.log(`\n| ${date} UTC, load avg ${result.loadAverage} | route | figures |`);
  for (const [label, key] of [
    ['/health/live', 'empty'],
    ['board', 'board'],
    [`board ?q=${QUERY}`, 'boardQuery'],
    ['board ?status=pending', 'boardStatus'],
  ]) {
    console.log(`| | ${label} | ${cell(phases[key])} |`);
  }
}

async function main() {
  const prefix = `bench-board-${randomBytes(3).toString('hex')}`;
  let scratch;
  let api;
  let db;
  const cleanUp = async () => {
    await api?.stop();
    await db?.end().catch(() => undefined);
    await scratch?.drop().catch((err) => console.error(`scratch database: ${err.message}`));
    // Twice: an api swamped by the load may still write its queues' keys while it shuts down.
    for (let pass = 0; pass < 2; pass++) {
      await clearRedis(prefix).catch((err) => console.error(`scratch Redis keys: ${err.message}`));
      await sleep(1000);
    }
  };
  process.once('SIGINT', () => {
    cleanUp().finally(() => process.exit(130));
  });
  try {
    scratch = await scratchDatabase('board');
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
    const seedStarted = performance.now();
    const project = await seedProject(db, 'Bench board', FEATURES, 1);
    for (let i = 0; i < OTHER_PROJECTS; i++)
      await seedProject(db, `Neighbour ${i + 1}`, OTHER_PROJECT_FEATURES, 100 + i);
    await db.query('VACUUM ANALYZE');
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    console.error(
      `seeded ${FEATURES} features (${project.edges} dependencies) + ${OTHER_PROJECTS} × ${OTHER_PROJECT_FEATURES} in ${seedSeconds} s`,
    );

    // Rate limits: startApi's, on, so both routes pay for the check, but out of reach of the
    // bench's rate. The api's output is kept, and shown only if it does not start.
    api = await startApi(
      {
        DATABASE_URL: scratch.url,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: prefix,
        HOME: process.env.HOME,
      },
      { readyTimeoutMs: 60_000, quiet: true },
    );
    const { base } = api;

    const boardUrl = `${base}/api/v1/projects/${project.id}/board`;
    const problems = [
      ...(await checkBoard(db, base, project.id, {})),
      ...(await checkBoard(db, base, project.id, { q: QUERY })),
      ...(await checkBoard(db, base, project.id, { status: 'pending' })),
    ];

    console.error(`warming up (${WARM_UP_SECONDS} s of the board)…`);
    await openLoop(boardUrl, RATE, WARM_UP_SECONDS);
    problems.push(...(await checkFreshAfterWrite(db, base, project.id)));
    const phases = {};
    for (const [key, url] of [
      ['empty', `${base}/health/live`],
      ['board', boardUrl],
      ['boardQuery', `${boardUrl}?q=${QUERY}`],
      ['boardStatus', `${boardUrl}?status=pending`],
    ]) {
      await settle(base);
      const alone = await serial(url, SERIAL_REQUESTS, api.pid);
      // The same, with a write committed before each request: every answer built afresh.
      const rebuilt =
        key === 'empty'
          ? alone
          : await serial(url, SERIAL_REQUESTS, api.pid, () =>
              db.query(
                `UPDATE "Feature" SET "attempts" = "attempts" + 1, "updatedAt" = now()
                 WHERE id = (SELECT id FROM "Feature" WHERE "projectId" = $1 ORDER BY random() LIMIT 1)`,
                [project.id],
              ),
            );
      await settle(base);
      console.error(`${key}: ${RATE} req/s for ${SECONDS} s, ${WRITES} writes/s…`);
      const writer = () => startWriter(db, project.id, WRITES);
      phases[key] = { ...(await measured(db, api.pid, url, writer)), serial: alone, rebuilt };
    }
    problems.push(...(await checkFreshAfterWrite(db, base, project.id)));
    const ratio = (p) => Math.round((p.p99 / phases.empty.p99) * 10) / 10;
    // The figure is the board route (first page); the filtered variants are reported
    // beside it, not judged.
    const worstBoardP99 = Math.max(phases.board.p99, phases.boardQuery.p99, phases.boardStatus.p99);
    const failures = Object.values(phases).reduce((n, p) => n + p.failures, 0);
    const result = {
      benchmark: 'board-api',
      features: FEATURES,
      rate: RATE,
      seconds: SECONDS,
      writesPerSecond: WRITES,
      query: QUERY,
      loadAverage: loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
      phases,
      ratios: {
        board: ratio(phases.board),
        boardQuery: ratio(phases.boardQuery),
        boardStatus: ratio(phases.boardStatus),
      },
      worstBoardP99,
      targetP99Ms: TARGET_P99_MS,
      met: phases.board.p99 <= TARGET_P99_MS,
      problems,
    };
    report(result);
    if (problems.length > 0) console.error(`FAILED: wrong answers:\n${problems.join('\n')}`);
    if (failures > 0) console.error(`FAILED: ${failures} requests failed`);
    if (problems.length > 0 || failures > 0 || !result.met) process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

// Importable (its seeding and load loop) without running.
if (import.meta.url === `file://${process.argv[1]}`) await main();
