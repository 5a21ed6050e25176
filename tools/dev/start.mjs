#!/usr/bin/env node
// `make dev`: starts the dev IdP, llm-fake, the git server, a runner and the api, seeds the demo
// project as the demo admin, prints the console URL and the demo logins, and stops everything on
// Ctrl-C. A process that crashes comes back after a growing delay (tools/dev/supervisor.cjs)
// while the others keep running.
//
// Watch mode (the default; DEV_WATCH=0 turns it off): api and runner are rebuilt by webpack on
// every change of their sources or of a lib and restarted when the build lands, and the console
// comes from Angular's dev server (live reload), which forwards /api to the api. With DEV_WATCH=0
// everything runs from dist/ as `make build` left it and the api serves the built console.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { randomBytes } from 'node:crypto';
import { devAccessToken } from './dev-login.mjs';
import { devAppUrl } from './dev-database.mjs';
import { seedDemo } from './seed-demo.mjs';
import { createSupervisor } from './supervisor.cjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const watch = process.env.DEV_WATCH !== '0';
const apiPort = Number(process.env.API_PORT ?? 3000);
// The console's dev server in watch mode (Angular's, on the port of apps/admin's serve target).
const consolePort = Number(process.env.DEV_CONSOLE_PORT ?? 4200);
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
// Where people open the console: the api, or in watch mode the dev server in front of it. Both
// may sign in at the dev IdP.
const consoleUrl = watch ? `http://127.0.0.1:${consolePort}` : `http://127.0.0.1:${apiPort}`;
const callbacks = [
  consoleUrl,
  ...[apiPort, ...(watch ? [consolePort] : [])].flatMap((p) => [
    `http://127.0.0.1:${p}`,
    `http://localhost:${p}`,
  ]),
].filter((c, i, all) => all.indexOf(c) === i);
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
  // In watch mode the dev server serves the console.
  ...(!watch && {
    CONSOLE_DIR: process.env.CONSOLE_DIR ?? resolve(root, 'dist/apps/admin/browser'),
  }),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  // Readable lines in this terminal (pino-pretty); JSON everywhere else.
  LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  ...(process.stdout.isTTY && !process.env.NO_COLOR && { FORCE_COLOR: '1' }),
  AUTH_MODE: authMode,
  PUBLIC_URL: process.env.PUBLIC_URL ?? consoleUrl,
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

const supervisor = createSupervisor();
/** Prefixes each line of a child's output with its name, in a colour of its own. */
function prefixOutput(name, color) {
  const prefix = `\x1b[${color}m${name.padEnd(12)}\x1b[0m| `;
  const pipe = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(prefix + line + '\n');
    });
  return (child) => {
    pipe(child.stdout, process.stdout);
    pipe(child.stderr, process.stderr);
  };
}

/** A built app from dist/ under the supervisor. */
function start(name, color) {
  return supervisor.add(name, {
    command: process.execPath,
    args: [resolve(root, 'dist/apps', name, 'main.js')],
    options: { cwd: root, env },
    onStart: prefixOutput(name, color),
  });
}

/**
 * Watch mode for a Nest app: webpack (Nx's build target, development configuration) rebuilds
 * dist/apps/<name> on every change of its sources or of a lib it imports; the app starts after
 * the first build and restarts after each later one that changed main.js.
 */
