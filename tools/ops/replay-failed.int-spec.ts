// tools/ops/replay-failed.mjs against the machine's Redis, run as operators run it (a child
// process with REDIS_URL and QUEUE_PREFIX), with a real BullMQ worker failing and then
// processing the jobs.
import { QueueName } from '@autocoder/shared-contracts';
import { waitUntil } from '@autocoder/server-test-support';
import { Job, Queue, Worker } from 'bullmq';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

const SCRIPT = resolve(__dirname, 'replay-failed.mjs');
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const connection = {
  host: new URL(REDIS_URL).hostname,
  port: Number(new URL(REDIS_URL).port || 6379),
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function replay(prefix: string, ...args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SCRIPT, ...args],
      {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REDIS_URL, QUEUE_PREFIX: prefix },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('tools/ops/replay-failed.mjs', () => {
  const prefix = `replay-${randomBytes(4).toString('hex')}`;
  const queueName = QueueName.Chat;
  let queue: Queue;
  let worker: Worker | undefined;

  beforeAll(() => {
    queue = new Queue(queueName, { connection, prefix });
  });

  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  it('replays failed jobs with their attempts reset, and a worker then processes them', async () => {
    const first = await queue.add('turn', { n: 1 }, { attempts: 2, backoff: 10 });
    const second = await queue.add('turn', { n: 2 }, { attempts: 2, backoff: 10 });
    // Down: every attempt fails, so both jobs end failed.
    const down = new Worker(
      queueName,
      async (): Promise<string> => {
        throw new Error('model provider down\nstack line');
      },
      { connection, prefix },
    );
    worker = down;
    await waitUntil(
      'both jobs failed',
      () => queue.getFailedCount(),
      (n) => n === 2,
    );
    await down.close();

    // A dry run lists them and changes nothing.
    const dry = await replay(prefix, '--queue', queueName, '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain(`${prefix}:${queueName}: 2 failed job(s); would replay 2`);
    expect(dry.stdout).toContain(`${first.id}  turn  attempts 2/2  model provider down`);
    expect(dry.stdout).not.toContain('stack line');
    expect(await queue.getFailedCount()).toBe(2);

    // --limit 1 replays one (the most recently failed) and leaves the other failed.
    const one = await replay(prefix, '--queue', queueName, '--limit', '1');
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(one.stdout).toContain('replayed 1, not replayed 0');
    expect(await queue.getFailedCount()).toBe(1);
    expect(await queue.getWaitingCount()).toBe(1);

    // Back up: the replayed job runs with a fresh count of attempts.
    const seen: { id?: string; attemptsStarted: number }[] = [];
    worker = new Worker(
      queueName,
      async (job: Job) => {
        seen.push({ id: job.id, attemptsStarted: job.attemptsStarted });
        return 'answered';
      },
      { connection, prefix },
    );
    await waitUntil(
      'one job completed',
      () => queue.getCompletedCount(),
      (n) => n === 1,
    );
    expect(seen).toEqual([{ id: expect.any(String), attemptsStarted: 1 }]);

    // The rest, then nothing is left failed.
    const rest = await replay(prefix, '--queue', queueName);
    expect(rest.stdout).toContain('replayed 1, not replayed 0');
    await waitUntil(
      'both jobs completed',
      () => queue.getCompletedCount(),
      (n) => n === 2,
    );
    expect(await queue.getFailedCount()).toBe(0);
    const done = await Promise.all([first, second].map((j) => queue.getJob(j.id as string)));
    expect(done.map((j) => [j?.returnvalue, j?.attemptsMade])).toEqual([
      ['answered', 1],
      ['answered', 1],
    ]);
  });

  it('refuses a job that is not failed, naming it, and exits 1', async () => {
    const job = await queue.add('turn', { n: 3 }, { delay: 60_000 });
    const result = await replay(
      prefix,
      '--queue',
      queueName,
      '--job',
      job.id as string,
      '--job',
      'no-such-job',
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${job.id}  turn`);
    expect(result.stdout).toContain('-> not replayed');
    expect(result.stdout).toContain('no-such-job  not found');
    expect(await queue.getDelayedCount()).toBe(1);
  });

  it('knows exactly the queues of the contract, and refuses any other name with exit 2', async () => {
    const result = await replay(prefix, '--queue', 'agent-sessions');
    expect(result.code).toBe(2);
    const listed = /--queue must be one of (.*), not "agent-sessions"/.exec(result.stderr)?.[1];
    expect(listed?.split(', ').sort()).toEqual(Object.values(QueueName).sort());
    expect((await replay(prefix, '--queue', queueName, '--limit', '0')).code).toBe(2);
    expect((await replay(prefix)).code).toBe(2);
  });
});
