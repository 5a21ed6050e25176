#!/usr/bin/env node
// Scale-out across runner processes (issue 13): features per minute with 1, 2 and 4 runners on
// independent features, llm-fake answering every model turn after 2 s; efficiency per added
// runner, and the CPU the machine spent, to say where its cores become the limit.
//
//   npx nx run-many -t build -p api,runner,llm-fake --parallel=1
//   node bench/scale-out.mjs [--runners 1,2,4] [--concurrency 3] [--features 48] [--rounds 1]
//   make bench-scale-out
//
// Per runner count n: the built llm-fake, api and n runner processes (RUNNER_CONCURRENCY
// --concurrency each) started fresh on one scratch database and a scratch QUEUE_PREFIX (see
// startPlatform / platformEnv in bench/support.mjs: the one place the platform's environment is
// set). A round creates n projects through the api, each with --features independent features,
// `verifyCommand: "true"` and concurrency --concurrency, so n × --concurrency sessions are in
// flight, as many as the runners' slots. One project per runner rather than one big project: the
// api allows a project 1–10 concurrent sessions, and a project's merges are serialised (its
// merge lock), so one project per runner keeps each project's merge load the same at every
// count and the figure measures the runners, not one project's lock. Every session is
// apps/llm-fake/scenarios/bench-scale.json: two model turns, each answered after 2 s (write the
// feature's module, then mark it passing), then the platform verifies, commits and merges.
//
// Features per minute = all features / (first run queued → last run finished), from the runs' own
// timestamps; efficiency(n) = fpm(n) / (n × fpm(1)). Per count the median round (by fpm) of
// --rounds is reported (default 1: the three counts, ~1.5 min of rounds each, take ~7 min).
//
// CPU, from the agents' start to the last project idle: the machine's busy share (/proc/stat,
// every process on it, ours or not), the load average (sampled every second), and the CPU seconds
// of the runners (with their git and verification children), the api, llm-fake, every Postgres
// and Redis process on the host (shared with whatever else uses them) and this driver. CPU
// seconds per feature give the rate at which the platform would fill every core of the machine.
// Before its rounds, each count's fresh platform is also sampled idle for 10 s (what n runners
// cost doing nothing: timers, queue polling).
//
// Correctness, every round (sessionsOutcome in bench/support.mjs): every feature passing, finally
// claimed by one run, passed once, its lease released, every run finished, every project's run over,
// main holding every feature's module. Prints JSON and the markdown rows for docs/benchmarks.md;
// exits 1 on a correctness failure only (no target is enforced; the goal is ≥ 0.9).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  applyMigrations,
  defaultServerUrl,
  dropDatabase,
  withDatabase,
} from '../tools/prisma/engine.mjs';
import {
  clearRedis,
  cpuByPid,
  listOption,
  machineCpu,
  option,
  pidsNamed,
  runProjects,
  sessionsOutcome,
  sleep,
  startPlatform,
  sumViolations,
} from './support.mjs';

const COUNTS = listOption('runners', [1, 2, 4]);
// Per runner process. 3 keeps one runner far from CPU-bound: its sessions spend ≥ 4 s of their
// ~5.5 s waiting for the model, so 3 sessions cost a fraction of one core (the n = 1 row shows it).
const CONCURRENCY = option('concurrency', 3);
const FEATURES = option('features', 48); // per project: ~16 sessions per slot, ≥ 60 s per round
const ROUNDS = option('rounds', 1);
const ROUND_LIMIT_MS = 1_200_000;
const IDLE_MS = 10_000;
const CORES = cpus().length;
if (CONCURRENCY > 10) throw new Error("--concurrency is one project's: the api allows 1–10");

const r2 = (v) => Math.round(v * 100) / 100;
const r3 = (v) => Math.round(v * 1000) / 1000;

/** CPU seconds per process group so far; the groups are read again at each sample. */
function cpuSample(pids) {
  const groups = {
    runners: cpuByPid(pids.runners, { children: true }),
    api: cpuByPid([pids.api], { children: true }),
    llmFake: cpuByPid([pids.fake]),
    gitServer: cpuByPid([pids.git], { children: true }),
    postgres: cpuByPid(pidsNamed('postgres'), { children: true }),
    redis: cpuByPid(pidsNamed('redis-server')),
  };
  const self = process.cpuUsage();
  return { groups, driver: (self.user + self.system) / 1e6, machine: machineCpu() };
}

