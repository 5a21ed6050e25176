#!/usr/bin/env node
// Blue/green releases of api, console and runners on one Docker host (docs/blue-green.md).
//
//   node deploy/bluegreen/deploy.mjs deploy <tag> [--dry-run] [--steps 10,50,100] [--no-pull]
//   node deploy/bluegreen/deploy.mjs rollback [--dry-run]
//   node deploy/bluegreen/deploy.mjs retire [--dry-run]
//   node deploy/bluegreen/deploy.mjs status
//   node deploy/bluegreen/deploy.mjs render [--dry-run]
//
// deploy: migrations of <tag> (expand only: the live colour keeps running on the same schema),
// the idle colour started with <tag> (`up --wait`: container health checks), its readiness and
// a smoke request through Traefik's check routers (header X-AutoCoder-Colour), then the weights
// of Traefik's weighted services moved to it (stepwise with --steps, traffic observed after each
// step), and the old colour's runners drained (SIGTERM). The old colour's api and console stay
// up for `rollback` until `retire` or the next deploy. A failed check stops the new colour and
// leaves (or puts back) the weights as they were; exit 1.
//
// State (the live colour, each colour's tag, the weights) is in $BLUEGREEN_STATE_DIR/state.json;
// the Traefik dynamic file is rendered from deploy/traefik/dynamic.yml into
// $BLUEGREEN_STATE_DIR/traefik/dynamic.yml, which compose.bluegreen.yml mounts into Traefik.
// Only dependency: the repository's `yaml` package.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COLOURS = /** @type {const} */ (['blue', 'green']);
/** The services a colour consists of; api and admin are behind Traefik's weighted services. */
const ROUTED = ['api', 'admin'];
const COLOUR_SERVICES = ['api', 'admin', 'runner'];
const COLOUR_HEADER = 'X-AutoCoder-Colour';
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

class Refusal extends Error {}
class DeployFailure extends Error {}

function fromRoot(p) {
  return isAbsolute(p) ? p : join(ROOT, p);
}

function positiveNumber(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Refusal(`${name} must be a number ≥ 0, got "${raw}"`);
  return n;
}

function settings(flags) {
  const stateDir = fromRoot(process.env.BLUEGREEN_STATE_DIR || 'deploy/bluegreen/state');
  return {
    docker: process.env.DOCKER || 'docker',
    composeFiles: (
      process.env.BLUEGREEN_COMPOSE_FILES ||
      'docker-compose.yml,deploy/bluegreen/compose.bluegreen.yml'
    )
      .split(',')
      .map((f) => fromRoot(f.trim())),
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    dynamicFile: join(stateDir, 'traefik', 'dynamic.yml'),
    template: fromRoot(process.env.BLUEGREEN_TRAEFIK_TEMPLATE || 'deploy/traefik/dynamic.yml'),
    checkUrl: (process.env.BLUEGREEN_CHECK_URL || 'http://127.0.0.1:8082').replace(/\/$/, ''),
    readyTimeoutMs: positiveNumber('BLUEGREEN_READY_TIMEOUT_S', 180) * 1000,
    observeMs: positiveNumber('BLUEGREEN_OBSERVE_S', 30) * 1000,
    pollMs: positiveNumber('BLUEGREEN_POLL_MS', 2000),
    smokeTokenFile: process.env.BLUEGREEN_SMOKE_TOKEN_FILE || '',
    steps: parseSteps(flags.steps ?? process.env.BLUEGREEN_STEPS ?? '100'),
    pull: !flags.noPull && process.env.BLUEGREEN_PULL !== '0',
    dryRun: flags.dryRun,
  };
}

function parseSteps(text) {
  const steps = String(text)
    .split(',')
    .map((s) => Number(s.trim()));
  const ok =
    steps.length > 0 &&
    steps.every(
      (s, i) => Number.isInteger(s) && s > 0 && s <= 100 && (i === 0 || s > steps[i - 1]),
    ) &&
    steps[steps.length - 1] === 100;
  if (!ok)
    throw new Refusal(
      `steps must be rising percentages ending at 100 (e.g. 10,50,100), got "${text}"`,
    );
  return steps;
}

