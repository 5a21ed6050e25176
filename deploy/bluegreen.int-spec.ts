// Blue/green delivery (deploy/bluegreen): the compose overlay through the real
// `docker-compose config`, and deploy.mjs run as a process against a fake `docker` (a script
// recording its arguments) and a real HTTP server standing in for Traefik's check routers and
// the colours behind them. No Docker engine on these machines.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, readYaml, repoPath } from './deploy-test-utils';

type Colour = 'blue' | 'green';
const COLOURS: Colour[] = ['blue', 'green'];
const SCRIPT = repoPath('deploy', 'bluegreen', 'deploy.mjs');
const OVERLAY = 'deploy/bluegreen/compose.bluegreen.yml';

interface ComposeService {
  image?: string;
  profiles?: string[];
  depends_on?: Record<string, { condition?: string }>;
  ports?: (string | { published?: number; target?: number; host_ip?: string })[];
  volumes?: (string | { source?: string; target?: string })[];
  [key: string]: unknown;
}

interface DynamicConfig {
  http: {
    routers: Record<
      string,
      { entryPoints: string[]; service: string; middlewares?: string[]; rule: string }
    >;
    middlewares: Record<string, unknown>;
    services: Record<
      string,
      {
        loadBalancer?: { servers: { url: string }[]; healthCheck?: { path: string } };
        weighted?: { services: { name: string; weight: number }[] };
      }
    >;
  };
}

interface State {
  live: Colour | null;
  previous: Colour | null;
  tags: Record<Colour, string | null>;
  weights: Record<Colour, number>;
  history: { action: string }[];
}

// ---- the compose overlay -------------------------------------------------------------------

function composeConfig(env: Record<string, string>): Record<string, ComposeService> {
  const result = spawnSync(
    'docker-compose',
    ['-f', 'docker-compose.yml', '-f', OVERLAY, 'config'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/tmp',
        ...env,
      },
      timeout: 30000,
    },
  );
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error('docker-compose is not installed (make test-tools installs it)');
  if (result.status !== 0)
    throw new Error(`docker-compose config exited ${result.status}:\n${result.stderr}`);
  return (parse(result.stdout) as { services: Record<string, ComposeService> }).services;
}

/** Settings every colour service shares with its single-colour original in docker-compose.yml. */
const SHARED_KEYS = [
  'environment',
  'secrets',
  'volumes',
  'networks',
  'healthcheck',
  'security_opt',
  'cap_drop',
  'read_only',
  'tmpfs',
  'restart',
  'logging',
  'deploy',
  'stop_grace_period',
];

