// The demo of `make dev`, as separate processes: tools/dev/seed-demo.mjs creates the demo project
// with its verification command, the initializer writes its 24 features, the scripted coding
// agents write a module and a test per feature, and every merge runs `node --test` over all the
// tests on main. "Passing" on the demo board therefore means verified.
import { PrismaService } from '@autocoder/server-db';
import type { ProjectView } from '@autocoder/shared-contracts';
import { REPO_ROOT, waitFor } from '@autocoder/server-test-support';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from './support/api-client';
import { startStack, Stack } from './support/stack';

const DEMO_FEATURES = 24;

describe('the demo project, end to end', () => {
  let stack: Stack;
  let api: ApiClient;
  let prisma: PrismaService;

  beforeAll(async () => {
    stack = await startStack({ runners: 1, env: { RUNNER_CONCURRENCY: '3' } });
    api = new ApiClient(stack.apiUrl);
    prisma = new PrismaService({ databaseUrl: stack.db.url });
    await prisma.$connect();
  }, 120_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await stack?.stop();
  });

  /** `make seed`: the real script against this stack's api (AUTH_MODE=none). */
  const seed = (): string =>
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools/dev/seed-demo.mjs')], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', API_URL: stack.apiUrl },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('is seeded with `node --test` as its verification command and every passing feature is verified', async () => {
    const created = /created demo project ([0-9a-f-]{36})/.exec(seed());
    expect(created).not.toBeNull();
    const projectId = created?.[1] ?? '';
    const project = await api.get<ProjectView>(`/api/v1/projects/${projectId}`);
    expect(project.body.verifyCommand).toBe('node --test');
    // Idempotent: a second seed finds it.
    expect(seed()).toContain(`found demo project ${projectId}`);

    expect((await api.finishedRun(projectId)).status).toBe('succeeded');
    const started = await api.post<ProjectView>(`/api/v1/projects/${projectId}/agents/start`, {
      concurrency: 3,
    });
    expect(started.status).toBe(202);

    const done = await waitFor(
      'every demo feature passing',
      async () => {
        const p = await api.get<ProjectView>(`/api/v1/projects/${projectId}`);
        return p.body.status === 'ready' && p.body.counts.passing === DEMO_FEATURES
          ? p.body
          : undefined;
      },
      { timeoutMs: 420_000, intervalMs: 1000 },
    );
    expect(done.counts).toMatchObject({ passing: DEMO_FEATURES, pending: 0, failing: 0 });

    // Each feature passed through a merge that ran the verification command.
    const merged = await prisma.runEvent.count({
      where: { type: 'workspace.merged', run: { projectId, role: 'coding' } },
    });
    expect(merged).toBe(DEMO_FEATURES);

    // main holds a module and a test per feature, and `node --test` passes them all there.
    const res = await fetch(`${stack.apiUrl}/api/v1/projects/${projectId}/repository.tar.gz`);
    expect(res.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), 'autocoder-demo-main-'));
    try {
      writeFileSync(join(dir, 'main.tar.gz'), Buffer.from(await res.arrayBuffer()));
      execFileSync('tar', ['xzf', 'main.tar.gz'], { cwd: dir });
      rmSync(join(dir, 'main.tar.gz'));
      expect(readdirSync(join(dir, 'features'))).toHaveLength(DEMO_FEATURES);
      expect(readdirSync(join(dir, 'test'))).toHaveLength(DEMO_FEATURES);
      const output = execFileSync(process.execPath, ['--test'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(output).toContain(`# pass ${2 * DEMO_FEATURES}`);
      expect(output).toContain('# fail 0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
