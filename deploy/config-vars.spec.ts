// The configuration matrix (libs/server/config/src/lib/config-schema.ts, rendered into
// docs/configuration.md), docker-compose.yml and the kustomize base in deploy/k8s name the same
// variables:
//   (a) every variable a deployment gives api, runner, git-server or the migrate job is one that
//       process reads (the schema's usedBy, `<NAME>_FILE` for any of them), or is in NON_SCHEMA
//       below with a reason;
//   (b) every variable a production deployment cannot do without (PRODUCTION_REQUIRED) is set, in
//       compose and in Kubernetes;
//   (c) the same for the Kubernetes manifests (env, secretKeyRef, configMapKeyRef, envFrom of a
//       ConfigMap; a shared ConfigMap's key must be read by one of the processes that load it);
//   (d) compose and Kubernetes set the same schema variables per process, except ONE_PLATFORM_ONLY
//       below with a reason;
//   (e) docs/configuration.md names exactly the schema's variables;
//   (f) a compose service mounts every secret its `<NAME>_FILE` variables point at, and uses every
//       secret it mounts; every Secret key the manifests reference is one docs/deployment.md's
//       `kubectl create secret` creates.
// Processes are recognised by image (autocoder/api, autocoder/runner, autocoder/git-server; the api
// image running tools/prisma/migrate.mjs is the migrate job), so renamed or added services and
// Deployments (blue/green copies) are checked too. Every failure names the variable and the file.
import { ENV_DEFINITIONS, EnvName } from '@autocoder/server-config';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envToMap, readText, readYaml, readYamlDocuments, repoPath } from './deploy-test-utils';

type Process = 'api' | 'runner' | 'git-server' | 'migrate';
const PROCESSES: readonly Process[] = ['api', 'runner', 'git-server', 'migrate'];
type Platform = 'compose' | 'k8s';

const SCHEMA_FILE = 'libs/server/config/src/lib/config-schema.ts';
const THIS_FILE = 'deploy/config-vars.spec.ts';

/** Variables outside the config schema that a deployment may give a process, each with a reason. */
const NON_SCHEMA: readonly {
  name: string | RegExp;
  processes: readonly Process[];
  reason: string;
}[] = [
  {
    name: 'NODE_ENV',
    processes: ['git-server', 'migrate'],
    reason:
      'the conventional Node.js mode; libraries read it (the schema lists it for api and runner, whose code reads it too)',
  },
  {
    name: 'MIGRATION_DATABASE_URL',
    processes: ['migrate'],
    reason:
      'the owner of the tables, read by tools/prisma/migrate.mjs only (documented below the matrix in docs/configuration.md)',
  },
  {
    name: 'NODE_OPTIONS',
    processes: ['api', 'runner', 'git-server', 'migrate'],
    reason: 'read by Node.js itself (heap size, --require of a preload)',
  },
  {
    name: /^OTEL_[A-Z0-9_]+$/,
    processes: ['api', 'runner', 'git-server'],
    reason:
      "the OpenTelemetry SDK's standard variables (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_*, ...), read by the SDK itself when they are not in the schema",
  },
];

/** What each process reads besides the schema's usedBy (the migrate job is no schema user). */
const MIGRATE_READS: readonly EnvName[] = ['DATABASE_URL'];

/**
 * Variables a production deployment must set for a process, beyond those the schema itself
 * requires (no default): their default suits only `make dev` on one machine, or the code refuses
 * to start (or to do part of its work) without them.
 */
