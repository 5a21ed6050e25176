// Structure of .github/workflows/images.yml: images only for commits on main that passed CI,
// tagged with the commit and latest, one per image the compose files run, from Dockerfiles that
// exist.
import { existsSync } from 'node:fs';
import { readText, readYaml, repoPath } from './deploy-test-utils';

interface Step {
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, string | boolean>;
}

interface Workflow {
  name: string;
  on: Record<string, { workflows?: string[]; types?: string[]; branches?: string[] } | null>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<
    string,
    {
      if?: string;
      permissions?: Record<string, string>;
      env?: Record<string, string>;
      strategy: { matrix: { include: { image: string; dockerfile: string; app: string }[] } };
      steps: Step[];
    }
  >;
}

interface ComposeFile {
  services: Record<
    string,
    { image?: string; build?: { dockerfile?: string; args?: { APP?: string } } }
  >;
}

const workflow = readYaml<Workflow>('.github', 'workflows', 'images.yml');
const job = workflow.jobs['images'];
const matrix = job.strategy.matrix.include;
const step = (uses: string): Step => {
  const found = job.steps.find((s) => s.uses?.startsWith(uses));
  if (!found) throw new Error(`no ${uses} step`);
  return found;
};

describe('.github/workflows/images.yml', () => {
  it('runs only after CI passed on main (or by hand on main)', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    const ci = readYaml<{ name: string }>('.github', 'workflows', 'ci.yml');
    expect(workflow.on['workflow_run']).toEqual({
      workflows: [ci.name],
      types: ['completed'],
      branches: ['main'],
    });
    const condition = (job.if ?? '').replace(/\s+/g, ' ');
    expect(condition).toContain("github.event.workflow_run.conclusion == 'success'");
    // A fork's pull request from a branch named main is a workflow_run on main too.
    expect(condition).toContain("github.event.workflow_run.event == 'push'");
    expect(condition).toContain(
      'github.event.workflow_run.head_repository.full_name == github.repository',
    );
    expect(condition).toContain(
      "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'",
    );
    expect(workflow.concurrency?.['cancel-in-progress']).toBe(false);
  });

  it('builds the commit CI tested and pushes it to GHCR with the token, nothing more', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(job.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(job.env?.['SHA']).toBe('${{ github.event.workflow_run.head_sha || github.sha }}');
    expect(step('actions/checkout').with?.['ref']).toBe('${{ env.SHA }}');
    expect(step('docker/setup-buildx-action')).toBeDefined();
    expect(step('docker/login-action').with).toEqual({
      registry: 'ghcr.io',
      username: '${{ github.actor }}',
      password: '${{ secrets.GITHUB_TOKEN }}',
    });
  });

  it('tags every image with the commit sha and latest, with the gha build cache', () => {
    const name = job.steps.find((s) => s.id === 'name')?.run ?? '';
    // Lower-case owner: GHCR refuses capitals.
    expect(name).toContain('ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/autocoder-${{ matrix.image }}');
    const build = step('docker/build-push-action').with ?? {};
    expect(build['push']).toBe(true);
    const tags = String(build['tags'])
      .trim()
      .split('\n')
      .map((t) => t.trim());
    expect(tags).toEqual([
      '${{ steps.name.outputs.repo }}:${{ env.SHA }}',
      '${{ steps.name.outputs.repo }}:latest',
    ]);
    expect(build['file']).toBe('${{ matrix.dockerfile }}');
    expect(build['build-args']).toContain('APP=${{ matrix.app }}');
    expect(build['cache-from']).toMatch(/^type=gha/);
    expect(build['cache-to']).toMatch(/^type=gha,mode=max/);
  });

  it('builds from Dockerfiles that exist, with an APP the node Dockerfile accepts', () => {
    const guard =
      /case "\$\{APP\}" in ([a-z|-]+)\)/
        .exec(readText('deploy', 'docker', 'node-app.Dockerfile'))?.[1]
        .split('|') ?? [];
    for (const entry of matrix) {
      expect({ image: entry.image, exists: existsSync(repoPath(entry.dockerfile)) }).toEqual({
        image: entry.image,
        exists: true,
      });
      if (entry.dockerfile.endsWith('node-app.Dockerfile'))
        expect({ image: entry.image, app: guard.includes(entry.app) }).toEqual({
          image: entry.image,
          app: true,
        });
    }
  });

  it('builds every AutoCoder image docker-compose.yml and the blue/green overlay run, as compose builds it', () => {
    const built = new Map(matrix.map((m) => [m.image, m]));
    const compose = readYaml<ComposeFile>('docker-compose.yml');
    const overlay = readYaml<ComposeFile>('deploy', 'bluegreen', 'compose.bluegreen.yml');
    const used = new Set<string>();
    for (const service of [
      ...Object.values(compose.services),
      ...Object.values(overlay.services),
    ]) {
      const m = /(?:autocoder\/|autocoder\/\}|autocoder-)([a-z-]+):/.exec(service.image ?? '');
      if (m) used.add(m[1]);
    }
    expect([...used].sort()).toEqual([
      'admin',
      'api',
      'dev-idp',
      'git-server',
      'llm-fake',
      'runner',
    ]);
    for (const image of used)
      expect({ image, built: built.has(image) }).toEqual({ image, built: true });
    // Same Dockerfile and APP as compose's build of that image.
    for (const service of Object.values(compose.services)) {
      const image = /autocoder\/([a-z-]+):/.exec(service.image ?? '')?.[1];
      if (!image || !service.build) continue;
      expect({
        image,
        dockerfile: built.get(image)?.dockerfile,
        app: built.get(image)?.app,
      }).toEqual({
        image,
        dockerfile: service.build.dockerfile,
        app: service.build.args?.APP ?? '',
      });
    }
  });
});