/** Cores each group used between two samples; a process born in between counts in full. */
function cpuBetweenSamples(a, b, seconds) {
  const cores = {};
  for (const [group, after] of Object.entries(b.groups)) {
    let used = 0;
    for (const [pid, s] of after) used += s - (a.groups[group].get(pid) ?? 0);
    cores[group] = used / seconds;
  }
  cores.driver = (b.driver - a.driver) / seconds;
  const ours = Object.values(cores).reduce((x, y) => x + y, 0);
  const machineShare =
    (b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total);
  return { cores, ours, machineShare };
}

/** What the platform's processes cost doing nothing (timers, queue polling), over IDLE_MS. */
async function idleCpu(platform) {
  const before = cpuSample(platform.pids);
  const started = performance.now();
  await sleep(IDLE_MS);
  const seconds = (performance.now() - started) / 1000;
  const { cores } = cpuBetweenSamples(before, cpuSample(platform.pids), seconds);
  return {
    runnersCores: r3(cores.runners),
    apiCores: r3(cores.api),
    llmFakeCores: r3(cores.llmFake),
  };
}

async function round(platform, db, workspace, runners, n) {
  const before = cpuSample(platform.pids);
  const loads = [];
  const timer = setInterval(() => loads.push(loadavg()[0]), 1000);
  let run;
  try {
    run = await runProjects(platform.base, db, {
      name: `bench scale-out ${runners} runners round ${n}`,
      scenario: 'bench-scale',
      concurrencies: Array.from({ length: runners }, () => CONCURRENCY),
      features: FEATURES,
      limitMs: ROUND_LIMIT_MS,
      // The CPU window starts at the agents' start, not while the backlog is being created.
      onStart: () => {
        Object.assign(before, cpuSample(platform.pids));
        loads.length = 0;
      },
    });
  } finally {
    clearInterval(timer);
  }
  const after = cpuSample(platform.pids);
  const { firstQueued, lastFinished, phasesMs, ...outcome } = await sessionsOutcome(
    db,
    workspace,
    run.projectIds,
    FEATURES,
  );
  const features = runners * FEATURES;
  const seconds = (lastFinished - firstQueued) / 1000;
  const cpu = cpuBetweenSamples(before, after, run.wallSeconds);
  return {
    runners,
    projects: runners,
    features,
    seconds: r2(seconds),
    wallSeconds: r2(run.wallSeconds),
    featuresPerMinute: r2((features / seconds) * 60),
    session: phasesMs['queued → run finished (whole session)'],
    phasesMs,
    cpu: {
      machineBusyShare: r3(cpu.machineShare),
      machineCoresBusy: r2(cpu.machineShare * CORES),
      oursCores: r2(cpu.ours),
      byGroupCores: Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, r3(v)])),
      oursCpuSecondsPerFeature: r3((cpu.ours * run.wallSeconds) / features),
      loadAvg1m: {
        mean: r2(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)),
        max: r2(Math.max(...loads)),
      },
    },
    ...outcome,
  };
}

