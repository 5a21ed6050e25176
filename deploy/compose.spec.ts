// Validates docker-compose.yml with the real `docker-compose config` (no engine needed) and
// checks the properties the deployment relies on.
import { ENV_DEFINITIONS } from '@autocoder/server-config';
import { tracingConfigured } from '@autocoder/server-observability';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import {
  REPO_ROOT,
  SECRET_NAME,
  URL_WITH_PASSWORD,
  envToMap,
  readText,
  repoPath,
} from './deploy-test-utils';

interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  deploy?: { replicas?: number };
  secrets?: (string | { source: string })[];
  ports?: unknown[];
  volumes?: (string | { source?: string; target?: string })[];
  networks?: Record<string, unknown> | string[];
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  privileged?: boolean;
  /** Optional services (e.g. `monitoring`), started only with `--profile`. */
  profiles?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file?: string; environment?: string; external?: boolean }>;
  networks?: Record<string, { internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
}

interface Mount {
  /** A named volume or a host path; undefined for an anonymous volume (one per container). */
  source?: string;
  target: string;
}

/** Short (`[source:]target[:mode]`) or long volume syntax, as `docker-compose config` prints it. */
function mounts(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source, target: v.target ?? '' };
    const parts = v.split(':');
    return parts.length === 1 ? { target: parts[0] } : { source: parts[0], target: parts[1] };
  });
}

const INSTALL_HINT =
  'docker-compose is not installed: run `apt-get update && apt-get install -y docker-compose` ' +
  '(the Makefile installs it). This check is never skipped.';

function runComposeConfig(extraEnv: Record<string, string> = {}): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  // A minimal environment, so `${VAR:-default}` interpolation gives the committed defaults
  // whatever the caller's shell exports.
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      ...extraEnv,
    },
    timeout: 30000,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(INSTALL_HINT);
    throw result.error;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function dependsOn(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v?.condition]));
}

function commandArgs(command: string | string[] | undefined): string[] {
  if (!command) return [];
  return Array.isArray(command) ? command : command.split(/\s+/);
}

