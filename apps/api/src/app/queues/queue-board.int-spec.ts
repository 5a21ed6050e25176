// The queue view (bull-board at /api/v1/admin/queues) on the real Redis and Postgres: admins only
// (viewer 403, anonymous 401), its page under its own content-security policy, changes that
// really change BullMQ and leave an audit row each, and no change from another site.
import { TestDatabase } from '@autocoder/server-db/testing';
import { redisOptions } from '@autocoder/server-queue';
import { waitUntil } from '@autocoder/server-test-support';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { Job, Queue, Worker } from 'bullmq';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('queue view (bull-board)', () => {
  let api: TestApi & { db: TestDatabase; prefix: string };
  let admin: string;
  let viewer: string;
  let queue: Queue;
  let board: string;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    ({ admin, viewer } = await tokensFor(api));
    queue = new Queue(QueueName.Control, {
      connection: redisOptions(REDIS_URL, 'producer'),
      prefix: api.prefix,
    });
    board = `${api.base}/api/v1/admin/queues`;
  }, 60_000);

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await api?.close();
  }, 30_000);

  /** A control job that failed once, for good (attempts: 1). */
  async function failedJob(): Promise<Job> {
    const job = await queue.add(JobName.ControlTick, {}, { attempts: 1 });
    const worker = new Worker(
      QueueName.Control,
      async () => {
        throw new Error('planned failure');
      },
      { connection: redisOptions(REDIS_URL, 'worker'), prefix: api.prefix },
    );
    try {
      await waitUntil(
        `job ${job.id} failed`,
        () => job.getState(),
        (s) => s === 'failed',
        { timeoutMs: 20_000 },
      );
    } finally {
      await worker.close();
    }
    return job;
  }

  const auditRows = (action: string, targetId: string) =>
    api.prisma.auditEvent.findMany({ where: { action, targetId } });

  it('serves admins its page, under a CSP of its own', async () => {
    const res = await fetch(board, { headers: { Authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).toContain('AutoCoder queues');
    // Its scripts, styles and API calls resolve against this base.
    expect(html).toContain('<base href="/api/v1/admin/queues/" />');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${board}/${script}`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(asset.status).toBe(200);
    // The console's pages keep the strict policy.
    const elsewhere = await fetch(`${api.base}/api/v1/auth/me`);
    expect(elsewhere.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('lists every queue of the contract in its JSON API', async () => {
    const res = await fetch(`${board}/api/queues`, {
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(Object.values(QueueName).sort());
  });

  it('refuses viewers (403) and anonymous callers (401)', async () => {
    for (const path of ['', '/api/queues']) {
      const asViewer = await fetch(`${board}${path}`, {
        headers: { Authorization: `Bearer ${viewer}` },
      });
      expect(asViewer.status).toBe(403);
      const anonymous = await fetch(`${board}${path}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toBeTruthy();
    }
    const job = await failedJob();
    const retry = await fetch(`${board}/api/queues/${QueueName.Control}/${job.id}/retry`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${viewer}` },
    });
    expect(retry.status).toBe(403);
    expect(await job.getState()).toBe('failed');
  });

  it('retries a failed job for an admin, and audits it', async () => {
    const job = await failedJob();
    const res = await fetch(`${board}/api/queues/${QueueName.Control}/${job.id}/retry`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${admin}`, 'X-Request-Id': 'board-retry-1' },
    });
    expect(res.status).toBeLessThan(300);
    // Retried for real: BullMQ moved it back to waiting (no worker consumes it here).
    expect(await job.getState()).toBe('waiting');
    const rows = await auditRows('queue.job_retried', String(job.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorType: 'token',
      role: 'admin',
      targetType: 'job',
      requestId: 'board-retry-1',
      after: { queue: QueueName.Control, jobId: String(job.id) },
    });
  });

  it('removes a job for an admin, and audits it', async () => {
    const job = await failedJob();
    const res = await fetch(`${board}/api/queues/${QueueName.Control}/${job.id}/clean`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBeLessThan(300);
    expect(await Job.fromId(queue, String(job.id))).toBeUndefined();
    expect(await auditRows('queue.job_removed', String(job.id))).toHaveLength(1);
  });

  it('audits a queue-wide change (pause, resume)', async () => {
    for (const change of ['pause', 'resume'] as const) {
      const res = await fetch(`${board}/api/queues/${QueueName.Control}/${change}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBeLessThan(300);
      expect(await queue.isPaused()).toBe(change === 'pause');
    }
    expect(
      await api.prisma.auditEvent.count({
        where: { action: { in: ['queue.paused', 'queue.resumed'] }, targetId: QueueName.Control },
      }),
    ).toBe(2);
  });

  it('refuses a change from another site', async () => {
    const job = await failedJob();
    for (const headers of [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ]) {
      const res = await fetch(`${board}/api/queues/${QueueName.Control}/${job.id}/retry`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${admin}`, ...headers },
      });
      expect(res.status).toBe(403);
    }
    expect(await job.getState()).toBe('failed');
    expect(await auditRows('queue.job_retried', String(job.id))).toHaveLength(0);
  });
});
