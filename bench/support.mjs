// Pieces the HTTP benchmarks share: a scratch database, the built apps on free loopback ports,
// an open-loop request driver, percentiles, CPU time per process and the Chromium flags.
// Loopback only; every loop is bounded.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
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

/** A whole-number `--name N` option. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} needs a whole number`);
  return value;
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

/** CPU seconds each given process used so far (Linux /proc, same host); gone ones are left out. */
export function cpuByPid(pids) {
  const seconds = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ
    } catch {
      // exited
    }
  }
  return seconds;
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