async function startWatched(name, color) {
  const main = resolve(root, 'dist/apps', name, 'main.js');
  const mtime = () => (existsSync(main) ? statSync(main).mtimeMs : 0);
  let builds = 0;
  const output = prefixOutput(`${name}:build`, color);
  supervisor.add(`${name}:build`, {
    command: process.execPath,
    args: [nxBin, 'run', `${name}:build:development`, '--watch', '--outputStyle=stream'],
    options: { cwd: root, env: { ...env, NODE_ENV: 'development' } },
    // nx runs webpack in a shell, and webpack its type checker: stop the whole group.
    group: true,
    onStart: (child) => {
      output(child);
      child.stdout.on('data', (chunk) => {
        // "api: webpack compiled successfully (hash)", "… compiled with 1 error …"
        builds += (stripVTControlCharacters(chunk.toString()).match(/webpack compiled/g) ?? [])
          .length;
      });
    },
  });
  await waitFor(() => builds > 0, `first build of ${name}`, 600_000);
  const app = start(name, color);
  let started = mtime();
  let seen = builds;
  const timer = setInterval(() => {
    if (builds === seen) return;
    seen = builds;
    if (mtime() === started) return;
    started = mtime();
    console.log(`${name} rebuilt; restarting it`);
    app.restart();
  }, 500);
  timers.push(timer);
}
const nxBin = resolve(root, 'node_modules/nx/dist/bin/nx.js');
const timers = [];

async function waitFor(condition, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (stopping) throw new Error('stopped');
    if (Date.now() > deadline) throw new Error(`no ${what} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const timer of timers) clearInterval(timer);
  console.log('stopping everything…');
  supervisor.stop().then(() => process.exit(code));
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function waitReady(url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped');
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
  if (watch) {
    // The console's dev server builds while webpack builds api and runner.
    supervisor.add('console', {
      command: process.execPath,
      args: [nxBin, 'run', 'admin:serve:development', '--host=127.0.0.1', `--port=${consolePort}`],
      options: { cwd: root, env: { ...env, NODE_ENV: 'development' } },
      group: true,
      onStart: prefixOutput('console', 31),
    });
    await Promise.all([startWatched('runner', 36), startWatched('api', 32)]);
  } else {
    start('runner', 36);
    start('api', 32);
  }
  await waitReady(`http://127.0.0.1:${apiPort}/health/ready`);
  if (watch) await waitReady(`${consoleUrl}/`, 300_000);
  const devIdp = authMode === 'oidc' && !process.env.OIDC_ISSUER_URL;
  if (devIdp) await waitReady(`${issuer}/health`);
  const token = devIdp
    ? await devAccessToken({
        issuer,
        clientId: 'autocoder-console',
        clientSecret,
        redirectUri: `${consoleUrl}/api/v1/auth/callback`,
        username: 'admin',
        password: process.env.DEV_IDP_ADMIN_PASSWORD ?? 'admin',
      })
    : undefined;
  const { project, created } = await seedDemo(`http://127.0.0.1:${apiPort}`, token);
  const url = `${consoleUrl}/`;
  console.log(`
  AutoCoder is running.
    Console:   ${url}
    Demo:      ${url}projects/${project.id}  (${created ? 'initializer started: the board fills within a minute' : 'already seeded'})
    API docs:  http://127.0.0.1:${apiPort}/api/docs
    Logins:    ${
      authMode === 'none'
        ? 'none: AUTH_MODE=none, everyone on this machine is an admin'
        : process.env.OIDC_ISSUER_URL
          ? `your identity provider (${issuer})`
          : `admin / admin (admin) and viewer / viewer (read only), at the dev IdP on :${idpPort}`
    }
    Git:       ${env.GIT_SERVER_URL}${bundledGit ? ' (bundled; repositories in tmp/git-server)' : ''}
    LLM:       ${env.LLM_PROVIDER === 'demo' ? `offline demo (llm-fake on :${fakePort})` : env.LLM_PROVIDER}
    Mode:      ${
      watch
        ? 'watch: api and runner restart after each rebuild, the console reloads itself (DEV_WATCH=0: run the built dist/)'
        : 'built: dist/ as `make build` left it (DEV_WATCH=1 or unset: rebuild and reload on change)'
    }
  A process that crashes is restarted after 1 s, 2 s, 4 s … (at most 30 s). Ctrl-C stops everything.
`);
} catch (err) {
  if (!stopping) {
    console.error(err.message);
    stop(1);
  }
}