function report(byCount) {
  const medians = byCount.map(({ runners, idle, rounds }) => ({
    runners,
    idle,
    median: [...rounds].sort((a, b) => a.featuresPerMinute - b.featuresPerMinute)[
      Math.floor(rounds.length / 2)
    ],
  }));
  const one = medians.find((m) => m.runners === 1)?.median.featuresPerMinute;
  const rows = medians.map(({ runners, idle, median }) => ({
    runners,
    slots: runners * CONCURRENCY,
    featuresPerMinute: median.featuresPerMinute,
    efficiency: one === undefined ? null : r3(median.featuresPerMinute / (runners * one)),
    seconds: median.seconds,
    features: median.features,
    sessionP50Ms: median.session?.p50,
    sessionP90Ms: median.session?.p90,
    machineCoresBusy: median.cpu.machineCoresBusy,
    oursCores: median.cpu.oursCores,
    runnersCores: median.cpu.byGroupCores.runners,
    // The rest of the machine: other work on it (Postgres and Redis serve others too).
    otherCores: r2(Math.max(0, median.cpu.machineCoresBusy - median.cpu.oursCores)),
    oursCpuSecondsPerFeature: median.cpu.oursCpuSecondsPerFeature,
    // The rate at which this platform's own CPU would fill every core of the machine.
    cpuBoundFeaturesPerMinute: r2((60 * CORES) / median.cpu.oursCpuSecondsPerFeature),
    loadAvg1mMean: median.cpu.loadAvg1m.mean,
    loadAvg1mMax: median.cpu.loadAvg1m.max,
    idleRunnersCores: idle.runnersCores,
  }));
  const violations = sumViolations(byCount.flatMap((c) => c.rounds.map((r) => r.violations)));
  const correct = Object.values(violations).every((v) => v === 0);
  console.log(
    JSON.stringify(
      {
        benchmark: 'scale-out-runners',
        startedAt,
        loadAvgAtStart,
        cores: CORES,
        concurrencyPerRunner: CONCURRENCY,
        featuresPerProject: FEATURES,
        modelTurnDelayMs: 2000,
        roundsPerCount: ROUNDS,
        rows,
        violations,
        correct,
        details: byCount,
      },
      null,
      2,
    ),
  );
  console.log(
    '| Runners × concurrency | Features | Features/min | Efficiency | Session p50 / p90 | Machine CPU (of ' +
      `${CORES} cores) | Platform CPU (runners; idle runners) | Others' CPU | CPU s / feature | Load avg mean / max |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.runners} × ${CONCURRENCY} | ${r.features} in ${r.seconds} s | ${r.featuresPerMinute} | ${r.efficiency ?? '–'} | ${r.sessionP50Ms} / ${r.sessionP90Ms} ms | ${r.machineCoresBusy} cores | ${r.oursCores} cores (${r.runnersCores}; ${r.idleRunnersCores}) | ${r.otherCores} cores | ${r.oursCpuSecondsPerFeature} | ${r.loadAvg1mMean} / ${r.loadAvg1mMax} |`,
    );
  }
  if (!correct) {
    console.error('FAILED: sessions broke the rules (see "violations")');
    process.exitCode = 1;
  }
}

const startedAt = new Date().toISOString();
const loadAvgAtStart = loadavg().map(r2);

async function main() {
  const id = randomBytes(3).toString('hex');
  const prefix = `bench-scale-${id}`;
  const dbUrl = withDatabase(
    process.env.BENCH_DATABASE_SERVER_URL ?? defaultServerUrl,
    `autocoder_bench_scale_${id}`,
  );
  const workspace = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  let platform;
  const cleanUp = async () => {
    await platform?.stop();
    await dropDatabase(dbUrl).catch((err) => console.error(`scratch database: ${err.message}`));
    await clearRedis([prefix]).catch((err) => console.error(`scratch Redis keys: ${err.message}`));
    rmSync(workspace, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanUp().finally(() => process.exit(130));
  });

  let db;
  try {
    await applyMigrations(dbUrl);
    db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    const byCount = [];
    for (const runners of COUNTS) {
      platform = await startPlatform({
        dbUrl,
        prefix,
        workspace,
        runners,
        concurrency: CONCURRENCY,
      });
      const rounds = [];
      let idle;
      try {
        idle = await idleCpu(platform);
        for (let n = 1; n <= ROUNDS; n++) {
          const result = await round(platform, db, workspace, runners, n);
          console.error(
            `${runners} runner(s), round ${n}: ${result.featuresPerMinute} features/min ` +
              `(${result.features} in ${result.seconds} s), machine ${result.cpu.machineCoresBusy} cores busy`,
          );
          rounds.push(result);
        }
      } catch (err) {
        throw new Error(`${err.message}\n${platform.output()}`);
      } finally {
        await platform.stop();
        platform = undefined;
      }
      byCount.push({ runners, idle, rounds });
    }
    report(byCount);
  } finally {
    await db?.end();
    await cleanUp();
  }
}

await main();
