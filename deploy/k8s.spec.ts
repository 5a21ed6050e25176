// Structure of the kustomize base in deploy/k8s (no cluster or kubectl here: the manifests are
// parsed and checked for the properties the platform relies on).
import { ENV_DEFINITIONS, EnvName } from '@autocoder/server-config';
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
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    procMount?: string;
  };
}
interface PodSpec {
  containers: Container[];
  restartPolicy?: string;
  hostUsers?: boolean;
  securityContext?: { runAsNonRoot?: boolean };
}
interface NetworkPolicyRule {
  to?: { ipBlock?: { cidr: string; except?: string[] } }[];
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
    // As the owner; the only workload with the owner's URL.
    const names = (x: Container) => (x.env ?? []).map((e) => e.name);
    expect(names(c)).toEqual(expect.arrayContaining(['MIGRATION_DATABASE_URL', 'DATABASE_URL']));
    for (const app of ['api', 'runner'])
      expect(names(container('Deployment', app))).not.toContain('MIGRATION_DATABASE_URL');
  });

  it('keeps only non-secret, known variables in the ConfigMap', () => {
    const data = find('ConfigMap', 'autocoder-config').data ?? {};
    for (const key of Object.keys(data)) {
      const def = ENV_DEFINITIONS[key as EnvName] as { doc: { sensitive?: boolean } } | undefined;
      expect({ key, known: Boolean(def), sensitive: def?.doc.sensitive ?? false }).toEqual({
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

  it('keeps runners to DNS, Postgres, Redis and HTTPS outside private ranges and metadata', () => {
    const policy = find('NetworkPolicy', 'runner');
    expect(policy.spec?.podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'runner' });
    expect(policy.spec?.policyTypes).toEqual(expect.arrayContaining(['Egress']));
    const ports = (policy.spec?.egress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
    expect([...new Set(ports)].sort((a, b) => a - b)).toEqual([53, 443, 5432, 6379]);
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
});