function secretNames(service: ComposeService): string[] {
  return (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;
  let services: [string, ComposeService][];

  beforeAll(() => {
    const result = runComposeConfig();
    if (result.status !== 0) {
      throw new Error(`docker-compose config exited ${result.status}:\n${result.stderr}`);
    }
    compose = parse(result.stdout) as ComposeFile;
    services = Object.entries(compose.services);
  });

  it('is valid for docker-compose (config exits 0)', () => {
    const result = runComposeConfig();
    expect(result.stderr).not.toMatch(/ERROR/);
    expect(result.status).toBe(0);
  });

  it('defines the whole platform', () => {
    // Optional services (profiles) are checked by their own suites (monitoring.spec.ts).
    const platform = services.filter(([, s]) => !s.profiles?.length).map(([name]) => name);
    expect(platform.sort()).toEqual(
      [
        'admin',
        'api',
        'backup',
        'dev-idp',
        'git-server',
        'llm-fake',
        'migrate',
        'postgres',
        'redis',
        'runner',
        'traefik',
      ].sort(),
    );
    expect(compose.services['postgres'].image).toMatch(/^postgres:15/);
    expect(compose.services['redis'].image).toMatch(/^redis:7/);
    expect(compose.services['traefik'].image).toMatch(/^traefik:v3/);
  });

  it('runs two runner replicas', () => {
    expect(compose.services['runner'].deploy?.replicas).toBe(2);
  });

  it('lets the runner make sandboxes without privileges: only the filters bwrap needs relaxed', () => {
    const runner = compose.services['runner'];
    expect(runner.privileged).toBeFalsy();
    expect(runner.cap_add).toBeUndefined();
    expect(runner.cap_drop).toEqual(['ALL']);
    expect(runner.security_opt).toEqual(
      expect.arrayContaining(['no-new-privileges:true', 'seccomp:unconfined']),
    );
    // Only the runner: the api and the others keep Docker's default profiles.
    for (const [name, service] of services.filter(([n]) => n !== 'runner')) {
      expect({
        name,
        opts: service.security_opt?.filter((o) => o.includes('unconfined')) ?? [],
      }).toEqual({ name, opts: [] });
    }
  });

  it('runs Redis with the append-only file', () => {
    const args = commandArgs(compose.services['redis'].command);
    const i = args.indexOf('--appendonly');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(args[i + 1]).toBe('yes');
  });

  it('migrates before api and runner start, and migrate waits for Postgres', () => {
    expect(dependsOn(compose.services['api'])['migrate']).toBe('service_completed_successfully');
    expect(dependsOn(compose.services['runner'])['migrate']).toBe('service_completed_successfully');
    expect(dependsOn(compose.services['migrate'])['postgres']).toBe('service_healthy');
    expect(dependsOn(compose.services['api'])['redis']).toBe('service_healthy');
    expect(commandArgs(compose.services['migrate'].command).join(' ')).toContain(
      'tools/prisma/migrate.mjs deploy',
    );
    expect(compose.services['migrate'].restart).toBe('no');
  });

  it('gives every long-running service a health check and a restart policy', () => {
    for (const [name, service] of services) {
      expect({ name, restart: service.restart ?? null }).toEqual({
        name,
        restart: expect.any(String),
      });
      if (name === 'migrate') continue;
      // The tracing profile's third-party images (collector, Jaeger) are distroless: no program
      // inside to probe with. Nothing waits on their health; api and runner export regardless.
      if (service.profiles?.includes('tracing')) continue;
      const test = service.healthcheck?.test;
      const disabled =
        service.healthcheck?.disable === true ||
        (Array.isArray(test) ? test[0] === 'NONE' : test === 'NONE');
      expect({ name, hasHealthcheck: Boolean(test) && !disabled }).toEqual({
        name,
        hasHealthcheck: true,
      });
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
  });

  it('has no plaintext secret in any environment', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(envToMap(service.environment))) {
        if (value === undefined || value === '') continue;
        if (SECRET_NAME.test(key)) {
          if (!key.endsWith('_FILE')) problems.push(`${name}: ${key} has a literal value`);
          else if (!value.startsWith('/run/secrets/'))
            problems.push(`${name}: ${key} should point into /run/secrets/, not ${value}`);
        }
        if (URL_WITH_PASSWORD.test(value)) problems.push(`${name}: ${key} embeds a password`);
      }
      const args = commandArgs(service.command).join(' ');
      if (/--requirepass\s+\S/.test(args) && !args.includes('/run/secrets/')) {
        problems.push(`${name}: password on the command line`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads secrets from gitignored files under deploy/secrets, each with an .example', () => {
    const secrets = compose.secrets ?? {};
    expect(Object.keys(secrets).sort()).toEqual(
      [
        'anthropic_api_key',
        'database_url',
        'git_server_token',
        'grafana_admin_password',
        'migration_database_url',
        'oidc_client_secret',
        'postgres_password',
        'secrets_key',
        'session_secret',
      ].sort(),
    );
    const gitignore = readText('.gitignore');
    expect(gitignore).toMatch(/^\/?deploy\/secrets\/\*$/m);
    expect(gitignore).toMatch(/^!\/?deploy\/secrets\/\*\.example$/m);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.file).toBe(repoPath('deploy', 'secrets', name));
      expect({ name, example: existsSync(`${secret.file}.example`) }).toEqual({
        name,
        example: true,
      });
    }
    expect(secretNames(compose.services['postgres'])).toContain('postgres_password');
    expect(envToMap(compose.services['postgres'].environment)['POSTGRES_PASSWORD_FILE']).toBe(
      '/run/secrets/postgres_password',
    );
    // Sign-in is OIDC by default, its secrets from files too.
    const api = envToMap(compose.services['api'].environment);
    expect(api['AUTH_MODE']).toBe('oidc');
    expect(api['SESSION_SECRET_FILE']).toBe('/run/secrets/session_secret');
    expect(api['OIDC_CLIENT_SECRET_FILE']).toBe('/run/secrets/oidc_client_secret');
    expect(secretNames(compose.services['dev-idp'])).toEqual(['oidc_client_secret']);
    // Only the migrate job and the backups have the owner's URL; api and runner connect as a role
    // owning nothing.
    expect(secretNames(compose.services['migrate']).sort()).toEqual(
      ['database_url', 'migration_database_url'].sort(),
    );
    for (const app of ['api', 'runner']) {
      expect(secretNames(compose.services[app])).not.toContain('migration_database_url');
      expect(secretNames(compose.services[app])).toContain('database_url');
      expect(envToMap(compose.services[app].environment)['DATABASE_URL_FILE']).toBe(
        '/run/secrets/database_url',
      );
    }
  });

  it('configures api and runner only with variables of the config schema', () => {
    const known = new Set(Object.keys(ENV_DEFINITIONS));
    for (const app of ['api', 'runner', 'migrate']) {
      for (const key of Object.keys(envToMap(compose.services[app].environment))) {
        const name = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : key;
        const isKnown = known.has(name);
        expect({ app, key, known: isKnown }).toEqual({ app, key, known: true });
      }
    }
  });

  it('points api and runner at the same Redis and queue prefix, listening on all interfaces', () => {
    const api = envToMap(compose.services['api'].environment);
    const runner = envToMap(compose.services['runner'].environment);
    expect(api['REDIS_URL']).toBeDefined();
    expect(runner['REDIS_URL']).toBe(api['REDIS_URL']);
    expect(runner['QUEUE_PREFIX']).toBe(api['QUEUE_PREFIX']);
    expect(api['API_HOST']).toBe('0.0.0.0');
    expect(runner['RUNNER_HEALTH_HOST']).toBe('0.0.0.0');
    expect(runner['LLM_PROVIDER']).toBe('demo');
    expect(runner['LLM_FAKE_URL']).toMatch(/^http:\/\/llm-fake:/);
    expect(runner['ANTHROPIC_API_KEY_FILE']).toBe('/run/secrets/anthropic_api_key');
  });

  it('publishes only Traefik (optional services on 127.0.0.1), and keeps Postgres and Redis on an internal network', () => {
    for (const [name, service] of services) {
      if (name === 'traefik') continue;
      if (service.profiles?.length) {
        for (const port of service.ports ?? [])
          expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
      } else expect({ name, ports: service.ports }).toEqual({ name, ports: undefined });
    }
    expect(compose.networks?.['backend']?.internal).toBe(true);
    for (const name of ['postgres', 'redis']) {
      const networks = compose.services[name].networks ?? {};
      expect(Array.isArray(networks) ? networks : Object.keys(networks)).toEqual(['backend']);
    }
  });

  it('mounts the Traefik static and dynamic configuration', () => {
    const volumes = (compose.services['traefik'].volumes ?? []).map((v) =>
      typeof v === 'string' ? v : `${v.source}:${v.target}`,
    );
    expect(volumes).toContainEqual(
      expect.stringContaining(`${repoPath('traefik.yml')}:/etc/traefik/traefik.yml`),
    );
    expect(volumes).toContainEqual(
      expect.stringContaining(`${repoPath('deploy', 'traefik')}:/etc/traefik/dynamic`),
    );
  });
  it('runs the git server on the internal network only, its repositories on a named volume', () => {
    const git = compose.services['git-server'];
    const env = envToMap(git.environment);
    expect(env['GIT_SERVER_HOST']).toBe('0.0.0.0');
    expect(env['GIT_SERVER_PORT']).toBe('3400');
    expect(env['GIT_SERVER_TOKEN_FILE']).toBe('/run/secrets/git_server_token');
    expect(secretNames(git)).toEqual(['git_server_token']);
    // Persistent: a named volume declared at the top level, mounted at GIT_SERVER_ROOT.
    const root = mounts(git).find((m) => m.target === env['GIT_SERVER_ROOT']);
    expect(root?.source).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(root?.source);
    const networks = git.networks ?? {};
    expect(Array.isArray(networks) ? networks : Object.keys(networks)).toEqual(['backend']);
    expect(git.ports).toBeUndefined();
  });

  it('points api and runner at the git server with its token and SECRETS_KEY as secrets', () => {
    const git = envToMap(compose.services['git-server'].environment);
    for (const app of ['api', 'runner']) {
      const env = envToMap(compose.services[app].environment);
      expect({ app, url: env['GIT_SERVER_URL'] }).toEqual({
        app,
        url: `http://git-server:${git['GIT_SERVER_PORT']}`,
      });
      expect(env['GIT_SERVER_TOKEN_FILE']).toBe(git['GIT_SERVER_TOKEN_FILE']);
      expect(env['SECRETS_KEY_FILE']).toBe('/run/secrets/secrets_key');
      expect(secretNames(compose.services[app])).toEqual(
        expect.arrayContaining(['git_server_token', 'secrets_key']),
      );
      expect(dependsOn(compose.services[app])['git-server']).toBe('service_healthy');
    }
    // The git server never sees the key that opens projects' own remote credentials.
    expect(secretNames(compose.services['git-server'])).not.toContain('secrets_key');
  });

  it('shares no volume between services: api and runners keep WORKSPACE_ROOT to themselves', () => {
    // A named volume or host path mounted by two services would be a shared disk again.
    const owners = new Map<string, string[]>();
    for (const [name, service] of services) {
      for (const m of mounts(service)) {
        if (m.source === undefined) continue;
        owners.set(m.source, [...(owners.get(m.source) ?? []), name]);
      }
    }
    const shared = [...owners].filter(([, names]) => names.length > 1);
    expect(shared).toEqual([]);
    for (const app of ['api', 'runner']) {
      const root = envToMap(compose.services[app].environment)['WORKSPACE_ROOT'];
      expect({ app, root }).toEqual({ app, root: expect.stringMatching(/^\//) });
      // Anonymous: each container (each runner replica) gets its own, and nothing else.
      expect({ app, mounts: mounts(compose.services[app]) }).toEqual({
        app,
        mounts: [{ target: root }],
      });
    }
  });

  it("backs up on a schedule with the api image: the owner's URL, the git server over HTTP, a volume of its own", () => {
    const backup = compose.services['backup'];
    expect(backup.image).toBe(compose.services['api'].image);
    expect(commandArgs(backup.command)).toEqual(['node', 'tools/ops/backup.mjs', 'schedule']);
    expect(commandArgs(backup.healthcheck?.test)).toEqual([
      'CMD',
      'node',
      'tools/ops/backup.mjs',
      'health',
    ]);
    expect(existsSync(repoPath('tools', 'ops', 'backup.mjs'))).toBe(true);
    const env = envToMap(backup.environment);
    expect(env['BACKUP_DATABASE_URL_FILE']).toBe('/run/secrets/migration_database_url');
    expect(secretNames(backup).sort()).toEqual(['git_server_token', 'migration_database_url']);
    const git = envToMap(compose.services['git-server'].environment);
    expect(env['GIT_SERVER_URL']).toBe(`http://git-server:${git['GIT_SERVER_PORT']}`);
    expect(env['GIT_SERVER_TOKEN_FILE']).toBe(git['GIT_SERVER_TOKEN_FILE']);
    expect(Number(env['BACKUP_KEEP'])).toBeGreaterThan(0);
    expect(Number(env['BACKUP_INTERVAL_HOURS'])).toBeGreaterThan(0);
    // Its backups on a named volume at BACKUP_DIR; it never mounts the git server's volume.
    const dir = mounts(backup).find((m) => m.target === env['BACKUP_DIR']);
    expect(Object.keys(compose.volumes ?? {})).toContain(dir?.source);
    expect(mounts(backup)).toHaveLength(1);
    // Not on migrate: the blue/green overlay switches migrate off by profile, and compose v2
    // refuses a dependency on a service that is off.
    expect(dependsOn(backup)).toEqual({
      postgres: 'service_healthy',
      'git-server': 'service_healthy',
    });
    const networks = backup.networks ?? {};
    expect(Array.isArray(networks) ? networks : Object.keys(networks)).toEqual(['backend']);
  });

  it("gives api and runner a route out to projects' own remotes (HTTPS)", () => {
    for (const app of ['api', 'runner']) {
      const networks = compose.services[app].networks ?? {};
      const names = Array.isArray(networks) ? networks : Object.keys(networks);
      expect({ app, outbound: names.some((n) => !compose.networks?.[n]?.internal) }).toEqual({
        app,
        outbound: true,
      });
    }
  });

  describe('the tracing profile', () => {
    it('adds an OpenTelemetry Collector and Jaeger, only when the profile is chosen', () => {
      expect(compose.services['otel-collector'].profiles).toEqual(['tracing']);
      expect(compose.services['jaeger'].profiles).toEqual(['tracing']);
      expect(compose.services['otel-collector'].image).toMatch(
        /^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/,
      );
      expect(compose.services['jaeger'].image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
      // Reached by api and runners on the internal network.
      const networks = compose.services['otel-collector'].networks ?? {};
      expect(Array.isArray(networks) ? networks : Object.keys(networks)).toEqual(['backend']);
      // No service of the platform depends on them: without the profile everything still starts.
      for (const [name, service] of services) {
        if (service.profiles?.length) continue;
        expect({ name, deps: Object.keys(dependsOn(service)) }).toEqual({
          name,
          deps: expect.not.arrayContaining(['otel-collector', 'jaeger']),
        });
      }
    });

    it('mounts a collector configuration that receives OTLP and exports to Jaeger', () => {
      const volumes = (compose.services['otel-collector'].volumes ?? []).map((v) =>
        typeof v === 'string' ? v : `${v.source}:${v.target}`,
      );
      expect(volumes).toContainEqual(
        expect.stringContaining(
          `${repoPath('deploy', 'otel', 'collector.yaml')}:/etc/otelcol-contrib/config.yaml`,
        ),
      );
      const config = parse(readText('deploy', 'otel', 'collector.yaml')) as {
        receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
        exporters: Record<string, { endpoint: string }>;
        service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
      };
      expect(config.receivers.otlp.protocols['http'].endpoint).toBe('0.0.0.0:4318');
      expect(config.receivers.otlp.protocols['grpc'].endpoint).toBe('0.0.0.0:4317');
      const { traces } = config.service.pipelines;
      expect(traces.receivers).toEqual(['otlp']);
      expect(traces.exporters.map((e) => config.exporters[e].endpoint)).toEqual(['jaeger:4317']);
    });

    it('leaves tracing off in api and runner unless OTEL_EXPORTER_OTLP_ENDPOINT is given', () => {
      for (const app of ['api', 'runner']) {
        const env = envToMap(compose.services[app].environment);
        expect({ app, endpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] }).toEqual({
          app,
          endpoint: '',
        });
        expect({ app, on: tracingConfigured(env) }).toEqual({ app, on: false });
      }
      const result = runComposeConfig({
        COMPOSE_PROFILES: 'tracing',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      });
      expect(result.status).toBe(0);
      const traced = parse(result.stdout) as ComposeFile;
      for (const app of ['api', 'runner']) {
        const env = envToMap(traced.services[app].environment);
        expect({ app, endpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT'] }).toEqual({
          app,
          endpoint: 'http://otel-collector:4318',
        });
        expect({ app, on: tracingConfigured(env) }).toEqual({ app, on: true });
      }
    });
  });
});
