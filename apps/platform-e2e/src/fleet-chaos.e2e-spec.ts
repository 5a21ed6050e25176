// The fleet's stores restarted under it, with real processes: Redis (AOF) and Postgres of their
// own, on free ports in temporary directories (never the machine's shared ones), each stopped
// and started again mid-build. The api's readiness follows them down and back up; api and runners
// reconnect by themselves (nothing restarts them); the build completes with nothing lost and
// nothing doubled (support/fleet.ts's checks). In `make test`; `make chaos` runs it alone.
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { waitFor } from '@autocoder/server-test-support';
import { ApiClient } from './support/api-client';
import { createBacklog, expectFleetConsistent, startAgents, waitForBuild } from './support/fleet';
import {
  PrivatePostgres,
  PrivateRedis,
  privateServicesMissing,
  startPrivatePostgres,
  startPrivateRedis,
} from './support/private-services';
import { startStack, Stack } from './support/stack';

const FEATURES = 12;

// Skipped, saying why, only where this machine has no server binaries to start private copies
// from (Postgres and Redis in containers); `make services` installs them on Debian and Ubuntu.
const missing = privateServicesMissing();
if (missing) console.warn(`fleet chaos suite skipped: ${missing}`);

(missing ? describe.skip : describe)('a fleet whose Redis and Postgres restart mid-build', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let db: TestDatabase;
  let stack: Stack;
  let api: ApiClient;
  let prisma: PrismaService;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    redis = await startPrivateRedis();
    // Migrated on the private server (template first), with the apps' own login role.
    db = await createTestDatabase({ adminUrl: postgres.adminUrl });
    stack = await startStack({
      runners: 2,
      db,
      redisUrl: redis.url,
      env: { RUNNER_CONCURRENCY: '2', JOB_LOCK_MS: '4000' },
    });
    api = new ApiClient(stack.apiUrl);
    prisma = new PrismaService({ databaseUrl: db.url });
    await prisma.$connect();
  }, 180_000);

  afterAll(async () => {
    await prisma?.$disconnect();
    await stack?.stop();
    await redis?.destroy();
    await postgres?.destroy(); // the database goes with its server
  });

  const ready = async () => (await fetch(`${stack.apiUrl}/health/ready`)).status;
  const passing = (projectId: string) =>
    prisma.feature.count({ where: { projectId, status: 'passing' } });

  async function expectReadiness(status: number, what: string) {
    await waitFor(`readiness ${status} ${what}`, async () => (await ready()) === status, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
  }

  it('builds through a Redis restart and a Postgres restart without manual steps', async () => {
    const backlog = await createBacklog(api, {
      name: 'Fleet on restarting stores',
      features: FEATURES,
      concurrency: 4,
      verifyCommand: 'node --test',
    });
    await startAgents(api, backlog.projectId, 4);
    expect(await ready()).toBe(200);

    // Redis: SIGTERM (its AOF is written), down for a moment, up again on the same port and dir.
    await waitFor('a few features passing', async () => (await passing(backlog.projectId)) >= 2, {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    await redis.stop();
    await expectReadiness(503, 'with Redis down');
    await redis.start();
    await expectReadiness(200, 'with Redis back');

    // Postgres: a fast shutdown (every session terminated), then up again.
    const before = await passing(backlog.projectId);
    await waitFor(
      'more features passing',
      async () =>
        (await passing(backlog.projectId).catch(() => 0)) >= Math.min(before + 2, FEATURES - 2),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await postgres.stop();
    await expectReadiness(503, 'with Postgres down');
    await postgres.start();
    await expectReadiness(200, 'with Postgres back');

    await waitForBuild(api, backlog.projectId, FEATURES, 180_000).catch((err: Error) => {
      // Which process gave up, and its last words.
      for (const p of [stack.api, ...stack.runners])
        console.error(
          `${p.name} exit=${JSON.stringify(p.exit)}\n${p.output().slice(-40).join('\n')}`,
        );
      throw err;
    });
    await expectFleetConsistent(stack, prisma, backlog);
    // Nothing restarted them: api and both runners lived through it all.
    expect(stack.api.exit).toBeUndefined();
    for (const runner of stack.runners) expect(runner.exit).toBeUndefined();
  });
});