function other(colour) {
  return colour === 'blue' ? 'green' : 'blue';
}

function say(line) {
  process.stdout.write(`bluegreen: ${line}\n`);
}

// ---- state ---------------------------------------------------------------------------------

function emptyState() {
  return {
    live: null,
    previous: null,
    tags: { blue: null, green: null },
    weights: { blue: 0, green: 0 },
    history: [],
  };
}

function loadState(s) {
  if (!existsSync(s.stateFile)) return emptyState();
  const state = JSON.parse(readFileSync(s.stateFile, 'utf8'));
  for (const key of ['live', 'previous']) {
    if (state[key] !== null && !COLOURS.includes(state[key]))
      throw new Refusal(`${s.stateFile}: ${key} must be blue, green or null`);
  }
  return { ...emptyState(), ...state };
}

/** Writes next to the target, then renames: readers (Traefik's file watcher) never see half a file. */
function writeAtomically(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  // A name Traefik's file provider ignores (not .yml/.yaml/.toml).
  const tmp = join(dirname(path), `.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function saveState(s, state, action) {
  const next = {
    ...state,
    updatedAt: new Date().toISOString(),
    history: [
      ...state.history,
      { at: new Date().toISOString(), action, live: state.live, tags: { ...state.tags } },
    ].slice(-50),
  };
  if (s.dryRun) {
    say(
      `[dry-run] would write ${s.stateFile}: live=${next.live} previous=${next.previous} ` +
        `tags blue=${next.tags.blue} green=${next.tags.green} weights blue=${next.weights.blue} green=${next.weights.green}`,
    );
    return next;
  }
  writeAtomically(s.stateFile, `${JSON.stringify(next, null, 2)}\n`);
  return next;
}

// ---- Traefik dynamic file ------------------------------------------------------------------

/**
 * deploy/traefik/dynamic.yml with `api` and `admin` turned into weighted services over
 * `<name>-blue` and `<name>-green` (copies of the original load balancer pointing at the
 * colour's compose service), and check routers on the internal entry point that reach one
 * colour by the X-AutoCoder-Colour header. Traefik ignores a child of weight 0.
 */
export function renderDynamic(templateText, weights) {
  const doc = parse(templateText);
  const http = doc?.http;
  if (!http?.services || !http.routers)
    throw new Error('the template has no http.services or http.routers');
  for (const name of ROUTED) {
    const lb = http.services[name]?.loadBalancer;
    if (!lb?.servers?.length)
      throw new Error(`the template's service ${name} is not a loadBalancer with servers`);
    for (const colour of COLOURS) {
      const servers = lb.servers.map((server) => {
        const url = new URL(server.url);
        if (url.hostname !== name)
          throw new Error(
            `service ${name}: server ${server.url} does not point at the compose service ${name}`,
          );
        url.hostname = `${name}-${colour}`;
        return { ...server, url: url.toString().replace(/\/$/, '') };
      });
      http.services[`${name}-${colour}`] = { loadBalancer: { ...structuredClone(lb), servers } };
    }
    http.services[name] = {
      weighted: {
        services: COLOURS.map((colour) => ({ name: `${name}-${colour}`, weight: weights[colour] })),
        // While weights are split, a browser stays on the colour that served it first (the
        // console's hashed bundles exist only in the colour that served its index.html).
        sticky: {
          cookie: {
            name: `autocoder_${name}_colour`,
            secure: true,
            httpOnly: true,
            sameSite: 'lax',
          },
        },
        // A child whose health check fails gets no traffic while the other is up.
        healthCheck: {},
      },
    };
  }
  const apiPaths = ['/api', '/health', '/metrics', '/mcp']
    .map((p) => `PathPrefix(\`${p}\`)`)
    .join(' || ');
  for (const colour of COLOURS) {
    const header = `Header(\`${COLOUR_HEADER}\`, \`${colour}\`)`;
    http.routers[`check-api-${colour}`] = {
      entryPoints: ['internal'],
      rule: `${header} && (${apiPaths})`,
      priority: 1001,
      service: `api-${colour}`,
    };
    http.routers[`check-admin-${colour}`] = {
      entryPoints: ['internal'],
      rule: header,
      priority: 1000,
      service: `admin-${colour}`,
    };
  }
  const head =
    '# Generated by deploy/bluegreen/deploy.mjs from deploy/traefik/dynamic.yml: do not edit\n' +
    '# (edit the template and run `node deploy/bluegreen/deploy.mjs render`).\n' +
    `# Weights: blue ${weights.blue}, green ${weights.green}.\n`;
  return head + stringify(doc, { lineWidth: 0 });
}

