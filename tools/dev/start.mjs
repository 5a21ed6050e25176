#!/usr/bin/env node
// `make dev`: starts the dev IdP, llm-fake, the git server, a runner and the api (serving the
// built console) from dist/, seeds the demo project as the demo admin, prints the console URL and
// the demo logins, and stops everything on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { devAccessToken } from './dev-login.mjs';
import { devAppUrl } from './dev-database.mjs';
import { seedDemo } from './seed-demo.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const apiPort = Number(process.env.API_PORT ?? 3000);
const fakePort = Number(process.env.LLM_FAKE_PORT ?? 4010);
const idpPort = Number(process.env.DEV_IDP_PORT ?? 4020);
const gitPort = Number(process.env.GIT_SERVER_PORT ?? 3400);
// With GIT_SERVER_URL (and GIT_SERVER_TOKEN) set, api and runner use that git server instead.
const bundledGit = !process.env.GIT_SERVER_URL;
const authMode = process.env.AUTH_MODE ?? 'oidc';
const issuer = process.env.OIDC_ISSUER_URL ?? `http://127.0.0.1:${idpPort}`;
// Local secrets of the dev IdP's console client and of the sessions: made up per start, so
// nothing to configure and nothing to leak (a restart signs everyone out).
const clientSecret = process.env.OIDC_CLIENT_SECRET ?? randomBytes(24).toString('base64url');
const callbacks = [`http://127.0.0.1:${apiPort}`, `http://localhost:${apiPort}`];
const env = {
  ...process.env,
  // api and runner connect as the app's role (created by `make migrate`), not as the owner.
  DATABASE_URL: process.env.DATABASE_URL ?? devAppUrl(),
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  API_PORT: String(apiPort),
  LLM_FAKE_PORT: String(fakePort),
  LLM_PROVIDER: process.env.LLM_PROVIDER ?? 'demo',
  LLM_FAKE_URL: process.env.LLM_FAKE_URL ?? `http://127.0.0.1:${fakePort}`,
  // The bundled git server keeps every project's repository (tmp/git-server); api and runner
  // reach it with this token, made up per start like the secrets above (repositories outlive it).
  GIT_SERVER_PORT: String(gitPort),
  GIT_SERVER_URL: process.env.GIT_SERVER_URL ?? `http://127.0.0.1:${gitPort}`,
  GIT_SERVER_TOKEN: process.env.GIT_SERVER_TOKEN ?? randomBytes(32).toString('base64url'),
  CONSOLE_DIR: process.env.CONSOLE_DIR ?? resolve(root, 'dist/apps/admin/browser'),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  AUTH_MODE: authMode,
  PUBLIC_URL: process.env.PUBLIC_URL ?? `http://127.0.0.1:${apiPort}`,
  OIDC_ISSUER_URL: issuer,
  OIDC_CLIENT_SECRET: clientSecret,
  SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
  // Seals projects' own git credentials in the database, so it must outlive a restart: made
  // once and kept in tmp/dev/secrets-key (mode 0600).
  SECRETS_KEY: process.env.SECRETS_KEY ?? devSecretsKey(),
  DEV_IDP_PORT: String(idpPort),
  DEV_IDP_CLIENT_SECRET: clientSecret,
  DEV_IDP_REDIRECT_URIS: callbacks.map((c) => `${c}/api/v1/auth/callback`).join(','),
  DEV_IDP_POST_LOGOUT_REDIRECT_URIS: callbacks.map((c) => `${c}/`).join(','),
};

function devSecretsKey() {
  const file = resolve(root, 'tmp/dev/secrets-key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

// The owner's URL is for migrations only: api and runner never see it.
delete env.MIGRATION_DATABASE_URL;

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
  const prefix = `\x1b[${color}m${name.padEnd(10)}\x1b[0m| `;
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

if (authMode === 'oidc' && !process.env.OIDC_ISSUER_URL) start('dev-idp', 33);
start('llm-fake', 35);
if (bundledGit) start('git-server', 34);
try {
  // Runner and api create and fetch repositories there from their first job on.
  if (bundledGit) await waitReady(`http://127.0.0.1:${gitPort}/health`);
  start('runner', 36);
  start('api', 32);
  await waitReady(`http://127.0.0.1:${apiPort}/health/ready`);
  const devIdp = authMode === 'oidc' && !process.env.OIDC_ISSUER_URL;
  if (devIdp) await waitReady(`${issuer}/health`);
  const token = devIdp
    ? await devAccessToken({
        issuer,
        clientId: 'autocoder-console',
        clientSecret,
        redirectUri: `${callbacks[0]}/api/v1/auth/callback`,
        username: 'admin',
        password: process.env.DEV_IDP_ADMIN_PASSWORD ?? 'admin',
      })
    : undefined;
  const { project, created } = await seedDemo(`http://127.0.0.1:${apiPort}`, token);
  const url = `http://127.0.0.1:${apiPort}/`;
  console.log(`
  AutoCoder is running.
    Console:   ${url}
    Demo:      ${url}projects/${project.id}  (${created ? 'initializer started: the board fills within a minute' : 'already seeded'})
    API docs:  ${url}api/docs
    Logins:    ${
      authMode === 'none'
        ? 'none: AUTH_MODE=none, everyone on this machine is an admin'
        : process.env.OIDC_ISSUER_URL
          ? `your identity provider (${issuer})`
          : `admin / admin (admin) and viewer / viewer (read only), at the dev IdP on :${idpPort}`
    }
    Git:       ${env.GIT_SERVER_URL}${bundledGit ? ' (bundled; repositories in tmp/git-server)' : ''}
    LLM:       ${env.LLM_PROVIDER === 'demo' ? `offline demo (llm-fake on :${fakePort})` : env.LLM_PROVIDER}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(err.message);
  stop(1);
}