describe('deploy/bluegreen/compose.bluegreen.yml', () => {
  const env = {
    AUTOCODER_IMAGE_PREFIX: 'ghcr.io/acme/autocoder-',
    AUTOCODER_BLUE_TAG: 'aaa111',
    AUTOCODER_GREEN_TAG: 'bbb222',
    AUTOCODER_MIGRATE_TAG: 'bbb222',
  };
  let services: Record<string, ComposeService>;

  beforeAll(() => {
    services = composeConfig(env);
  });

  it('is valid with docker-compose.yml and defines api, admin and runner per colour, with their tag', () => {
    for (const colour of COLOURS) {
      const tag = colour === 'blue' ? 'aaa111' : 'bbb222';
      for (const name of ['api', 'admin', 'runner']) {
        const service = services[`${name}-${colour}`];
        expect({ name, colour, image: service?.image, profiles: service?.profiles }).toEqual({
          name,
          colour,
          image: `ghcr.io/acme/autocoder-${name}:${tag}`,
          profiles: [colour],
        });
      }
    }
    // The shared services come from the same registry, at AUTOCODER_TAG.
    for (const name of ['git-server', 'llm-fake', 'dev-idp'])
      expect(services[name].image).toBe(`ghcr.io/acme/autocoder-${name}:local`);
    // migrate runs the api image of the tag being deployed, only when named.
    expect(services['migrate'].image).toBe('ghcr.io/acme/autocoder-api:bbb222');
    expect(services['migrate'].profiles).toEqual(['migrate']);
  });

  it('gives the local image names by default', () => {
    const local = composeConfig({});
    expect(local['api-blue'].image).toBe('autocoder/api:local');
    expect(local['admin-green'].image).toBe('autocoder/admin:local');
  });

  it('switches the single-colour api, admin and runner off', () => {
    for (const name of ['api', 'admin', 'runner'])
      expect({ name, profiles: services[name].profiles }).toEqual({
        name,
        profiles: ['single-colour'],
      });
  });

  it("keeps each colour's settings identical to docker-compose.yml's service", () => {
    for (const colour of COLOURS) {
      for (const name of ['api', 'admin', 'runner']) {
        const base = services[name];
        const coloured = services[`${name}-${colour}`];
        for (const key of SHARED_KEYS) {
          expect({ service: `${name}-${colour}`, key, value: coloured[key] }).toEqual({
            service: `${name}-${colour}`,
            key,
            value: base[key],
          });
        }
        // The same dependencies except migrate, which deploy.mjs runs first with the new tag.
        const { migrate, ...baseDeps } = base.depends_on ?? {};
        expect(migrate === undefined || name === 'admin' || migrate.condition).toBeTruthy();
        expect(coloured.depends_on ?? {}).toEqual(baseDeps);
      }
    }
  });

  it('never lets a started service depend on one switched off by a profile (compose v2 refuses that)', () => {
    const active = (name: string) => (services[name].profiles ?? []).length === 0;
    for (const [name, service] of Object.entries(services)) {
      const myProfiles = service.profiles ?? [];
      // api, admin and runner of docker-compose.yml never start with this overlay.
      if (myProfiles.includes('single-colour')) continue;
      for (const dep of Object.keys(service.depends_on ?? {})) {
        const ok =
          active(dep) || (services[dep].profiles ?? []).some((p) => myProfiles.includes(p));
        expect({ service: name, dependsOn: dep, ok }).toEqual({
          service: name,
          dependsOn: dep,
          ok: true,
        });
      }
    }
  });

  it('mounts the rendered Traefik directory and publishes the internal entry point on the loopback only', () => {
    const traefik = services['traefik'];
    const volumes = (traefik.volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    const dynamic = volumes.filter((v) => v.includes(':/etc/traefik/dynamic'));
    expect(dynamic).toEqual([
      `${repoPath('deploy', 'bluegreen', 'state', 'traefik')}:/etc/traefik/dynamic:ro`,
    ]);
    const published = (traefik.ports ?? []).map((p) =>
      typeof p === 'string' ? p : `${p.published}:${p.target}`,
    );
    expect(published).toContainEqual(expect.stringMatching(/^127\.0\.0\.1:8082:8082/));
    const staticConfig = readYaml<{ entryPoints: Record<string, { address: string }> }>(
      'traefik.yml',
    );
    expect(staticConfig.entryPoints['internal'].address).toBe(':8082');
  });

  it('keeps the state directory out of git', () => {
    expect(readFileSync(repoPath('.gitignore'), 'utf8')).toMatch(
      /^\/?deploy\/bluegreen\/state\/$/m,
    );
  });
});

// ---- deploy.mjs ----------------------------------------------------------------------------

/** Stands in for Traefik's internal entry point: the colour header picks the colour. */
class FakeColours {
  readonly ready: Record<Colour, boolean> = { blue: true, green: true };
  /** /health/ready without a colour header: the weighted, public path. */
  publicReady = true;
  readonly requests: string[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server?.close(() => done()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const colour = req.headers['x-autocoder-colour'] as Colour | undefined;
    this.requests.push(`${colour ?? '-'} ${req.url}`);
    const up = colour ? this.ready[colour] : this.publicReady;
    if (req.url === '/health/ready') {
      res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: up ? 'ok' : 'error' }));
    } else if (req.url === '/healthz') {
      res.writeHead(200).end('ok');
    } else if (req.url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><body><ac-root></ac-root></body></html>');
    } else if (req.url === '/api/docs/openapi.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"openapi":"3.0.0"}');
    } else {
      res.writeHead(404).end();
    }
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface DockerCall {
  args: string[];
  tags: { blue?: string; green?: string; migrate?: string };
}

