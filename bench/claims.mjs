#!/usr/bin/env node
// Feature claims under contention: how many claim → release(passing) cycles per second 64
// concurrent claimers get through a 10,000-feature backlog with dependencies, using exactly the
// SQL of FeatureClaimsRepository (libs/server/db/src/lib/sql/claims.sql.ts), against a raw
// baseline measured in the same run: a plain FOR UPDATE SKIP LOCKED loop (no dependency rule, no
// order, no triggers) over a copy of the same rows.
//
//   npm run db:generate && node bench/claims.mjs [--features 10000] [--claimers 64] [--rounds 3]
//   make bench-claims
//
// Correctness, checked on every claim: no feature claimed twice, none claimed while one of its
// dependencies did not pass, every feature passing once at the end. The timed run checks claim
// order against release order (free); a last, untimed run also reads each claimed feature's
// dependencies back (one more round trip per claim, hence not timed).
//
// Besides throughput, each phase reports the database CPU per claim (Linux /proc of the
// backends), which the other load on a shared machine disturbs much less.
//
// Works in a scratch database that it creates (CREATE DATABASE), migrates
// (tools/prisma/migrate.mjs deploy) and drops. Prints a JSON summary and the markdown row for
// docs/benchmarks.md; exits 1 on a correctness failure or a ratio below 0.5.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The repository's SQL is TypeScript source; swc compiles it on require, so there is one copy.
require('@swc-node/register');
const { CLAIM_FEATURES_SQL, RELEASE_FEATURE_SQL } = require(
  resolve(root, 'libs/server/db/src/lib/sql/claims.sql.ts'),
);

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} needs a whole number`);
  return value;
};
const FEATURES = option('features', 10_000);
const CLAIMERS = option('claimers', 64);
const ROUNDS = option('rounds', 3); // the median round is reported: shared machines are noisy
const SEED = option('seed', 42);
const LAYERS = 20; // dependencies point into earlier layers only: a DAG at most 20 deep
const WITH_DEPS = 0.3; // share of features (outside the first layer) with 1–3 dependencies
const LEASE_MS = 600_000;
const MAX_ATTEMPTS = 3;
const PHASE_LIMIT_MS = 300_000; // a rule that strands features fails the bench instead of hanging
const REQUIRED_RATIO = 0.5;

const serverUrl =
  process.env.BENCH_DATABASE_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const dbName = `autocoder_bench_claims_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

// Sound check of one claim: dependencies only ever move to passing during the bench, so one that
// does not pass right after the claim did not pass at claim time either.
const OPEN_DEPENDENCIES_SQL = `
SELECT count(*)::int AS open
FROM "FeatureDependency" d JOIN "Feature" dep ON dep."id" = d."dependsOnId"
WHERE d."featureId" = $1::uuid AND dep."status" <> 'passing'`;

// The raw baseline, as plain as a claim loop gets.
const BASELINE_CLAIM_SQL = `
UPDATE "BenchBaseline" SET "status" = 'in_progress'
WHERE "id" = (SELECT "id" FROM "BenchBaseline" WHERE "projectId" = $1 AND "status" = 'pending'
              LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING "id"`;
const BASELINE_PASS_SQL = `UPDATE "BenchBaseline" SET "status" = 'passing' WHERE "id" = $1`;

async function admin(sql) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Small seeded PRNG: the same graph on every run. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A layered DAG: features past the first layer depend, with probability WITH_DEPS, on 1–3 earlier ones. */
function backlog() {
  const random = mulberry32(SEED);
  const perLayer = Math.ceil(FEATURES / LAYERS);
  const ids = Array.from({ length: FEATURES }, () => randomUUID());
  const priorities = ids.map(() => Math.floor(random() * 1000));
  const edges = [];
  for (let i = perLayer; i < FEATURES; i++) {
    if (random() >= WITH_DEPS) continue;
    const layerStart = Math.floor(i / perLayer) * perLayer;
    const deps = new Set();
    const count = 1 + Math.floor(random() * 3);
    while (deps.size < count) deps.add(Math.floor(random() * layerStart));
    for (const dep of deps) edges.push([i, dep]);
  }
  return { ids, priorities, edges };
}

function latency(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (p) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 100) / 100;
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}

