#!/usr/bin/env node
// Cost of the OS sandbox per command: the same commands run through the session sandbox
// (Sandbox.run: a frame to the supervisor inside bwrap, prlimit, the shell) and unsandboxed
// (runVerification: the shell in its own process group, as with SANDBOX=off), alternating, on
// one worktree. Also the time to open a session's sandbox (bwrap, proxy, supervisor ready), paid
// once per session. Goal: ≤ 30 ms added per command at p50.
//
//   make bench-sandbox
//   node bench/sandbox-overhead.mjs [--runs 200]
//
// The TypeScript libraries load from source through @swc-node/register, as in agent-turn.mjs.
// Prints a JSON summary and the markdown rows for docs/benchmarks.md; exits 1 when a command
// fails or the p50 overhead of a command is above the goal.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { option, root, summarise } from './support.mjs';

const require = createRequire(import.meta.url);
const RUNS = option('runs', 200);
const OPENS = option('opens', 20);
const GOAL_MS = 30;

process.env.SWC_NODE_PROJECT ??= resolve(root, 'tsconfig.base.json');
require('@swc-node/register');
const { paths } = JSON.parse(readFileSync(process.env.SWC_NODE_PROJECT, 'utf8')).compilerOptions;
const lib = (alias) => require(resolve(root, paths[alias][0]));
const { Sandbox } = lib('@autocoder/server-sandbox');
const { runVerification } = lib('@autocoder/server-workspace');

const COMMANDS = ['true', 'node -e 0', 'ls -la > /dev/null && cat package.json > /dev/null'];
const limits = { memoryMb: 4096, cpuSeconds: 600, maxProcesses: 1024 };
const worktree = mkdtempSync(join(root, 'tmp', 'bench-sandbox-'));
const opts = { timeoutMs: 60_000, shell: '/bin/bash' };

async function timed(fn) {
  const t = performance.now();
  const r = await fn();
  if (!r.ok) throw new Error(`command failed: ${r.output}`);
  return performance.now() - t;
}

try {
  require('node:fs').writeFileSync(join(worktree, 'package.json'), '{"name":"bench"}\n');
  const opens = [];
  for (let i = 0; i < OPENS; i++) {
    const t = performance.now();
    const s = await Sandbox.open({ writable: [worktree], allowedHosts: [], limits });
    opens.push(performance.now() - t);
    await s.close();
  }
  const sandbox = await Sandbox.open({ writable: [worktree], allowedHosts: [], limits });
  const results = [];
  try {
    for (const command of COMMANDS) {
      const plain = [];
      const boxed = [];
      // Warm both paths, then alternate so machine noise falls on both alike.
      await timed(() => runVerification(worktree, command, opts));
      await timed(() => sandbox.run(worktree, command, opts));
      for (let i = 0; i < RUNS; i++) {
        plain.push(await timed(() => runVerification(worktree, command, opts)));
        boxed.push(await timed(() => sandbox.run(worktree, command, opts)));
      }
      const p = summarise(plain);
      const b = summarise(boxed);
      results.push({
        command,
        unsandboxed: p,
        sandboxed: b,
        addedP50: Math.round((b.p50 - p.p50) * 100) / 100,
        addedP95: Math.round((b.p95 - p.p95) * 100) / 100,
      });
    }
  } finally {
    await sandbox.close();
  }
  const open = summarise(opens);
  console.log(JSON.stringify({ runs: RUNS, open, results }, null, 2));
  console.log(
    '\n| Command | Unsandboxed p50 / p95 (ms) | Sandboxed p50 / p95 (ms) | Added at p50 |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| \`${r.command}\` | ${r.unsandboxed.p50} / ${r.unsandboxed.p95} | ${r.sandboxed.p50} / ${r.sandboxed.p95} | ${r.addedP50} ms |`,
    );
  }
  console.log(
    `| open a session's sandbox (once per session) | — | ${open.p50} / ${open.p95} | — |`,
  );
  const over = results.filter((r) => r.addedP50 > GOAL_MS);
  if (over.length) {
    console.error(
      `above the goal of ${GOAL_MS} ms at p50: ${over.map((r) => r.command).join(', ')}`,
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(worktree, { recursive: true, force: true });
}
