// Structure of the kustomize base in deploy/k8s (no cluster or kubectl here: the manifests are
// parsed and checked for the properties the platform relies on).
import { ENV_DEFINITIONS, EnvName } from '@autocoder/server-config';
import { QueueName } from '@autocoder/shared-contracts';
import { QueueKeys } from 'bullmq';
import { existsSync } from 'node:fs';
import { readYaml, readYamlDocuments, repoPath } from './deploy-test-utils';

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: unknown };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    procMount?: string;
  };
}
interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  persistentVolumeClaim?: { claimName: string };
  hostPath?: { path: string };
  nfs?: unknown;
}
interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  restartPolicy?: string;
  hostUsers?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number };
}
interface Peer {
  ipBlock?: { cidr: string; except?: string[] };
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
}
interface NetworkPolicyRule {
  to?: Peer[];
  from?: Peer[];
  ports?: { port: number; protocol: string }[];
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: {
    replicas?: number;
    template?: { spec: PodSpec };
    selector?: Record<string, unknown>;
    ports?: { port: number; targetPort: string | number }[];
    podSelector?: { matchLabels: Record<string, string> };
    policyTypes?: string[];
    egress?: NetworkPolicyRule[];
    ingress?: NetworkPolicyRule[];
    serviceName?: string;
    volumeClaimTemplates?: {
      metadata: { name: string };
      spec: { accessModes: string[]; resources: { requests: { storage: string } } };
    }[];
  };
  data?: Record<string, string>;
}

const kustomization = readYaml<{ namespace: string; resources: string[] }>(
  'deploy',
  'k8s',
  'kustomization.yaml',
);

const manifests: Manifest[] = kustomization.resources.flatMap((file) =>
  readYamlDocuments<Manifest>('deploy', 'k8s', file),
);

function find(kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
}

function container(kind: string, name: string): Container {
  return find(kind, name).spec?.template?.spec.containers[0] as Container;
}

function portNumber(c: Container, port: string | number): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