/**
 * CPU seconds the given Postgres backends used so far (Linux /proc, same host), or null. Unlike
 * throughput, CPU per claim hardly moves with whatever else the shared machine is doing.
 */
function backendCpuSeconds(pids) {
  let ticks = 0;
  try {
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime + stime
    }
  } catch {
    return null;
  }
  return ticks / 100; // USER_HZ
}

/** Runs a phase and adds its throughput and the database CPU it cost per claim. */
async function measured(clients, phase) {
  const pids = await Promise.all(
    clients.map(async (c) => (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid),
  );
  const cpu0 = backendCpuSeconds(pids);
  const t0 = performance.now();
  const result = await phase();
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = backendCpuSeconds(pids);
  return {
    claims: result.claims,
    seconds: Math.round(seconds * 100) / 100,
    claimsPerSecond: Math.round(result.claims / seconds),
    dbCpuMsPerClaim:
      cpu0 === null || cpu1 === null
        ? null
        : Math.round(((cpu1 - cpu0) / result.claims) * 1e6) / 1e3,
    ...result,
  };
}

/**
 * Claim → release(passing) with the repository's SQL until every feature passes. With
 * `readBack`, each claim is also checked by reading its dependencies' status.
 */
async function platformPhase(clients, projectId, graph, { readBack }) {
  const total = graph.ids.length;
  let passed = 0;
  let seq = 0;
  let emptyClaims = 0;
  const claimDone = new Map();
  const releaseStart = new Map();
  const claimsPerId = new Map();
  const samples = [];
  let readBackViolations = 0;
  let lostReleases = 0;
  const deadline = Date.now() + PHASE_LIMIT_MS;

  const claimer = async (client, n) => {
    const owner = `bench-claimer-${n}`;
    while (passed < total) {
      if (Date.now() > deadline) throw new Error(`${total - passed} features still unclaimed`);
      const t0 = performance.now();
      const { rows } = await client.query(CLAIM_FEATURES_SQL, [
        projectId,
        owner,
        LEASE_MS,
        1,
        MAX_ATTEMPTS,
      ]);
      samples.push(performance.now() - t0);
      if (rows.length === 0) {
        // Everything ready is held by others; their releases unblock the rest.
        emptyClaims++;
        await sleep(1);
        continue;
      }
      const id = rows[0].id;
      claimDone.set(id, ++seq);
      claimsPerId.set(id, (claimsPerId.get(id) ?? 0) + 1);
      if (readBack) {
        const { rows: deps } = await client.query(OPEN_DEPENDENCIES_SQL, [id]);
        if (deps[0].open > 0) readBackViolations++;
      }
      releaseStart.set(id, ++seq);
      const released = await client.query(RELEASE_FEATURE_SQL, [id, owner, 'passing', null, false]);
      if (released.rowCount !== 1) lostReleases++;
      passed++;
    }
  };
  await Promise.all(clients.map((client, n) => claimer(client, n)));

  // One JS thread numbers all events: a claim that returned before its dependency's release was
  // even sent cannot have seen that dependency pass (claimDone bounds the claim's snapshot from
  // above, releaseStart the dependency's commit from below).
  const orderViolations = graph.edges.filter(
    ([f, d]) => (claimDone.get(graph.ids[f]) ?? 0) < (releaseStart.get(graph.ids[d]) ?? Infinity),
  ).length;
  const { rows } = await clients[0].query(
    `SELECT count(*) FILTER (WHERE "status" = 'passing' AND "attempts" = 1)::int AS ok
     FROM "Feature" WHERE "projectId" = $1`,
    [projectId],
  );
  const claims = [...claimsPerId.values()].reduce((a, b) => a + b, 0);
  return {
    claims,
    claimLatencyMs: latency(samples),
    emptyClaims,
    doubleClaims: claims - claimsPerId.size,
    unmetDependencyClaims: orderViolations + readBackViolations,
    lostReleases,
    allPassingOnce: rows[0].ok === total,
  };
}

/** The same loop with the baseline's plain SQL over the copy. */
async function baselinePhase(clients, projectId, total) {
  let passed = 0;
  const claimsPerId = new Map();
  const samples = [];
  const deadline = Date.now() + PHASE_LIMIT_MS;
  const claimer = async (client) => {
    while (passed < total) {
      if (Date.now() > deadline) throw new Error(`baseline: ${total - passed} features left`);
      const t0 = performance.now();
      const { rows } = await client.query(BASELINE_CLAIM_SQL, [projectId]);
      samples.push(performance.now() - t0);
      if (rows.length === 0) {
        await sleep(1);
        continue;
      }
      const id = rows[0].id;
      claimsPerId.set(id, (claimsPerId.get(id) ?? 0) + 1);
      await client.query(BASELINE_PASS_SQL, [id]);
      passed++;
    }
  };
  await Promise.all(clients.map((client) => claimer(client)));
  const claims = [...claimsPerId.values()].reduce((a, b) => a + b, 0);
  return { claims, claimLatencyMs: latency(samples), doubleClaims: claims - claimsPerId.size };
}

/**
 * Runs every statement once on every connection, so neither timed phase pays for a fresh
 * backend's catalog caches and plan caches (the counter triggers' plpgsql is compiled on first
 * use, in a transaction rolled back here).
 */
async function warmUp(clients, graph) {
  const nobody = randomUUID();
  const withDependents = [...new Set(graph.edges.map(([, d]) => graph.ids[d]))];
  await Promise.all(
    clients.map(async (client, i) => {
      await client.query(CLAIM_FEATURES_SQL, [nobody, 'warm-up', LEASE_MS, 1, MAX_ATTEMPTS]);
      await client.query(RELEASE_FEATURE_SQL, [nobody, 'warm-up', 'passing', null, false]);
      await client.query(OPEN_DEPENDENCIES_SQL, [nobody]);
      await client.query(BASELINE_CLAIM_SQL, [nobody]);
      await client.query(BASELINE_PASS_SQL, [nobody]);
      await client.query('SELECT "feature_dependencies_pass"($1)', [nobody]);
      await client.query('BEGIN');
      await client.query(`UPDATE "Feature" SET "status" = 'passing' WHERE "id" = $1`, [
        withDependents[i % withDependents.length],
      ]);
      await client.query('ROLLBACK');
    }),
  );
}

async function connectAll() {
  const clients = [];
  try {
    for (let i = 0; i < CLAIMERS; i++) {
      const client = new pg.Client({
        connectionString: dbUrl,
        application_name: `bench-claims-${i}`,
      });
      await client.connect();
      clients.push(client);
    }
  } catch (error) {
    await Promise.all(clients.map((c) => c.end()));
    throw new Error(`opening ${CLAIMERS} connections failed (max_connections?): ${error.message}`);
  }
  return clients;
}

async function run() {
  await promisify(execFile)(
    process.execPath,
    [resolve(root, 'tools/prisma/migrate.mjs'), 'deploy'],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: dbUrl, MIGRATION_DATABASE_URL: dbUrl },
    },
  );
  const graph = backlog();
  const projectId = randomUUID();
  const setup = new pg.Client({ connectionString: dbUrl });
  await setup.connect();
  let clients = [];
  try {
    const seedStarted = performance.now();
    await setup.query(
      `INSERT INTO "Project" ("id", "name", "spec", "updatedAt") VALUES ($1::uuid, 'bench-claims', '-', now())`,
      [projectId],
    );
    await setup.query(
      `INSERT INTO "Feature" ("id", "projectId", "priority", "category", "name", "description", "updatedAt")
       SELECT id, $1::uuid, priority, 'bench', 'feature ' || n, '-', now()
       FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS t(id, priority, n)`,
      [projectId, graph.ids, graph.priorities],
    );
    // One statement, as the backlog writer does: the trigger counts readiness once for all.
    await setup.query(
      `INSERT INTO "FeatureDependency" ("projectId", "featureId", "dependsOnId")
       SELECT $1::uuid, f, d FROM unnest($2::uuid[], $3::uuid[]) AS t(f, d)`,
      [projectId, graph.edges.map(([f]) => graph.ids[f]), graph.edges.map(([, d]) => graph.ids[d])],
    );
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    // The baseline's table: same columns, indexes and rows; none of the triggers.
    await setup.query(`CREATE TABLE "BenchSeed" AS SELECT * FROM "Feature"`);
    await setup.query(`CREATE TABLE "BenchBaseline" (LIKE "Feature" INCLUDING ALL)`);

    // Back to the seeded state; the status trigger recounts readiness as features stop passing.
    const resetPlatform = async () => {
      await setup.query(
        `UPDATE "Feature" SET "status" = 'pending', "attempts" = 0, "leaseOwner" = NULL,
           "leaseExpiresAt" = NULL, "passedAt" = NULL WHERE "projectId" = $1 AND "status" <> 'pending'`,
        [projectId],
      );
      // Clean and analysed, so no phase pays for an earlier one's dead rows.
      await setup.query(`VACUUM ANALYZE "Feature", "FeatureDependency"`);
    };

    clients = await connectAll();
    await warmUp(clients, graph);
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await resetPlatform();
      else await setup.query(`VACUUM ANALYZE "Feature", "FeatureDependency"`);
      const platform = await measured(clients, () =>
        platformPhase(clients, projectId, graph, { readBack: false }),
      );
      await setup.query(`TRUNCATE "BenchBaseline"`);
      await setup.query(`INSERT INTO "BenchBaseline" SELECT * FROM "BenchSeed"`);
      await setup.query(`VACUUM ANALYZE "Feature", "BenchBaseline"`);
      const baseline = await measured(clients, () => baselinePhase(clients, projectId, FEATURES));
      rounds.push({
        platform,
        baseline,
        ratio: Math.round((platform.claimsPerSecond / baseline.claimsPerSecond) * 100) / 100,
        dbCpuRatio:
          platform.dbCpuMsPerClaim && baseline.dbCpuMsPerClaim
            ? Math.round((baseline.dbCpuMsPerClaim / platform.dbCpuMsPerClaim) * 100) / 100
            : null,
      });
    }
    await resetPlatform();
    const checked = await measured(clients, () =>
      platformPhase(clients, projectId, graph, { readBack: true }),
    );
    return { graph, seedSeconds, rounds, checked };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    await setup.end();
  }
}