const PRODUCTION_REQUIRED: Record<Process, Record<string, string>> = {
  api: {
    NODE_ENV: 'its default is development',
    REDIS_URL: 'its default is Redis on the loopback address of the container',
    API_HOST: 'its default, 127.0.0.1, is unreachable from outside the container',
    PUBLIC_URL: 'the sign-in callback and Secure cookies follow it; its default is loopback',
    AUTH_MODE: 'say oidc explicitly (AUTH_MODE=none is refused off loopback)',
    OIDC_ISSUER_URL: 'AUTH_MODE=oidc refuses to start without it (libs/server/auth auth-settings)',
    SESSION_SECRET: 'AUTH_MODE=oidc refuses to start without it (libs/server/auth auth-settings)',
    OIDC_CLIENT_SECRET:
      'both deployments register the console as a confidential client (docs/security.md)',
    GIT_SERVER_URL: 'its default is a directory on the local disk (one machine only)',
    GIT_SERVER_TOKEN: 'the bundled git server refuses every request without it',
    SECRETS_KEY: "without it no project's own remote credential can be stored or opened",
    WORKSPACE_ROOT: 'its default is relative to the working directory, not the mounted volume',
  },
  runner: {
    NODE_ENV: 'its default is development',
    REDIS_URL: 'its default is Redis on the loopback address of the container',
    RUNNER_HEALTH_HOST: 'probes and scrapers cannot reach its default, 127.0.0.1',
    GIT_SERVER_URL: 'its default is a directory on the local disk (one machine only)',
    GIT_SERVER_TOKEN: 'the bundled git server refuses every request without it',
    SECRETS_KEY: "without it projects' own remote credentials cannot be opened",
    WORKSPACE_ROOT: 'its default is relative to the working directory, not the mounted volume',
    ANTHROPIC_API_KEY:
      'LLM_PROVIDER=anthropic (the Kubernetes default) refuses to call Claude without it',
  },
  'git-server': {
    GIT_SERVER_TOKEN: 'the git server refuses to start without it',
    GIT_SERVER_HOST: 'its default, 127.0.0.1, is unreachable from api and runners',
    GIT_SERVER_ROOT: "its default is relative to the working directory, not the server's volume",
  },
  migrate: {
    DATABASE_URL: 'migrate.mjs creates (or sets the password of) the login role it names',
    MIGRATION_DATABASE_URL: 'the owner of the tables; without it migrate runs as the app role',
  },
};

/** Schema variables set for a process on one platform only, each with a reason. */
const ONE_PLATFORM_ONLY: readonly {
  process: Process;
  name: string;
  only: Platform;
  reason: string;
}[] = [
  {
    process: 'api',
    name: 'ANTHROPIC_MODEL',
    only: 'compose',
    reason:
      "passes the operator's shell value through (`${ANTHROPIC_MODEL:-}`, empty = the schema default); a cluster sets it in an overlay's ConfigMap",
  },
  {
    process: 'runner',
    name: 'ANTHROPIC_MODEL',
    only: 'compose',
    reason:
      "passes the operator's shell value through (`${ANTHROPIC_MODEL:-}`, empty = the schema default); a cluster sets it in an overlay's ConfigMap",
  },
  {
    process: 'runner',
    name: 'LLM_FAKE_URL',
    only: 'compose',
    reason:
      'compose runs the offline demo (LLM_PROVIDER=demo) against its llm-fake service; the Kubernetes base has no llm-fake and uses LLM_PROVIDER=anthropic',
  },
  {
    process: 'runner',
    name: 'RUNNER_ID',
    only: 'k8s',
    reason:
      "the pod's name (fieldRef); in compose the default, host name and pid, already names the container",
  },
];

// ---------------------------------------------------------------------------------------------
// What a deployment sets

interface Setting {
  /** As written: SESSION_SECRET_FILE, or a ConfigMap key. */
  key: string;
  /** How it gets there, for messages. */
  via: string;
  /** For a key of a ConfigMap that several processes load: that ConfigMap. */
  sharedConfigMap?: string;
}

/** One container (k8s) or service (compose) running one of the processes. */
interface Instance {
  platform: Platform;
  process: Process;
  /** Where, for messages: `docker-compose.yml service api`, `deploy/k8s/api.yaml Deployment api`. */
  where: string;
  settings: Setting[];
}

function processOf(image: string | undefined, command: string): Process | undefined {
  const match = /autocoder\/(api|runner|git-server)(?:[:@]|$)/.exec(image ?? '');
  if (!match) return undefined;
  if (match[1] === 'api' && command.includes('migrate.mjs')) return 'migrate';
  if (match[1] === 'api' && command !== '') return undefined; // some other tool run with the image
  return match[1] as Process;
}

