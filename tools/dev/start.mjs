#!/usr/bin/env node
// `make dev`: starts llm-fake, a runner and the api (serving the built console) from dist/,
// seeds the demo project, prints the console URL, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedDemo } from './seed-demo.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const apiPort = Number(process.env.API_PORT ?? 3000);
const fakePort = Number(process.env.LLM_FAKE_PORT ?? 4010);
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/autocoder',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  API_PORT: String(apiPort),
  LLM_FAKE_PORT: String(fakePort),
  LLM_PROVIDER: process.env.LLM_PROVIDER ?? 'demo',
  LLM_FAKE_URL: process.env.LLM_FAKE_URL ?? `http://127.0.0.1:${fakePort}`,
  CONSOLE_DIR: process.env.CONSOLE_DIR ?? resolve(root, 'dist/apps/admin/browser'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

const children = [];
function start(name, color) {
  const child = spawn(process.execPath, [resolve(root, 'dist/apps', name, 'main.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only this script, which then stops each child once
    // (a child signalled twice skips its graceful drain).
    detached: true,
  });
  const prefix = `\x1b[${color}m${name.padEnd(8)}\x1b[0m| `;
  const pipe = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(prefix + line + '\n');
    });
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))),
  ).then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitReady(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
}

start('llm-fake', 35);
start('runner', 36);
start('api', 32);
try {
  await waitReady(`http://127.0.0.1:${apiPort}/health/ready`);
  const { project, created } = await seedDemo(`http://127.0.0.1:${apiPort}`);
  const url = `http://127.0.0.1:${apiPort}/`;
  console.log(`
  AutoCoder is running.
    Console:   ${url}
    Demo:      ${url}projects/${project.id}  (${created ? 'initializer started: the board fills within a minute' : 'already seeded'})
    API docs:  ${url}api/docs
    Logins:    none yet: this build has no sign-in (OIDC with admin/viewer demo users is planned).
    LLM:       ${env.LLM_PROVIDER === 'demo' ? `offline demo (llm-fake on :${fakePort})` : env.LLM_PROVIDER}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(err.message);
  stop(1);
}