function writeDynamic(s, weights) {
  const text = renderDynamic(readFileSync(s.template, 'utf8'), weights);
  const current = existsSync(s.dynamicFile) ? readFileSync(s.dynamicFile, 'utf8') : null;
  if (current === text) return;
  if (s.dryRun) {
    say(
      `[dry-run] would write ${s.dynamicFile}: api and admin weights blue=${weights.blue} green=${weights.green}`,
    );
    return;
  }
  writeAtomically(s.dynamicFile, text);
  say(`wrote ${s.dynamicFile}: api and admin weights blue=${weights.blue} green=${weights.green}`);
}

/** The weights the rendered file gives api's weighted service (null when there is no file). */
function renderedWeights(s) {
  if (!existsSync(s.dynamicFile)) return null;
  const services =
    parse(readFileSync(s.dynamicFile, 'utf8'))?.http?.services?.api?.weighted?.services ?? [];
  return Object.fromEntries(services.map((x) => [x.name.replace(/^api-/, ''), x.weight]));
}

// ---- docker compose ------------------------------------------------------------------------

function composeEnv(tags, migrateTag) {
  const env = {
    AUTOCODER_BLUE_TAG: tags.blue ?? 'local',
    AUTOCODER_GREEN_TAG: tags.green ?? 'local',
  };
  if (migrateTag) env.AUTOCODER_MIGRATE_TAG = migrateTag;
  return env;
}