describe('deploy/k8s kustomize base', () => {
  it('lists only files that exist and parse', () => {
    for (const file of kustomization.resources) {
      expect({ file, exists: existsSync(repoPath('deploy', 'k8s', file)) }).toEqual({
        file,
        exists: true,
      });
    }
    expect(kustomization.namespace).toBe('autocoder');
    expect(find('Namespace', 'autocoder')).toBeDefined();
  });

  it('probes the api on /health/ready and /health/live and exposes it as a Service', () => {
    const api = container('Deployment', 'api');
    expect(api.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(api.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(portNumber(api, api.readinessProbe?.httpGet?.port ?? '')).toBe(3000);
    expect(find('Service', 'api').spec?.ports?.[0].port).toBe(3000);
  });

  it('runs two runners probed on /health at port 3001', () => {
    const runner = find('Deployment', 'runner');
    expect(runner.spec?.replicas).toBe(2);
    const c = container('Deployment', 'runner');
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/health');
      expect(portNumber(c, probe?.httpGet?.port ?? '')).toBe(3001);
    }
  });

  it('serves the console from an admin Deployment and Service', () => {
    expect(container('Deployment', 'admin').readinessProbe?.httpGet?.path).toBe('/healthz');
    expect(find('Service', 'admin').spec?.ports?.[0].port).toBe(8080);
  });

  it('migrates with the api image in a Job', () => {
    const job = find('Job', 'autocoder-migrate');
    expect(job.spec?.template?.spec.restartPolicy).toBe('OnFailure');
    const c = container('Job', 'autocoder-migrate');
    expect(c.image).toBe('autocoder/api');
    expect(c.command).toEqual(['node', 'tools/prisma/migrate.mjs', 'deploy']);
    // As the owner; with the backup CronJob, the only workloads with the owner's URL.
    const names = (x: Container) => (x.env ?? []).map((e) => e.name);
    expect(names(c)).toEqual(expect.arrayContaining(['MIGRATION_DATABASE_URL', 'DATABASE_URL']));
    for (const app of ['api', 'runner'])
      expect(names(container('Deployment', app))).not.toContain('MIGRATION_DATABASE_URL');
  });

  it('keeps only non-secret, known variables in the ConfigMap', () => {
    const data = find('ConfigMap', 'autocoder-config').data ?? {};
    for (const key of Object.keys(data)) {
      const def = ENV_DEFINITIONS[key as EnvName] as { doc: { sensitive?: boolean } } | undefined;
      const known = Boolean(def);
      expect({ key, known, sensitive: def?.doc.sensitive ?? false }).toEqual({
        key,
        known: true,
        sensitive: false,
      });
    }
  });

  it('takes DATABASE_URL, REDIS_URL and ANTHROPIC_API_KEY from a Secret it does not contain', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    const refs = (c: Container) =>
      Object.fromEntries(
        (c.env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef)
          .map((e) => [e.name, e.valueFrom?.secretKeyRef?.name]),
      );
    expect(refs(container('Deployment', 'api'))).toMatchObject({
      DATABASE_URL: 'autocoder-secrets',
      REDIS_URL: 'autocoder-secrets',
      OIDC_CLIENT_SECRET: 'autocoder-secrets',
      SESSION_SECRET: 'autocoder-secrets',
      ANTHROPIC_API_KEY: 'autocoder-secrets',
    });
    expect(refs(container('Deployment', 'runner'))).toMatchObject({
      DATABASE_URL: 'autocoder-secrets',
      REDIS_URL: 'autocoder-secrets',
      ANTHROPIC_API_KEY: 'autocoder-secrets',
    });
    for (const m of manifests) {
      for (const c of m.spec?.template?.spec.containers ?? []) {
        for (const e of c.env ?? []) {
          const sensitive = (ENV_DEFINITIONS[e.name as EnvName]?.doc as { sensitive?: boolean })
            ?.sensitive;
          if (sensitive) expect({ name: e.name, literal: e.value }).toEqual({ name: e.name });
        }
      }
    }
  });

  it('runs every pod as non-root with a read-only root filesystem', () => {
    for (const m of manifests.filter((x) => x.spec?.template)) {
      const pod = m.spec?.template?.spec as PodSpec;
      expect({ name: m.metadata.name, nonRoot: pod.securityContext?.runAsNonRoot }).toEqual({
        name: m.metadata.name,
        nonRoot: true,
      });
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
      }
    }
  });

  it('runs the runner so that it can make sandboxes without being privileged', () => {
    const pod = find('Deployment', 'runner').spec?.template?.spec as PodSpec;
    expect(pod.hostUsers).toBe(false);
    const c = container('Deployment', 'runner');
    expect(c.securityContext).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      procMount: 'Unmasked',
    });
    expect(c.securityContext?.capabilities?.add).toBeUndefined();
  });

  it('keeps runners to DNS, Postgres, Redis, the git server and HTTPS outside private ranges', () => {
    const policy = find('NetworkPolicy', 'runner');
    expect(policy.spec?.podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'runner' });
    expect(policy.spec?.policyTypes).toEqual(expect.arrayContaining(['Egress']));
    const ports = (policy.spec?.egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
    expect([...new Set(ports)].sort((a, b) => a - b)).toEqual([53, 443, 3400, 5432, 6379]);
    // The git server's port only towards the git server's pods.
    for (const rule of policy.spec?.egress ?? []) {
      if (!(rule.ports ?? []).some((p) => p.port === 3400)) continue;
      expect(rule.ports?.map((p) => p.port)).toEqual([3400]);
      expect(rule.to).toEqual([
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'git-server' } } },
      ]);
    }
    for (const rule of policy.spec?.egress ?? []) {
      for (const to of rule.to ?? []) {
        if (to.ipBlock?.cidr === '0.0.0.0/0') {
          expect(to.ipBlock.except).toEqual(
            expect.arrayContaining(['169.254.0.0/16', '10.0.0.0/8']),
          );
          expect(rule.ports?.map((p) => p.port)).toEqual([443]);
        }
      }
    }
  });

  it('runs one git server from a StatefulSet with its repositories on a PVC', () => {
    const git = find('StatefulSet', 'git-server');
    expect(git.spec?.replicas).toBe(1);
    expect(git.spec?.serviceName).toBe('git-server');
    const pod = git.spec?.template?.spec as PodSpec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
    const c = container('StatefulSet', 'git-server');
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    expect(env['GIT_SERVER_HOST']?.value).toBe('0.0.0.0');
    expect(env['GIT_SERVER_TOKEN']?.valueFrom?.secretKeyRef).toEqual({
      name: 'autocoder-secrets',
      key: 'GIT_SERVER_TOKEN',
    });
    expect(env['SECRETS_KEY']).toBeUndefined();
    // GIT_SERVER_ROOT is the mount of a volume claim template: it outlives the pod.
    const claims = (git.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata.name);
    const root = c.volumeMounts?.find((m) => m.mountPath === env['GIT_SERVER_ROOT']?.value);
    expect(root).toBeDefined();
    expect(claims).toContain(root?.name);
    expect((pod.volumes ?? []).map((v) => v.name)).not.toContain(root?.name);
    const port = Number(env['GIT_SERVER_PORT']?.value);
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect(probe?.httpGet?.path).toBe('/health');
      expect(portNumber(c, probe?.httpGet?.port ?? '')).toBe(port);
    }
    expect(find('Service', 'git-server').spec?.ports?.[0].port).toBe(port);
    // api and runners find it where the Service is.
    const config = find('ConfigMap', 'autocoder-config').data ?? {};
    expect(config['GIT_SERVER_URL']).toBe(`http://git-server:${port}`);
  });

  it('lets only api and runner pods and the backup job reach the git server, and the git server reach nothing', () => {
    const policy = find('NetworkPolicy', 'git-server');
    expect(policy.spec?.podSelector?.matchLabels).toEqual({
      'app.kubernetes.io/name': 'git-server',
    });
    expect(policy.spec?.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
    expect(policy.spec?.ingress).toEqual([
      {
        from: [
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } } },
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'runner' } } },
          { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'autocoder-backup' } } },
        ],
        ports: [{ port: 3400, protocol: 'TCP' }],
      },
    ]);
    expect(policy.spec?.egress).toEqual([]);
  });

  it('gives api and runner the git server token and SECRETS_KEY from the Secret', () => {
    for (const app of ['api', 'runner']) {
      const refs = Object.fromEntries(
        (container('Deployment', app).env ?? [])
          .filter((e) => e.valueFrom?.secretKeyRef)
          .map((e) => [e.name, e.valueFrom?.secretKeyRef]),
      );
      expect({ app, refs }).toMatchObject({
        app,
        refs: {
          GIT_SERVER_TOKEN: { name: 'autocoder-secrets', key: 'GIT_SERVER_TOKEN' },
          SECRETS_KEY: { name: 'autocoder-secrets', key: 'SECRETS_KEY' },
        },
      });
    }
  });

  it('backs up daily from a CronJob with the api image onto a PVC of its own, never two at once', () => {
    const cron = find('CronJob', 'autocoder-backup') as unknown as {
      spec: {
        schedule: string;
        concurrencyPolicy: string;
        jobTemplate: {
          spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
        };
      };
    };
    expect(cron.spec.schedule).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const template = cron.spec.jobTemplate.spec.template;
    const pod = template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
    const c = pod.containers[0] as Container;
    expect(c.image).toBe('autocoder/api');
    expect(c.command).toEqual(['node', 'tools/ops/backup.mjs', 'backup']);
    expect(existsSync(repoPath('tools', 'ops', 'backup.mjs'))).toBe(true);
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
    expect(env['BACKUP_DATABASE_URL']?.valueFrom?.secretKeyRef).toEqual({
      name: 'autocoder-secrets',
      key: 'MIGRATION_DATABASE_URL',
    });
    expect(env['GIT_SERVER_TOKEN']?.valueFrom?.secretKeyRef).toEqual({
      name: 'autocoder-secrets',
      key: 'GIT_SERVER_TOKEN',
    });
    expect(Number(env['BACKUP_KEEP']?.value)).toBeGreaterThan(0);
    // BACKUP_DIR is the mount of the backups' claim, which this job alone uses.
    const mount = c.volumeMounts?.find((m) => m.mountPath === env['BACKUP_DIR']?.value);
    const claim = pod.volumes?.find((v) => v.name === mount?.name)?.persistentVolumeClaim;
    expect(claim?.claimName).toBe('autocoder-backups');
    expect(find('PersistentVolumeClaim', 'autocoder-backups')).toBeDefined();
    // The git server's network policy admits this job's pods by their label.
    const admitted = (find('NetworkPolicy', 'git-server').spec?.ingress ?? []).flatMap((r) =>
      (r.from ?? []).map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']),
    );
    expect(admitted).toContain(template.metadata.labels['app.kubernetes.io/name']);
  });

  it('has a restore Job, applied by hand, that runs like the backup CronJob', () => {
    expect(kustomization.resources).not.toContain('restore-job.yaml');
    const [job] = readYamlDocuments<Manifest>('deploy', 'k8s', 'restore-job.yaml');
    const cron = find('CronJob', 'autocoder-backup') as unknown as {
      spec: { jobTemplate: { spec: { template: { spec: PodSpec } } } };
    };
    const backupPod = cron.spec.jobTemplate.spec.template.spec;
    const restorePod = job?.spec?.template?.spec as PodSpec;
    const b = backupPod.containers[0] as Container;
    const r = restorePod.containers[0] as Container;
    expect(r.command?.slice(0, 3)).toEqual(['node', 'tools/ops/backup.mjs', 'restore']);
    expect(r.command).toContain('--yes');
    expect(r.image.split(':')[0]).toBe(b.image);
    const env = (c: Container) => (c.env ?? []).filter((e) => e.name !== 'BACKUP_KEEP');
    expect(env(r)).toEqual(env(b));
    expect(r.volumeMounts).toEqual(b.volumeMounts);
    expect(restorePod.volumes).toEqual(backupPod.volumes);
    expect(restorePod.securityContext).toEqual(backupPod.securityContext);
    expect(r.securityContext).toEqual(b.securityContext);
  });

  it('shares no volume: WORKSPACE_ROOT of api and runner is a size-limited emptyDir of the pod', () => {
    for (const m of manifests.filter((x) => x.spec?.template)) {
      for (const v of m.spec?.template?.spec.volumes ?? []) {
        // Only the git server has a persistent volume, and from its own claim template.
        expect({
          workload: m.metadata.name,
          volume: v.name,
          shared: Boolean(v.persistentVolumeClaim ?? v.hostPath ?? v.nfs),
        }).toEqual({ workload: m.metadata.name, volume: v.name, shared: false });
      }
    }
    for (const app of ['api', 'runner']) {
      const pod = find('Deployment', app).spec?.template?.spec as PodSpec;
      const c = container('Deployment', app);
      const root = c.env?.find((e) => e.name === 'WORKSPACE_ROOT')?.value;
      const mount = c.volumeMounts?.find((m) => m.mountPath === root);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      expect({ app, root, sizeLimit: volume?.emptyDir?.sizeLimit }).toEqual({
        app,
        root: expect.stringMatching(/^\//),
        sizeLimit: expect.stringMatching(/^\d+Gi$/),
      });
    }
  });
});