/** Assignments in a shell command (`export A="…" B=…`): the migrate job exports its URLs. */
function assignedInCommand(command: string): string[] {
  return [...command.matchAll(/(?:^|[\s;&(])([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]);
}

function commandText(command: unknown): string {
  if (command === undefined || command === null) return '';
  return Array.isArray(command) ? command.join(' ') : String(command);
}

interface ComposeService {
  image?: string;
  secrets?: (string | { source: string; target?: string })[];
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | (string | { path: string })[];
}

/** KEY=value lines of a compose env_file. */
function envFileKeys(file: string): string[] {
  return readText(file)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) =>
      line
        .replace(/^export\s+/, '')
        .split('=')[0]
        .trim(),
    );
}

function composeServices(): Record<string, ComposeService> {
  // `merge: true` resolves the `<<: *server-env` anchors as compose does.
  return (
    parse(readText('docker-compose.yml'), { merge: true }) as {
      services: Record<string, ComposeService>;
    }
  ).services;
}

function composeInstances(): Instance[] {
  const compose = { services: composeServices() };
  const instances: Instance[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const command = `${commandText(service.entrypoint)} ${commandText(service.command)}`.trim();
    const process = processOf(service.image, command);
    if (!process) continue;
    const where = `docker-compose.yml service ${name}`;
    const settings: Setting[] = Object.keys(envToMap(service.environment)).map((key) => ({
      key,
      via: 'environment',
    }));
    const envFiles = service.env_file === undefined ? [] : [service.env_file].flat();
    for (const entry of envFiles) {
      const file = typeof entry === 'string' ? entry : entry.path;
      for (const key of envFileKeys(file)) settings.push({ key, via: `env_file ${file}` });
    }
    if (process === 'migrate') {
      for (const key of assignedInCommand(command)) settings.push({ key, via: 'command' });
    }
    instances.push({ platform: 'compose', process, where, settings });
  }
  return instances;
}

interface K8sContainer {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: {
    configMapRef?: { name: string };
    secretRef?: { name: string };
    prefix?: string;
  }[];
}
interface K8sPodSpec {
  containers?: K8sContainer[];
  initContainers?: K8sContainer[];
}
interface K8sManifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: { spec?: K8sPodSpec };
    jobTemplate?: { spec?: { template?: { spec?: K8sPodSpec } } };
  };
}

/** Every `{ name, key }` of a secretKeyRef (pods) or secretTargetRef (KEDA) anywhere in a manifest. */
function secretRefs(node: unknown, out: { name: string; key: string }[] = []) {
  if (Array.isArray(node)) {
    for (const item of node) secretRefs(item, out);
  } else if (node && typeof node === 'object') {
    for (const [field, value] of Object.entries(node)) {
      if (field === 'secretKeyRef' && value && typeof value === 'object') {
        const ref = value as { name: string; key: string };
        out.push({ name: ref.name, key: ref.key });
      } else if (field === 'secretTargetRef' && Array.isArray(value)) {
        for (const ref of value as { name: string; key: string }[]) {
          out.push({ name: ref.name, key: ref.key });
        }
      } else {
        secretRefs(value, out);
      }
    }
  }
  return out;
}

/** Every manifest the base builds, with its file: resources and components, recursively. */
function k8sManifests(dir = 'deploy/k8s'): { file: string; manifest: K8sManifest }[] {
  const kustomization = readYaml<{ resources?: string[]; components?: string[] }>(
    dir,
    'kustomization.yaml',
  );
  const out: { file: string; manifest: K8sManifest }[] = [];
  for (const entry of [...(kustomization.resources ?? []), ...(kustomization.components ?? [])]) {
    const path = join(dir, entry);
    if (existsSync(repoPath(path, 'kustomization.yaml'))) {
      out.push(...k8sManifests(path));
    } else {
      for (const manifest of readYamlDocuments<K8sManifest>(path)) {
        if (manifest) out.push({ file: path, manifest });
      }
    }
  }
  return out;
}

function podSpec(m: K8sManifest): K8sPodSpec | undefined {
  return m.spec?.template?.spec ?? m.spec?.jobTemplate?.spec?.template?.spec;
}

interface K8sModel {
  instances: Instance[];
  configMaps: Map<string, { file: string; keys: string[] }>;
  /** Which processes load each ConfigMap through envFrom. */
  loadedBy: Map<string, Set<Process>>;
  problems: string[];
}