function report({ graph, seedSeconds, rounds, checked }) {
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  const runs = [...rounds.map((r) => r.platform), checked];
  const violations = {
    doubleClaims: runs.reduce((n, r) => n + r.doubleClaims, 0),
    unmetDependencyClaims: runs.reduce((n, r) => n + r.unmetDependencyClaims, 0),
    lostReleases: runs.reduce((n, r) => n + r.lostReleases, 0),
    runsNotAllPassingOnce: runs.filter((r) => !r.allPassingOnce || r.claims !== FEATURES).length,
    baselineDoubleClaims: rounds.reduce((n, r) => n + r.baseline.doubleClaims, 0),
  };
  const correct = Object.values(violations).every((n) => n === 0);
  console.log(
    JSON.stringify(
      {
        benchmark: 'feature-claims',
        features: FEATURES,
        dependencies: graph.edges.length,
        claimers: CLAIMERS,
        seedSeconds: Math.round(seedSeconds * 100) / 100,
        rounds,
        checkedRun: checked,
        violations,
        ratio: median.ratio,
        requiredRatio: REQUIRED_RATIO,
        correct,
      },
      null,
      2,
    ),
  );
  const p = median.platform;
  const b = median.baseline;
  const n = (x) => x.toLocaleString('en');
  console.log(
    `| feature claims (${n(FEATURES)} features, ${n(graph.edges.length)} dependencies, ${CLAIMERS} claimers, claim → release) | ${n(p.claimsPerSecond)} claims/s, claim p50 ${p.claimLatencyMs.p50} ms; ${violations.doubleClaims} double, ${violations.unmetDependencyClaims} with an unmet dependency | plain SKIP LOCKED loop: ${n(b.claimsPerSecond)} claims/s | ${median.ratio}× | ≥ ${REQUIRED_RATIO}× |`,
  );
  if (!correct) {
    console.error('FAILED: claims broke the rules (see "violations")');
    process.exitCode = 1;
  } else if (median.ratio < REQUIRED_RATIO) {
    console.error(`FAILED: ratio ${median.ratio} is below ${REQUIRED_RATIO}`);
    process.exitCode = 1;
  }
}

await admin(`CREATE DATABASE "${dbName}"`);
// Ctrl-C: drop the scratch database on the way out.
process.once('SIGINT', () => {
  admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).finally(() => process.exit(130));
});
try {
  report(await run());
} finally {
  await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
}
