#!/usr/bin/env node
// How long from "create the demo project" to "its board shows the whole backlog", through the
// real platform (api → BullMQ → runner → Claude SDK → llm-fake → Postgres → board query), against
// a raw baseline measured in the same run: the same two model turns made directly with the SDK
// against the same llm-fake, with no platform in between.
//
//   make build && node bench/demo-board-fill.mjs [--runs 5]
//
// Prints a JSON summary and the markdown row for docs/benchmarks.md.
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyMigrations,
  dropDatabase,
  ensureDatabase,
  withDatabase,
  defaultServerUrl,
} from '../tools/prisma/engine.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5);
const spec = readFileSync(resolve(root, 'tools/dev/demo-spec.md'), 'utf8');
const EXPECTED = 24; // features in the demo scenario

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitOk(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready`);
}

function start(app, env) {
  const child = spawn(process.execPath, [resolve(root, 'dist/apps', app, 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', AUTH_MODE: 'none', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: s[0], p50: q(0.5), max: s[s.length - 1] };
};

const dbUrl = withDatabase(
  process.env.BENCH_DATABASE_SERVER_URL ?? defaultServerUrl,
  `autocoder_bench_${randomBytes(4).toString('hex')}`,
);
await ensureDatabase(dbUrl);
await applyMigrations(dbUrl);
const [apiPort, fakePort, runnerPort] = [await freePort(), await freePort(), await freePort()];
const fakeUrl = `http://127.0.0.1:${fakePort}`;
const env = {
  DATABASE_URL: dbUrl,
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  QUEUE_PREFIX: `bench-${randomBytes(3).toString('hex')}`,
  LLM_PROVIDER: 'demo',
  LLM_FAKE_URL: fakeUrl,
  LLM_FAKE_PORT: String(fakePort),
  API_PORT: String(apiPort),
  RUNNER_HEALTH_PORT: String(runnerPort),
};
const children = [start('llm-fake', env), start('runner', env), start('api', env)];
const api = `http://127.0.0.1:${apiPort}`;
try {
  await waitOk(`${fakeUrl}/_fake/health`);
  await waitOk(`http://127.0.0.1:${runnerPort}/health`);
  await waitOk(`${api}/health/ready`);

  // Baseline: the initializer's two model turns, straight through the SDK.
  const client = new Anthropic({ apiKey: 'bench', baseURL: fakeUrl, maxRetries: 0 });
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const first = await client.messages
      .stream({
        model: 'claude-sonnet-5-5',
        max_tokens: 16000,
        messages: [{ role: 'user', content: `${spec} ${i}` }],
      })
      .finalMessage();
    const toolUse = first.content.find((b) => b.type === 'tool_use');
    await client.messages
      .stream({
        model: 'claude-sonnet-5-5',
        max_tokens: 16000,
        messages: [
          { role: 'user', content: `${spec} ${i}` },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'ok' }],
          },
        ],
      })
      .finalMessage();
    baseline.push(performance.now() - t0);
  }

  // Through the platform.
  const platform = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const res = await fetch(`${api}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench ${i}`, spec, start: true }),
    });
    const project = await res.json();
    if (res.status !== 201)
      throw new Error(`create answered ${res.status}: ${JSON.stringify(project)}`);
    for (;;) {
      const board = await (
        await fetch(`${api}/api/v1/projects/${project.id}/board?limit=1`)
      ).json();
      if (board.columns[0].total === EXPECTED) break;
      if (performance.now() - t0 > 60_000) throw new Error('board did not fill within 60 s');
      await sleep(20);
    }
    platform.push(performance.now() - t0);
  }

  const b = stats(baseline);
  const p = stats(platform);
  const summary = {
    benchmark: 'demo-board-fill',
    runs,
    baselineMs: b,
    platformMs: p,
    ratioP50: Math.round((p.p50 / b.p50) * 100) / 100,
    limitMs: 60_000,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    `| demo board fill (POST project → 24 features on the board) | ${p.p50.toFixed(0)} ms p50 (max ${p.max.toFixed(0)}) | SDK alone, same 2 turns: ${b.p50.toFixed(0)} ms p50 | ${summary.ratioP50}× | ≤ 60,000 ms |`,
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(1500);
  await dropDatabase(dbUrl).catch(() => undefined);
}
