// Two merge workers on two hosts, with real git and real Postgres: each has its own cache root
// (ProjectRepository) of the same remote and its own MergeQueueService. Forced past the lock
// (drain with lock: false, test only), both build batches on the same main at once: the CAS push
// lets one win and sends the other's batch back ('moved'), which it merges on the next round;
// every request ends on main exactly once. With the lock, of two drains at once one runs.
import { APP_CONFIG } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { directoryRemotes, ProjectRepository } from '@autocoder/server-workspace';
import { Test, TestingModule } from '@nestjs/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { OpenIntegrationTree } from './integration-tree';
import type { BatchRequest } from './merge-batch';
import { MergeQueueModule } from './merge-queue.module';
import { MergeQueueService, SubmitMergeInput } from './merge-queue.service';
import { INTEGRATION_TREES, MERGE_MESSAGE, MERGE_QUEUE_TUNING } from './tokens';

const run = promisify(execFile);
const message = (r: BatchRequest) =>
  `Merge ${r.featureName} (run ${r.runId})\n\nFeature-Id: ${r.featureId}\nRun-Id: ${r.runId}`;
// Long enough that both workers' batches are in flight at once.
const VERIFY = 'sleep 0.5 && test -d features';

describe('two merge workers with real git and Postgres', () => {
  let db: TestDatabase;
  let tmp: string;
  let remotesDir: string;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mq-real-'));
    remotesDir = path.join(tmp, 'remotes');
  }, 120_000);

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    await db?.drop();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Integration trees open across every host at once, and the most seen. */
  const trees = { open: 0, max: 0, moved: 0 };

  /** One host: a cache root of its own, its own queue and Prisma pool. */
  async function host(name: string, batchMax: number) {
    const repos = new ProjectRepository({
      root: path.join(tmp, name),
      remotes: directoryRemotes(remotesDir),
    });
    const open: OpenIntegrationTree = async (projectId, branches) => {
      const tree = await repos.openIntegrationTree(projectId, branches, { verifyCommand: VERIFY });
      trees.max = Math.max(trees.max, ++trees.open);
      return {
        base: tree.base,
        merge: (onto, commit, msg) => tree.merge(onto, commit, msg),
        verify: (commit) => tree.verify(commit),
        publish: async (expected, next) => {
          const result = await tree.publish(expected, next);
          if (result === 'moved') trees.moved++;
          return result;
        },
        onMain: (commit) => tree.onMain(commit),
        close: async () => {
          trees.open--;
          await tree.close();
        },
      };
    };
    const module = await Test.createTestingModule({
      imports: [
        DbModule.forRoot({ databaseUrl: db.url, maxConnections: 4 }),
        MergeQueueModule.register({
          providers: [
            { provide: APP_CONFIG, useValue: { DATABASE_URL: db.url, MERGE_BATCH_MAX: batchMax } },
            { provide: INTEGRATION_TREES, useValue: open },
            { provide: MERGE_MESSAGE, useValue: message },
            { provide: MERGE_QUEUE_TUNING, useValue: { pollMs: 50, errorBackoffMs: 200 } },
          ],
        }),
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return { repos, queue: module.get(MergeQueueService), prisma: module.get(PrismaService) };
  }

  /**
   * A project with `n` leased features, each implemented by a session on `repos` (a real
   * worktree, commit and pushed branch), submitted to the queue.
   */
  async function sessions(
    repos: ProjectRepository,
    prisma: PrismaService,
    queue: MergeQueueService,
    n: number,
  ) {
    const project = await prisma.project.create({
      data: { name: `mq-real-${randomUUID()}`, spec: '-', verifyCommand: VERIFY },
    });
    const inputs: { name: string; input: SubmitMergeInput }[] = [];
    for (let i = 0; i < n; i++) {
      const runRow = await prisma.run.create({
        data: { projectId: project.id, role: 'coding', status: 'running', attempt: 1 },
      });
      const owner = `${runRow.id}:1`;
      const name = `Module ${i + 1}`;
      const feature = await prisma.feature.create({
        data: {
          projectId: project.id,
          priority: i,
          category: 'test',
          name,
          description: '-',
          status: 'in_progress',
          leaseOwner: owner,
          leaseExpiresAt: new Date(Date.now() + 600_000),
          attempts: 1,
        },
      });
      const wt = await repos.createWorktree(project.id, runRow.id);
      await fs.mkdir(path.join(wt.path, 'features'), { recursive: true });
      await fs.writeFile(path.join(wt.path, 'features', `${feature.id}.js`), `// ${name}\n`);
      await repos.commitAll(wt, `Implement ${name}`);
      const { branch, commit } = await repos.publishBranch(wt);
      await repos.discardWorktree(project.id, runRow.id);
      inputs.push({
        name,
        input: {
          projectId: project.id,
          featureId: feature.id,
          runId: runRow.id,
          owner,
          branch,
          commit,
        },
      });
    }
    const ids: string[] = [];
    for (const { input } of inputs) ids.push(await queue.submit(input));
    return {
      projectId: project.id,
      inputs: inputs.map(({ name, input }) => ({ name, featureId: input.featureId })),
      ids,
    };
  }

  const remoteGit = async (projectId: string, args: string[]) =>
    (
      await run('git', [`--git-dir=${path.join(remotesDir, `${projectId}.git`)}`, ...args], {
        env: { PATH: process.env['PATH'] ?? '', GIT_CONFIG_NOSYSTEM: '1' },
      })
    ).stdout;

  /** main's first-parent merges, oldest first: subject and Feature-Id trailer. */
  async function mainMerges(projectId: string) {
    const out = await remoteGit(projectId, [
      'log',
      '--first-parent',
      '--merges',
      '--reverse',
      '--format=%s%x1f%(trailers:key=Feature-Id,valueonly)%x1e',
      'main',
    ]);
    return out
      .split('\x1e')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const [subject = '', featureId = ''] = entry.split('\x1f');
        return { subject, featureId: featureId.trim() };
      });
  }

  async function expectEachOnMainOnce(
    projectId: string,
    inputs: readonly { featureId: string; name: string }[],
  ) {
    const merges = await mainMerges(projectId);
    expect(merges.map((m) => m.featureId).sort()).toEqual(inputs.map((i) => i.featureId).sort());
    for (const m of merges) {
      const input = inputs.find((i) => i.featureId === m.featureId);
      expect(m.subject).toMatch(new RegExp(`^Merge ${input?.name} \\(run `));
    }
    await remoteGit(projectId, ['fsck', '--strict', '--no-dangling', '--no-progress']);
    const files = (await remoteGit(projectId, ['ls-tree', '--name-only', 'main', 'features/']))
      .split('\n')
      .filter(Boolean);
    expect(files.sort()).toEqual(inputs.map((i) => `features/${i.featureId}.js`).sort());
  }

  it('forced past the lock, the CAS lets one worker win and the other retries; each merge once', async () => {
    Object.assign(trees, { max: 0, moved: 0 });
    const a = await host('host-a', 3);
    const b = await host('host-b', 3);
    const { projectId, inputs, ids } = await sessions(a.repos, a.prisma, a.queue, 10);

    const [ra, rb] = await Promise.all([
      a.queue.drain(projectId, { lock: false }),
      b.queue.drain(projectId, { lock: false }),
    ]);
    expect(ra.batches + rb.batches).toBeGreaterThanOrEqual(4);
    // Both workers had a tree open at once, and a CAS refused one of them: its batch went back
    // to the queue (an attempt counted, 'main moved during the push') and merged later.
    expect(trees.max).toBe(2);
    const rows = await a.prisma.mergeRequest.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => r.status)).toEqual(Array(10).fill('merged'));
    const retried = rows.filter((r) => r.attempts > 0);
    expect(retried.length).toBeGreaterThan(0);
    expect(trees.moved).toBeGreaterThan(0);
    expect(retried.length).toBeLessThanOrEqual(3 * trees.moved);
    // Every feature passing once, every request on main exactly once, its merge commit recorded.
    const features = await a.prisma.feature.findMany({ where: { projectId } });
    expect(features.every((f) => f.status === 'passing' && f.leaseOwner === null)).toBe(true);
    await expectEachOnMainOnce(projectId, inputs);
    const firstParents = (
      await remoteGit(projectId, ['log', '--first-parent', '--merges', '--format=%H', 'main'])
    )
      .split('\n')
      .filter(Boolean);
    expect(rows.map((r) => r.mergeCommit).sort()).toEqual([...firstParents].sort());
  });

  it('with the lock, of two workers draining at once one runs and merges everything', async () => {
    Object.assign(trees, { max: 0, moved: 0 });
    const a = await host('host-c', 3);
    const b = await host('host-d', 3);
    const { projectId, inputs, ids } = await sessions(b.repos, b.prisma, b.queue, 6);

    const results = await Promise.all([a.queue.drain(projectId), b.queue.drain(projectId)]);
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(results.find((r) => r.ran)?.batches).toBe(2);
    expect(trees.max).toBe(1);
    expect(trees.moved).toBe(0);
    const rows = await a.prisma.mergeRequest.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('merged'));
    expect(rows.every((r) => r.attempts === 0)).toBe(true);
    await expectEachOnMainOnce(projectId, inputs);
  });
});