function compose(s, args, env) {
  const argv = ['compose', ...s.composeFiles.flatMap((f) => ['-f', f]), ...args];
  const shown = `${Object.entries(env)
    .map(([k, v]) => `${k}=${v} `)
    .join('')}${s.docker} ${argv.join(' ')}`;
  if (s.dryRun) {
    say(`[dry-run] $ ${shown}`);
    return;
  }
  say(`$ ${shown}`);
  const result = spawnSync(s.docker, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  if (result.error) throw new DeployFailure(`${s.docker} could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new DeployFailure(`${s.docker} ${args[0]} exited ${result.status}`);
}

function services(colour, names = COLOUR_SERVICES) {
  return names.map((n) => `${n}-${colour}`);
}

/** Stops a colour; its runners drain (SIGTERM, compose's stop_grace_period). Never throws. */
function stopColour(s, colour, env, names = COLOUR_SERVICES) {
  try {
    compose(s, ['stop', ...services(colour, names)], env);
  } catch (err) {
    say(`could not stop ${colour}: ${err.message}; stop it by hand`);
  }
}

// ---- HTTP checks ---------------------------------------------------------------------------

async function get(s, path, colour, headers = {}) {
  const res = await fetch(`${s.checkUrl}${path}`, {
    headers: { ...(colour ? { [COLOUR_HEADER]: colour } : {}), ...headers },
    signal: AbortSignal.timeout(5000),
    redirect: 'manual',
  });
  return { status: res.status, body: await res.text() };
}

async function probe(s, path, colour) {
  try {
    const res = await get(s, path, colour);
    return res.status === 200 ? null : `${path} answered ${res.status}`;
  } catch (err) {
    return `${path} unreachable (${err.cause?.code ?? err.message})`;
  }
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls the colour's api readiness and console health until both answer 200 or time runs out. */
async function waitReady(s, colour, timeoutMs) {
  const label = `${colour}: GET ${s.checkUrl}/health/ready and /healthz with ${COLOUR_HEADER}: ${colour}`;
  if (s.dryRun) {
    say(`[dry-run] would wait up to ${timeoutMs / 1000}s for ${label}`);
    return;
  }
  say(`waiting up to ${timeoutMs / 1000}s for ${label}`);
  const deadline = Date.now() + timeoutMs;
  let reason = 'not checked';
  for (;;) {
    reason = (await probe(s, '/health/ready', colour)) ?? (await probe(s, '/healthz', colour));
    if (reason === null) return say(`${colour} is ready`);
    if (Date.now() + s.pollMs > deadline) break;
    await wait(s.pollMs);
  }
  throw new DeployFailure(`${colour} is not ready after ${timeoutMs / 1000}s: ${reason}`);
}

/** Requests a person's first visit makes: the console's page, the api's document, and (with a token) an authenticated call. */
async function smoke(s, colour) {
  const checks = [
    [
      '/',
      (r) => r.status === 200 && r.body.includes('<ac-root'),
      'the console page (200 with <ac-root>)',
    ],
    [
      '/api/docs/openapi.json',
      (r) => r.status === 200 && typeof safeJson(r.body)?.openapi === 'string',
      'the OpenAPI document',
    ],
  ];
  let headers = {};
  if (s.smokeTokenFile) {
    const token = readFileSync(s.smokeTokenFile, 'utf8').trim();
    headers = { Authorization: `Bearer ${token}` };
    checks.push([
      '/api/v1/auth/me',
      (r) => r.status === 200,
      'GET /api/v1/auth/me with the smoke token',
    ]);
  }
  for (const [path, ok, what] of checks) {
    if (s.dryRun) {
      say(`[dry-run] would smoke-test ${colour}: GET ${s.checkUrl}${path} (${what})`);
      continue;
    }
    let res;
    try {
      res = await get(s, path, colour, path.startsWith('/api/v1/') ? headers : {});
    } catch (err) {
      throw new DeployFailure(
        `smoke request to ${colour} failed: GET ${path}: ${err.cause?.code ?? err.message}`,
      );
    }
    if (!ok(res))
      throw new DeployFailure(
        `smoke request to ${colour} failed: GET ${path} answered ${res.status}, expected ${what}`,
      );
    say(`smoke ${colour}: GET ${path} ok`);
  }
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Public traffic path (the internal entry point's /health/ready, through the weighted service) for a while. */
async function observe(s, ms) {
  if (s.dryRun) {
    say(
      `[dry-run] would watch GET ${s.checkUrl}/health/ready (weighted, no colour header) for ${ms / 1000}s`,
    );
    return;
  }
  const end = Date.now() + ms;
  let failures = 0;
  for (;;) {
    const reason = await probe(s, '/health/ready', null);
    if (reason) {
      // Two failures in a row: a single one may be Traefik reloading.
      if (++failures >= 2) throw new DeployFailure(`traffic check failed: ${reason}`);
    } else {
      failures = 0;
      if (Date.now() >= end) return;
    }
    await wait(s.pollMs);
  }
}

// ---- commands ------------------------------------------------------------------------------

function withLock(s, fn) {
  if (s.dryRun) return fn();
  mkdirSync(s.stateDir, { recursive: true });
  const lock = join(s.stateDir, '.lock');
  let fd;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    throw new Refusal(
      `${lock} exists: another deploy or rollback is running (remove the file if none is)`,
    );
  }
  writeFileSync(fd, String(process.pid));
  closeSync(fd);
  return Promise.resolve()
    .then(fn)
    .finally(() => unlinkSync(lock));
}

async function deploy(s, tag) {
  if (!tag || !TAG.test(tag))
    throw new Refusal(`deploy needs an image tag (e.g. a commit sha), got "${tag ?? ''}"`);
  // A colour is pinned to what it runs: `latest` moves, so a rollback could not name it.
  if (tag === 'latest')
    throw new Refusal('deploy a commit sha, not latest (it moves with every build of main)');
  let state = loadState(s);
  const live = state.live;
  const idle = live ? other(live) : 'blue';
  const tags = { ...state.tags, [idle]: tag };
  const env = composeEnv(tags, tag);
  say(
    live
      ? `live: ${live} (${state.tags[live]}); deploying ${tag} to ${idle}`
      : `nothing live yet; deploying ${tag} to ${idle}`,
  );
  if (live && state.tags[live] === tag) say(`note: ${live} already runs ${tag}`);

  // The check routers exist in every rendered file; weights unchanged.
  writeDynamic(s, state.weights);
  // First deploy: Postgres, Redis, the git server, llm-fake, the dev IdP and Traefik (every
  // service outside a profile); later deploys leave them alone.
  if (!live) compose(s, ['up', '-d', '--wait'], env);
  if (s.pull) compose(s, ['pull', ...services(idle)], env);
  // 1. Expand migrations, while the live colour serves.
  try {
    compose(s, ['run', '--rm', 'migrate'], env);
  } catch (err) {
    throw new DeployFailure(
      `migrations of ${tag} failed (${err.message}): nothing started, traffic unchanged (${live ?? 'none'})`,
    );
  }
  // 2. The idle colour with the new tag, up and healthy by its container health checks.
  const waitS = String(Math.ceil(s.readyTimeoutMs / 1000));
  try {
    compose(
      s,
      ['up', '-d', '--no-deps', '--wait', '--wait-timeout', waitS, ...services(idle)],
      env,
    );
  } catch (err) {
    stopColour(s, idle, env);
    state = saveState(
      s,
      { ...state, tags, previous: null },
      `deploy ${tag} to ${idle}: failed to start`,
    );
    throw new DeployFailure(
      `${idle} did not start: ${err.message}. Traffic unchanged (${live ?? 'none'}).`,
    );
  }
  // The idle colour was the rollback target: it runs the new tag now.
  state = saveState(s, { ...state, tags, previous: null }, `deploy ${tag} to ${idle}: started`);
  // 3. Readiness and smoke through Traefik, before any traffic.
  try {
    await waitReady(s, idle, s.readyTimeoutMs);
    await smoke(s, idle);
  } catch (err) {
    say(`${err.message}; stopping ${idle}`);
    stopColour(s, idle, env);
    saveState(s, state, `deploy ${tag} to ${idle}: checks failed`);
    throw new DeployFailure(
      `${err.message}. ${idle} stopped, traffic unchanged (${live ?? 'none'}).`,
    );
  }
  // 4. Traffic, stepwise.
  const steps = live ? s.steps : [100];
  for (const step of steps) {
    const weights = { [idle]: step, [other(idle)]: 100 - step };
    say(`switching: ${idle} ${step}%, ${other(idle)} ${100 - step}%`);
    writeDynamic(s, weights);
    state = saveState(s, { ...state, weights }, `weights ${idle} ${step}`);
    try {
      await observe(s, s.observeMs);
    } catch (err) {
      const back = live ? { [live]: 100, [idle]: 0 } : { blue: 0, green: 0 };
      say(`${err.message}; putting traffic back on ${live ?? 'nothing'}`);
      writeDynamic(s, back);
      stopColour(s, idle, env);
      saveState(s, { ...state, weights: back }, `deploy ${tag} to ${idle}: rolled back`);
      throw new DeployFailure(
        `${err.message}. Rolled back: traffic on ${live ?? 'nothing'}, ${idle} stopped.`,
      );
    }
  }
  // 5. The old colour's runners drain; its api and console stay for a rollback.
  if (live) stopColour(s, live, env, ['runner']);
  state = saveState(s, { ...state, live: idle, previous: live }, `deploy ${tag} to ${idle}: live`);
  say(`live: ${idle} (${tag}).`);
  if (live)
    say(
      `${live} (${state.tags[live]}) keeps its api and console up: \`node deploy/bluegreen/deploy.mjs rollback\` ` +
        `switches back, \`... retire\` stops it.`,
    );
  return 0;
}

async function rollback(s) {
  let state = loadState(s);
  const current = state.live;
  const target = state.previous;
  if (!current) throw new Refusal('nothing is live: no deploy has completed');
  if (!target || !state.tags[target])
    throw new Refusal(
      `no previous colour to roll back to (live: ${current}); deploy an older tag instead`,
    );
  const env = composeEnv(state.tags);
  say(`rolling back: ${current} (${state.tags[current]}) -> ${target} (${state.tags[target]})`);
  try {
    await waitReady(s, target, Math.min(s.readyTimeoutMs, 10000));
  } catch (err) {
    throw new Refusal(
      `cannot roll back by switching: the previous colour ${target} is not up (${err.message}). ` +
        `Deploy its tag again instead: node deploy/bluegreen/deploy.mjs deploy ${state.tags[target]}`,
    );
  }
  // Its runners were drained at the switch: start them again (same image).
  compose(
    s,
    ['up', '-d', '--no-deps', '--wait', '--wait-timeout', '120', ...services(target, ['runner'])],
    env,
  );
  const weights = { [target]: 100, [current]: 0 };
  writeDynamic(s, weights);
  stopColour(s, current, env, ['runner']);
  state = saveState(
    s,
    { ...state, live: target, previous: current, weights },
    `rollback to ${target}`,
  );
  say(
    `live: ${target} (${state.tags[target]}). ${current} keeps its api and console up (rollback again, or retire).`,
  );
  return 0;
}

async function retire(s) {
  const state = loadState(s);
  if (!state.live || !state.previous) throw new Refusal('no previous colour to retire');
  if (state.weights[state.previous] !== 0)
    throw new Refusal(
      `${state.previous} still has weight ${state.weights[state.previous]}; finish or roll back first`,
    );
  stopColour(s, state.previous, composeEnv(state.tags));
  saveState(s, { ...state, previous: null }, `retire ${state.previous}`);
  say(
    `${state.previous} stopped; rollback now needs a deploy of its tag (${state.tags[state.previous]}).`,
  );
  return 0;
}

function status(s) {
  const state = loadState(s);
  const rendered = renderedWeights(s);
  const lines = [
    `live: ${state.live ?? 'none'}${state.live ? ` (${state.tags[state.live]})` : ''}`,
    `previous: ${state.previous ?? 'none'}${state.previous ? ` (${state.tags[state.previous]})` : ''}`,
    `tags: blue=${state.tags.blue ?? '-'} green=${state.tags.green ?? '-'}`,
    `weights (state): blue=${state.weights.blue} green=${state.weights.green}`,
    `weights (${s.dynamicFile}): ${rendered ? `blue=${rendered.blue} green=${rendered.green}` : 'no file'}`,
  ];
  for (const line of lines) say(line);
  if (
    rendered &&
    (rendered.blue !== state.weights.blue || rendered.green !== state.weights.green)
  ) {
    say('the Traefik file and the state disagree: run `node deploy/bluegreen/deploy.mjs render`');
    return 1;
  }
  return 0;
}

function render(s) {
  writeDynamic(s, loadState(s).weights);
  return 0;
}

function usage() {
  return [
    'usage: node deploy/bluegreen/deploy.mjs <command> [options]',
    '  deploy <tag>   migrate, start the idle colour with <tag>, check it, switch traffic',
    '  rollback       switch traffic back to the previous colour (it must still be up)',
    '  retire         stop the previous colour (after which rollback needs a deploy)',
    '  status         live colour, tags and weights',
    '  render         rewrite the Traefik dynamic file from the template and the state',
    'options: --dry-run (print commands and file changes, change nothing), --steps 10,50,100, --no-pull',
  ].join('\n');
}

async function main(argv) {
  const flags = { dryRun: false, noPull: false, steps: undefined };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') flags.dryRun = true;
    else if (a === '--no-pull') flags.noPull = true;
    else if (a === '--steps') flags.steps = argv[++i];
    else if (a.startsWith('--steps=')) flags.steps = a.slice('--steps='.length);
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${usage()}\n`);
      return 0;
    } else if (a.startsWith('-')) throw new Refusal(`unknown option ${a}\n${usage()}`);
    else positional.push(a);
  }
  const [command, arg] = positional;
  const s = settings(flags);
  if (s.dryRun) say('[dry-run] nothing is changed');
  switch (command) {
    case 'deploy':
      return withLock(s, () => deploy(s, arg));
    case 'rollback':
      return withLock(s, () => rollback(s));
    case 'retire':
      return withLock(s, () => retire(s));
    case 'status':
      return status(s);
    case 'render':
      return withLock(s, () => render(s));
    default:
      throw new Refusal(usage());
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`bluegreen: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof Refusal ? 2 : 1);
    },
  );
}