class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'bluegreen-'));
  readonly stateDir = join(this.dir, 'state');
  readonly dockerLog = join(this.dir, 'docker.jsonl');
  readonly docker = join(this.dir, 'docker');

  constructor(private readonly colours: FakeColours) {
    writeFileSync(
      this.docker,
      [
        '#!/usr/bin/env node',
        "const fs = require('node:fs');",
        'const args = process.argv.slice(2);',
        'const e = process.env;',
        'fs.appendFileSync(e.FAKE_DOCKER_LOG, JSON.stringify({ args, tags: { blue: e.AUTOCODER_BLUE_TAG, green: e.AUTOCODER_GREEN_TAG, migrate: e.AUTOCODER_MIGRATE_TAG } }) + "\\n");',
        "if (e.FAKE_DOCKER_FAIL && args.join(' ').includes(e.FAKE_DOCKER_FAIL)) process.exit(3);",
      ].join('\n'),
    );
    chmodSync(this.docker, 0o755);
  }

  run(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [SCRIPT, ...args], {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: process.env['HOME'] ?? '/tmp',
          DOCKER: this.docker,
          FAKE_DOCKER_LOG: this.dockerLog,
          BLUEGREEN_STATE_DIR: this.stateDir,
          BLUEGREEN_CHECK_URL: this.colours.url,
          BLUEGREEN_POLL_MS: '50',
          BLUEGREEN_OBSERVE_S: '0',
          BLUEGREEN_READY_TIMEOUT_S: '2',
          ...extraEnv,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', fail);
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
  }

  dockerCalls(): DockerCall[] {
    if (!existsSync(this.dockerLog)) return [];
    return readFileSync(this.dockerLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DockerCall);
  }

  /** The compose arguments after the -f files, e.g. "up -d ... api-green". */
  composeCommands(): string[] {
    return this.dockerCalls().map((c) => {
      const args = [...c.args];
      expect(args.shift()).toBe('compose');
      while (args[0] === '-f') args.splice(0, 2);
      return args.join(' ');
    });
  }

  clearDockerLog(): void {
    rmSync(this.dockerLog, { force: true });
  }

  state(): State {
    return JSON.parse(readFileSync(join(this.stateDir, 'state.json'), 'utf8')) as State;
  }

  dynamic(): DynamicConfig {
    return parse(
      readFileSync(join(this.stateDir, 'traefik', 'dynamic.yml'), 'utf8'),
    ) as DynamicConfig;
  }

  weights(name = 'api'): Record<string, number> {
    const weighted = this.dynamic().http.services[name].weighted;
    return Object.fromEntries((weighted?.services ?? []).map((s) => [s.name, s.weight]));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The checks of deploy/traefik.spec.ts, for a rendered file: everything referenced is defined. */
function expectValidDynamic(config: DynamicConfig): void {
  const staticConfig = readYaml<{ entryPoints: Record<string, unknown> }>('traefik.yml');
  const { routers, middlewares, services } = config.http;
  for (const [name, router] of Object.entries(routers)) {
    expect({ router: name, service: router.service in services }).toEqual({
      router: name,
      service: true,
    });
    for (const mw of router.middlewares ?? [])
      expect({ router: name, mw, defined: mw in middlewares }).toEqual({
        router: name,
        mw,
        defined: true,
      });
    for (const ep of router.entryPoints)
      expect({ router: name, ep, defined: ep in staticConfig.entryPoints }).toEqual({
        router: name,
        ep,
        defined: true,
      });
  }
  for (const [name, service] of Object.entries(services)) {
    for (const child of service.weighted?.services ?? []) {
      // A weighted service's children are load balancers with a health check of their own.
      expect({
        service: name,
        child: child.name,
        lb: Boolean(services[child.name]?.loadBalancer?.healthCheck),
      }).toEqual({
        service: name,
        child: child.name,
        lb: true,
      });
    }
  }
  // The public routes are unchanged: they still name api and admin, now weighted.
  const template = readYaml<DynamicConfig>('deploy', 'traefik', 'dynamic.yml');
  for (const [name, router] of Object.entries(template.http.routers))
    expect(routers[name]).toEqual(router);
  for (const name of ['api', 'admin']) {
    expect(services[name].weighted?.services.map((s) => s.name)).toEqual([
      `${name}-blue`,
      `${name}-green`,
    ]);
    for (const colour of COLOURS) {
      const port = new URL(template.http.services[name].loadBalancer?.servers[0].url ?? '').port;
      expect(services[`${name}-${colour}`].loadBalancer?.servers).toEqual([
        { url: `http://${name}-${colour}:${port}` },
      ]);
    }
  }
  // Check routers only on the internal entry point (not published beyond the host's loopback).
  for (const [name, router] of Object.entries(routers).filter(([n]) => n.startsWith('check-')))
    expect({ name, entryPoints: router.entryPoints }).toEqual({ name, entryPoints: ['internal'] });
}

describe('deploy/bluegreen/deploy.mjs', () => {
  const colours = new FakeColours();
  let box: Sandbox;

  beforeAll(() => colours.start());
  afterAll(() => colours.stop());
  beforeEach(() => {
    colours.ready.blue = true;
    colours.ready.green = true;
    colours.publicReady = true;
    box = new Sandbox(colours);
  });
  afterEach(() => box.remove());

  /** A first deploy of `tag` to blue, for the tests that start from a live colour. */
  async function bootstrap(tag = 'aaa111'): Promise<void> {
    const run = await box.run(['deploy', tag]);
    expect(run).toMatchObject({ code: 0 });
    expect(box.state()).toMatchObject({ live: 'blue', tags: { blue: tag } });
    box.clearDockerLog();
  }

  it('dry run: prints every step in order and changes nothing', async () => {
    await bootstrap();
    const before = {
      state: readFileSync(join(box.stateDir, 'state.json'), 'utf8'),
      dynamic: readFileSync(join(box.stateDir, 'traefik', 'dynamic.yml'), 'utf8'),
    };
    const requestsBefore = colours.requests.length;

    const run = await box.run(['deploy', 'bbb222', '--dry-run', '--steps', '10,100']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expected = [
      /\[dry-run\] nothing is changed/,
      /live: blue \(aaa111\); deploying bbb222 to green/,
      /\[dry-run\] \$ AUTOCODER_BLUE_TAG=aaa111 AUTOCODER_GREEN_TAG=bbb222 AUTOCODER_MIGRATE_TAG=bbb222 \S+ compose -f \S+docker-compose\.yml -f \S+compose\.bluegreen\.yml pull api-green admin-green runner-green/,
      /\[dry-run\] \$ .* run --rm migrate$/m,
      /\[dry-run\] \$ .* up -d --no-deps --wait --wait-timeout 2 api-green admin-green runner-green/,
      /would wait up to 2s for green: GET \S+\/health\/ready and \/healthz with X-AutoCoder-Colour: green/,
      /would smoke-test green: GET \S+\/ \(/,
      /would smoke-test green: GET \S+\/api\/docs\/openapi\.json/,
      /would write \S+dynamic\.yml: api and admin weights blue=90 green=10/,
      /would watch GET \S+\/health\/ready/,
      /would write \S+dynamic\.yml: api and admin weights blue=0 green=100/,
      /\[dry-run\] \$ .* stop runner-blue$/m,
      /would write \S+state\.json: live=green previous=blue tags blue=aaa111 green=bbb222/,
    ];
    let from = 0;
    for (const re of expected) {
      const rest = run.stdout.slice(from);
      const m = re.exec(rest);
      expect({ step: re.source, found: Boolean(m) }).toEqual({ step: re.source, found: true });
      from += (m?.index ?? 0) + (m?.[0].length ?? 0);
    }
    // Nothing ran, nothing was written, nothing was asked.
    expect(box.dockerCalls()).toEqual([]);
    expect(readFileSync(join(box.stateDir, 'state.json'), 'utf8')).toBe(before.state);
    expect(readFileSync(join(box.stateDir, 'traefik', 'dynamic.yml'), 'utf8')).toBe(before.dynamic);
    expect(colours.requests.length).toBe(requestsBefore);
  });

  it('first deploy: starts the stack, migrates, starts blue, checks it and gives it all traffic', async () => {
    const run = await box.run(['deploy', 'aaa111']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(box.composeCommands()).toEqual([
      'up -d --wait',
      'pull api-blue admin-blue runner-blue',
      'run --rm migrate',
      'up -d --no-deps --wait --wait-timeout 2 api-blue admin-blue runner-blue',
    ]);
    expect(box.dockerCalls()[2].tags.migrate).toBe('aaa111');
    expect(box.weights()).toEqual({ 'api-blue': 100, 'api-green': 0 });
    expect(box.weights('admin')).toEqual({ 'admin-blue': 100, 'admin-green': 0 });
    expect(colours.requests).toEqual(
      expect.arrayContaining([
        'blue /health/ready',
        'blue /healthz',
        'blue /',
        'blue /api/docs/openapi.json',
        '- /health/ready',
      ]),
    );
    expectValidDynamic(box.dynamic());
  });

  it('deploy: migrations first, the idle colour with the new tag, checks, stepwise switch, old runners drained', async () => {
    await bootstrap('aaa111');
    colours.requests.length = 0;

    const run = await box.run(['deploy', 'bbb222', '--steps', '10,50,100', '--no-pull']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(box.composeCommands()).toEqual([
      'run --rm migrate',
      'up -d --no-deps --wait --wait-timeout 2 api-green admin-green runner-green',
      'stop runner-blue',
    ]);
    // Both colours keep their own tag; migrate runs the new one.
    for (const call of box.dockerCalls())
      expect(call.tags).toMatchObject({ blue: 'aaa111', green: 'bbb222' });
    expect(box.dockerCalls()[0].tags.migrate).toBe('bbb222');
    // Green was checked before any traffic moved.
    expect(colours.requests.slice(0, 4)).toEqual([
      'green /health/ready',
      'green /healthz',
      'green /',
      'green /api/docs/openapi.json',
    ]);
    expect(box.weights()).toEqual({ 'api-blue': 0, 'api-green': 100 });
    expect(box.weights('admin')).toEqual({ 'admin-blue': 0, 'admin-green': 100 });
    const state = box.state();
    expect(state).toMatchObject({
      live: 'green',
      previous: 'blue',
      tags: { blue: 'aaa111', green: 'bbb222' },
    });
    expect(state.history.map((h) => h.action).filter((a) => a.startsWith('weights'))).toEqual(
      expect.arrayContaining(['weights green 10', 'weights green 50', 'weights green 100']),
    );
    expect(run.stdout).toMatch(/blue \(aaa111\) keeps its api and console up/);
    expectValidDynamic(box.dynamic());

    const status = await box.run(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/live: green \(bbb222\)/);
    expect(status.stdout).toMatch(/weights \(\S+\): blue=0 green=100/);
  });

  it('readiness failing: the new colour is stopped, the weights stay, exit 1', async () => {
    await bootstrap('aaa111');
    const dynamicBefore = readFileSync(join(box.stateDir, 'traefik', 'dynamic.yml'), 'utf8');
    colours.ready.green = false;

    const run = await box.run(['deploy', 'bbb222', '--no-pull']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /green is not ready after 2s: \/health\/ready answered 503.*green stopped, traffic unchanged \(blue\)/,
    );
    expect(box.composeCommands()).toEqual([
      'run --rm migrate',
      'up -d --no-deps --wait --wait-timeout 2 api-green admin-green runner-green',
      'stop api-green admin-green runner-green',
    ]);
    expect(readFileSync(join(box.stateDir, 'traefik', 'dynamic.yml'), 'utf8')).toBe(dynamicBefore);
    expect(box.weights()).toEqual({ 'api-blue': 100, 'api-green': 0 });
    expect(box.state()).toMatchObject({ live: 'blue', weights: { blue: 100, green: 0 } });
  });

  it('a failed migration starts nothing and moves nothing', async () => {
    await bootstrap('aaa111');
    const run = await box.run(['deploy', 'bbb222', '--no-pull'], {
      FAKE_DOCKER_FAIL: 'run --rm migrate',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /migrations of bbb222 failed \(\S+ run exited 3\): nothing started, traffic unchanged \(blue\)/,
    );
    expect(box.composeCommands()).toEqual(['run --rm migrate']);
    expect(box.state()).toMatchObject({ live: 'blue', weights: { blue: 100, green: 0 } });
  });

  it('traffic failing after a switch step: weights put back, the new colour stopped, exit 1', async () => {
    await bootstrap('aaa111');
    colours.publicReady = false;
    const run = await box.run(['deploy', 'bbb222', '--no-pull', '--steps', '10,100']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /traffic check failed: \/health\/ready answered 503\. Rolled back: traffic on blue, green stopped/,
    );
    expect(box.weights()).toEqual({ 'api-blue': 100, 'api-green': 0 });
    expect(box.composeCommands()).toContain('stop api-green admin-green runner-green');
    expect(box.composeCommands()).not.toContain('stop runner-blue');
    expect(box.state()).toMatchObject({ live: 'blue', previous: null });
  });

  it('rollback after a switch: the previous weights back, its runners up again, the new runners drained', async () => {
    await bootstrap('aaa111');
    expect(await box.run(['deploy', 'bbb222', '--no-pull'])).toMatchObject({ code: 0 });
    box.clearDockerLog();
    colours.requests.length = 0;

    const run = await box.run(['rollback']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(colours.requests.slice(0, 2)).toEqual(['blue /health/ready', 'blue /healthz']);
    expect(box.composeCommands()).toEqual([
      'up -d --no-deps --wait --wait-timeout 120 runner-blue',
      'stop runner-green',
    ]);
    expect(box.weights()).toEqual({ 'api-blue': 100, 'api-green': 0 });
    expect(box.weights('admin')).toEqual({ 'admin-blue': 100, 'admin-green': 0 });
    expect(box.state()).toMatchObject({
      live: 'blue',
      previous: 'green',
      tags: { blue: 'aaa111', green: 'bbb222' },
    });
    expectValidDynamic(box.dynamic());
  });

  it('rollback refuses when the previous colour is not up, and changes nothing', async () => {
    await bootstrap('aaa111');
    expect(await box.run(['deploy', 'bbb222', '--no-pull'])).toMatchObject({ code: 0 });
    box.clearDockerLog();
    colours.ready.blue = false;

    const run = await box.run(['rollback']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot roll back by switching: the previous colour blue is not up/);
    expect(run.stderr).toMatch(/deploy aaa111/);
    expect(box.dockerCalls()).toEqual([]);
    expect(box.weights()).toEqual({ 'api-blue': 0, 'api-green': 100 });
    expect(box.state()).toMatchObject({ live: 'green' });
  });

  it('rollback refuses without a previous colour, retire stops the previous one', async () => {
    expect((await box.run(['rollback'])).code).toBe(2);
    await bootstrap('aaa111');
    const first = await box.run(['rollback']);
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/no previous colour/);

    expect(await box.run(['deploy', 'bbb222', '--no-pull'])).toMatchObject({ code: 0 });
    box.clearDockerLog();
    expect(await box.run(['retire'])).toMatchObject({ code: 0 });
    expect(box.composeCommands()).toEqual(['stop api-blue admin-blue runner-blue']);
    expect(box.state()).toMatchObject({ live: 'green', previous: null });
  });

  it('refuses a bad tag, bad steps and a second deploy at the same time', async () => {
    expect((await box.run(['deploy', 'a b'])).code).toBe(2);
    expect((await box.run(['deploy', '../x'])).stderr).toMatch(/image tag/);
    expect((await box.run(['deploy', 'latest'])).stderr).toMatch(/not latest/);
    expect((await box.run(['deploy', 'abc', '--steps', '50,10'])).stderr).toMatch(
      /rising percentages/,
    );
    await bootstrap('aaa111');
    writeFileSync(join(box.stateDir, '.lock'), '1');
    const run = await box.run(['deploy', 'bbb222']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/another deploy or rollback is running/);
    expect(box.dockerCalls()).toEqual([]);
  });
});