function k8sModel(): K8sModel {
  const all = k8sManifests();
  const configMaps = new Map(
    all
      .filter(({ manifest }) => manifest.kind === 'ConfigMap')
      .map(({ file, manifest }) => [
        manifest.metadata.name,
        { file, keys: Object.keys(manifest.data ?? {}) },
      ]),
  );
  const instances: Instance[] = [];
  const loadedBy = new Map<string, Set<Process>>();
  const problems: string[] = [];
  for (const { file, manifest } of all) {
    const pod = podSpec(manifest);
    if (!pod) continue;
    for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
      const command = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
      const process = processOf(c.image, command);
      if (!process) continue;
      const where = `${file} ${manifest.kind} ${manifest.metadata.name} container ${c.name}`;
      const settings: Setting[] = [];
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        settings.push({ key: e.name, via: ref ? `${ref.name}/${ref.key}` : 'env' });
      }
      for (const from of c.envFrom ?? []) {
        if (from.secretRef) {
          problems.push(
            `${where}: envFrom secretRef ${from.secretRef.name} hides which variables it sets; name each with env[].valueFrom.secretKeyRef`,
          );
        }
        const name = from.configMapRef?.name;
        if (!name) continue;
        const map = configMaps.get(name);
        if (!map) {
          problems.push(
            `${where}: envFrom configMapRef ${name}, but deploy/k8s has no such ConfigMap`,
          );
          continue;
        }
        loadedBy.set(name, (loadedBy.get(name) ?? new Set()).add(process));
        for (const key of map.keys) {
          settings.push({
            key: `${from.prefix ?? ''}${key}`,
            via: `ConfigMap ${name} (${map.file})`,
            sharedConfigMap: name,
          });
        }
      }
      instances.push({ platform: 'k8s', process, where, settings });
    }
  }
  return { instances, configMaps, loadedBy, problems };
}

// ---------------------------------------------------------------------------------------------
// What the processes read

const SCHEMA_NAMES = new Set(Object.keys(ENV_DEFINITIONS));

/** The schema variable a key sets: itself, or `<NAME>` for `<NAME>_FILE`. */
function schemaName(key: string): EnvName | undefined {
  if (SCHEMA_NAMES.has(key)) return key as EnvName;
  const base = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : '';
  return SCHEMA_NAMES.has(base) ? (base as EnvName) : undefined;
}

function reads(process: Process, name: EnvName): boolean {
  if (process === 'migrate') return MIGRATE_READS.includes(name);
  const usedBy: readonly string[] = ENV_DEFINITIONS[name].doc.usedBy;
  return usedBy.includes(process);
}

function nonSchemaAllowed(process: Process, key: string): boolean {
  return NON_SCHEMA.some(
    (entry) =>
      entry.processes.includes(process) &&
      (typeof entry.name === 'string' ? entry.name === key : entry.name.test(key)),
  );
}

/** The variable a process reads for this key (schema name, or the key itself if allowlisted). */
function readName(process: Process, key: string): string | undefined {
  const name = schemaName(key);
  if (name && reads(process, name)) return name;
  if (nonSchemaAllowed(process, key)) return key;
  return undefined;
}

/** Variables the schema requires of a process (no default, not optional). */
function schemaRequired(process: Process): EnvName[] {
  return (Object.keys(ENV_DEFINITIONS) as EnvName[]).filter(
    (name) => reads(process, name) && !ENV_DEFINITIONS[name].schema.safeParse(undefined).success,
  );
}

/** Variables one instance gives its process (schema names, `_FILE` folded). */
function readVariables(instance: Instance): Set<string> {
  const names = new Set<string>();
  for (const s of instance.settings) {
    const name = readName(instance.process, s.key);
    if (name) names.add(name);
  }
  return names;
}

/** The schema variables among them (what (d) compares). */
function schemaVariables(instance: Instance): Set<string> {
  const names = new Set<string>();
  for (const s of instance.settings) {
    const name = schemaName(s.key);
    if (name && reads(instance.process, name)) names.add(name);
  }
  return names;
}

function unknownSettingProblem(instance: Instance, s: Setting): string {
  const name = schemaName(s.key);
  const fix = name
    ? `the schema (${SCHEMA_FILE}) says ${name} is read by ${ENV_DEFINITIONS[name].doc.usedBy.join(', ')}: remove it from ${instance.process}, or add ${instance.process} to its readBy(...) if the code reads it`
    : `it is not a variable of the config schema (${SCHEMA_FILE}): add it there, or to NON_SCHEMA in ${THIS_FILE} with a reason`;
  return `${instance.where}: ${s.key} (${s.via}) is not read by ${instance.process}; ${fix}`;
}