/** pg's pool size (pg-pool `max`), which api and runner use: DATABASE_URL sets none. */
const PG_POOL_MAX = 10;

interface ScaledObject {
  kind: 'ScaledObject';
  metadata: { name: string };
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount: number;
    maxReplicaCount: number;
    triggers: {
      type: string;
      name?: string;
      metadata: { listName?: string; listLength?: string };
      authenticationRef?: { name: string };
    }[];
  };
}

describe('deploy/k8s/components/keda', () => {
  const component = readYaml<{
    kind: string;
    namespace?: string;
    resources: string[];
    patches?: { target: { kind: string; name: string }; patch: string }[];
  }>('deploy', 'k8s', 'components', 'keda', 'kustomization.yaml');
  const docs = component.resources.flatMap((file) =>
    readYamlDocuments<{ kind: string; metadata: { name: string } }>(
      'deploy',
      'k8s',
      'components',
      'keda',
      file,
    ),
  );
  const scaled = docs.find((d) => d.kind === 'ScaledObject') as unknown as ScaledObject;
  const config = find('ConfigMap', 'autocoder-config').data ?? {};
  const keys = new QueueKeys(config['QUEUE_PREFIX']);
  const trigger = (listName: string) =>
    scaled.spec.triggers.find((t) => t.metadata.listName === listName);

  it('is a Component in the base namespace that hands the runner count to KEDA', () => {
    expect(component.kind).toBe('Component');
    expect(component.namespace).toBe(kustomization.namespace);
    expect(scaled.spec.scaleTargetRef.name).toBe('runner');
    expect(find('Deployment', 'runner')).toBeDefined();
    const patch = component.patches?.find((p) => p.target.name === 'runner');
    expect(patch?.target.kind).toBe('Deployment');
    expect(patch?.patch).toMatch(/op: remove\s+path: \/spec\/replicas/);
  });

  it("scales on BullMQ's agent-session wait list, RUNNER_CONCURRENCY sessions per runner", () => {
    const waiting = trigger(keys.toKey(QueueName.AgentSession, 'wait'));
    expect(waiting?.type).toBe('redis');
    expect(waiting?.metadata.listLength).toBe(config['RUNNER_CONCURRENCY']);
    // Busy runners are a floor: the active list with the same target.
    const active = trigger(keys.toKey(QueueName.AgentSession, 'active'));
    expect(active?.metadata.listLength).toBe(config['RUNNER_CONCURRENCY']);
    const chatConcurrency = String(
      config['CHAT_CONCURRENCY'] ?? ENV_DEFINITIONS.CHAT_CONCURRENCY.schema.parse(undefined),
    );
    expect(trigger(keys.toKey(QueueName.Chat, 'wait'))?.metadata.listLength).toBe(chatConcurrency);
    // Every trigger watches a real queue's list under QUEUE_PREFIX, authenticated.
    const lists = Object.values(QueueName).flatMap((q) =>
      ['wait', 'active'].map((t) => keys.toKey(q, t)),
    );
    const auths = docs
      .filter((d) => d.kind === 'TriggerAuthentication')
      .map((d) => d.metadata.name);
    for (const t of scaled.spec.triggers) {
      expect({
        list: t.metadata.listName,
        real: lists.includes(t.metadata.listName ?? ''),
      }).toEqual({ list: t.metadata.listName, real: true });
      expect(auths).toContain(t.authenticationRef?.name);
    }
  });

  it('keeps a runner at all times and a ceiling that fits Postgres connections', () => {
    // Schedules, the control tick and the merge queue's tick run in runners.
    expect(scaled.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
    const max = scaled.spec.maxReplicaCount;
    expect(max).toBeGreaterThan(scaled.spec.minReplicaCount);
    // Postgres's default max_connections (100) less 3 reserved and 7 for the migrate Job,
    // operators and backups; a rolling update adds 25 % more runner pods for a while.
    const apiReplicas = find('Deployment', 'api').spec?.replicas ?? 1;
    const runnersAtPeak = max + Math.ceil(max * 0.25);
    expect((runnersAtPeak + apiReplicas) * PG_POOL_MAX).toBeLessThanOrEqual(100 - 3 - 7);
  });
});