// ---------------------------------------------------------------------------------------------

describe('configuration matrix vs docker-compose.yml and deploy/k8s', () => {
  const compose = composeInstances();
  const k8s = k8sModel();
  const platforms: Record<Platform, { file: string; instances: Instance[] }> = {
    compose: { file: 'docker-compose.yml', instances: compose },
    k8s: { file: 'deploy/k8s', instances: k8s.instances },
  };

  it('finds api, runner, git-server and the migrate job on both platforms', () => {
    const missing: string[] = [];
    for (const [platform, { file, instances }] of Object.entries(platforms)) {
      for (const process of PROCESSES) {
        if (!instances.some((i) => i.process === process)) {
          missing.push(
            `${file}: no ${process} (looked for image autocoder/${process === 'migrate' ? 'api running tools/prisma/migrate.mjs' : process}) on ${platform}`,
          );
        }
      }
    }
    expect(missing).toEqual([]);
    expect(k8s.problems).toEqual([]);
  });

  it('(a) compose gives each process only variables it reads', () => {
    const problems = compose.flatMap((instance) =>
      instance.settings
        .filter((s) => !readName(instance.process, s.key))
        .map((s) => unknownSettingProblem(instance, s)),
    );
    expect(problems).toEqual([]);
  });

  it('(c) Kubernetes gives each container only variables it reads; a shared ConfigMap only keys one of its readers reads', () => {
    const problems: string[] = [];
    for (const instance of k8s.instances) {
      for (const s of instance.settings) {
        if (s.sharedConfigMap !== undefined || readName(instance.process, s.key)) continue;
        problems.push(unknownSettingProblem(instance, s));
      }
    }
    for (const [name, { file, keys }] of k8s.configMaps) {
      const readers = [...(k8s.loadedBy.get(name) ?? [])];
      if (readers.length === 0) continue;
      for (const key of keys) {
        if (readers.some((process) => readName(process, key))) continue;
        const schema = schemaName(key);
        problems.push(
          `${file}: ConfigMap ${name} key ${key} is read by none of the processes that load it (${readers.join(', ')})` +
            (schema
              ? `; the schema (${SCHEMA_FILE}) says it is read by ${ENV_DEFINITIONS[schema].doc.usedBy.join(', ')}`
              : `; it is not a variable of the config schema (${SCHEMA_FILE}) nor in NON_SCHEMA in ${THIS_FILE}`),
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it('(b) compose and Kubernetes set every variable production needs, for every process', () => {
    const problems: string[] = [];
    for (const { instances } of Object.values(platforms)) {
      for (const instance of instances) {
        const set = readVariables(instance);
        const needed: Record<string, string> = {
          ...Object.fromEntries(
            schemaRequired(instance.process).map((n) => [n, 'the schema has no default']),
          ),
          ...PRODUCTION_REQUIRED[instance.process],
        };
        for (const [name, reason] of Object.entries(needed)) {
          if (!set.has(name)) {
            problems.push(
              `${instance.where}: ${instance.process} does not set ${name} (nor ${name}_FILE), which production needs: ${reason}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('(b) lists only variables the process reads as production-required', () => {
    const problems: string[] = [];
    for (const process of PROCESSES) {
      for (const name of Object.keys(PRODUCTION_REQUIRED[process])) {
        if (!readName(process, name)) {
          problems.push(
            `${THIS_FILE}: PRODUCTION_REQUIRED.${process} names ${name}, which ${process} does not read (${SCHEMA_FILE})`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('(d) compose and Kubernetes set the same variables for each process', () => {
    const problems: string[] = [];
    const allowed = (process: Process, name: string, only: Platform) =>
      ONE_PLATFORM_ONLY.some((e) => e.process === process && e.name === name && e.only === only);
    for (const process of PROCESSES) {
      for (const c of compose.filter((i) => i.process === process)) {
        for (const k of k8s.instances.filter((i) => i.process === process)) {
          const inCompose = schemaVariables(c);
          const inK8s = schemaVariables(k);
          for (const name of inCompose) {
            if (!inK8s.has(name) && !allowed(process, name, 'compose')) {
              problems.push(
                `${name} is set for ${process} in ${c.where} but not in ${k.where}: set it there too, or add it to ONE_PLATFORM_ONLY in ${THIS_FILE} with a reason`,
              );
            }
          }
          for (const name of inK8s) {
            if (!inCompose.has(name) && !allowed(process, name, 'k8s')) {
              problems.push(
                `${name} is set for ${process} in ${k.where} but not in ${c.where}: set it there too, or add it to ONE_PLATFORM_ONLY in ${THIS_FILE} with a reason`,
              );
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('(d) has no stale ONE_PLATFORM_ONLY entry', () => {
    const problems: string[] = [];
    for (const entry of ONE_PLATFORM_ONLY) {
      const other: Platform = entry.only === 'compose' ? 'k8s' : 'compose';
      const on = (platform: Platform) =>
        platforms[platform].instances
          .filter((i) => i.process === entry.process)
          .some((i) => schemaVariables(i).has(entry.name));
      if (!on(entry.only) || on(other)) {
        problems.push(
          `${THIS_FILE}: ONE_PLATFORM_ONLY says ${entry.name} is set for ${entry.process} on ${entry.only} only, which is no longer so: remove the entry`,
        );
      }
    }
    expect(problems).toEqual([]);
  });

  it('(e) docs/configuration.md names exactly the variables of the schema', () => {
    const doc = readText('docs', 'configuration.md');
    const inMatrix = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    const problems = [
      ...inMatrix
        .filter((name) => !SCHEMA_NAMES.has(name))
        .map((name) => `docs/configuration.md names ${name}, which is not in ${SCHEMA_FILE}`),
      ...[...SCHEMA_NAMES]
        .filter((name) => !inMatrix.includes(name))
        .map(
          (name) =>
            `docs/configuration.md lacks ${name} of ${SCHEMA_FILE} (regenerate it: make docs-config)`,
        ),
    ];
    expect(problems).toEqual([]);
  });

  it('(f) compose mounts the secrets its *_FILE variables name, and uses each one it mounts', () => {
    const problems: string[] = [];
    for (const [name, service] of Object.entries(composeServices())) {
      const mounted = (service.secrets ?? []).map((s) =>
        typeof s === 'string' ? s : (s.target ?? s.source),
      );
      const env = envToMap(service.environment);
      const text = `${Object.values(env).join(' ')} ${commandText(service.entrypoint)} ${commandText(service.command)}`;
      for (const [key, value] of Object.entries(env)) {
        const secret = /^\/run\/secrets\/([^/]+)$/.exec(value ?? '')?.[1];
        if (secret && !mounted.includes(secret)) {
          problems.push(
            `docker-compose.yml service ${name}: ${key} reads /run/secrets/${secret}, but the service does not list the secret ${secret}`,
          );
        }
      }
      for (const secret of mounted) {
        if (!text.includes(`/run/secrets/${secret}`)) {
          problems.push(
            `docker-compose.yml service ${name}: mounts the secret ${secret}, but no variable or command of it reads /run/secrets/${secret}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("(f) the manifests' Secret keys are the ones docs/deployment.md tells you to create", () => {
    const doc = readText('docs', 'deployment.md');
    const created = new Set(
      [...doc.matchAll(/--from-(?:literal|file)=([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]),
    );
    const problems = k8sManifests().flatMap(({ file, manifest }) =>
      secretRefs(manifest)
        .filter((ref) => !created.has(ref.key))
        .map(
          (ref) =>
            `${file} ${manifest.kind} ${manifest.metadata.name}: Secret ${ref.name} key ${ref.key} is not among the keys docs/deployment.md's \`kubectl create secret\` creates (${[...created].join(', ')})`,
        ),
    );
    expect(problems).toEqual([]);
    expect(created.size).toBeGreaterThan(0);
  });

  it('finds the files it reads', () => {
    // A moved compose file or kustomization must not make the checks above pass vacuously.
    expect(existsSync(repoPath('docker-compose.yml'))).toBe(true);
    expect(existsSync(repoPath('deploy', 'k8s', 'kustomization.yaml'))).toBe(true);
    expect(compose.length).toBeGreaterThanOrEqual(PROCESSES.length);
    expect(k8s.instances.length).toBeGreaterThanOrEqual(PROCESSES.length);
  });
});
