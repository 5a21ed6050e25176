import { JobName } from '@autocoder/shared-contracts';
import { jobOptionsFor } from './job-options';
import { redisOptions } from './redis-connection';

describe('jobOptionsFor', () => {
  const retry = { attempts: 4, backoffMs: 250 };

  it('uses the run id as job id so a double submit is deduplicated', () => {
    const opts = jobOptionsFor(
      JobName.InitializerSession,
      { runId: 'run-1', projectId: 'p' },
      retry,
    );
    expect(opts.jobId).toBe('run-1');
  });

  it('retries sessions with exponential backoff and jitter from the shared policy', () => {
    for (const name of [
      JobName.InitializerSession,
      JobName.CodingSession,
      JobName.TestingSession,
    ]) {
      const opts = jobOptionsFor(name, { runId: 'r', projectId: 'p' }, retry);
      expect(opts.jobId).toBe('r');
      expect(opts.attempts).toBe(4);
      expect(opts.backoff).toEqual({ type: 'exponential', delay: 250, jitter: 0.5 });
    }
  });

  it('never retries a control tick (the next one replaces it)', () => {
    const opts = jobOptionsFor(JobName.ControlTick, {}, retry);
    expect(opts.attempts).toBe(1);
    expect(opts.jobId).toBeUndefined();
  });

  it('answers a chat message once (job id = message id), with one quick retry', () => {
    const opts = jobOptionsFor(
      JobName.ChatTurn,
      { conversationId: 'c', projectId: 'p', messageId: 'msg-1' },
      retry,
    );
    expect(opts.jobId).toBe('msg-1');
    expect(opts.attempts).toBe(2);
    expect(opts.backoff).toEqual({ type: 'exponential', delay: 1000, jitter: 0.5 });
    expect(opts.removeOnFail).toEqual({ age: 604800, count: 5000 });
  });

  it('keeps failed jobs and bounds completed ones', () => {
    const opts = jobOptionsFor(JobName.InitializerSession, { runId: 'r', projectId: 'p' }, retry);
    expect(opts.removeOnFail).toBe(false);
    expect(opts.removeOnComplete).toEqual({ age: 604800, count: 1000 });
  });

  it('has options for every job name', () => {
    for (const name of Object.values(JobName)) {
      expect(() =>
        jobOptionsFor(name, { runId: 'r', projectId: 'p' } as never, retry),
      ).not.toThrow();
    }
  });
});

describe('redisOptions', () => {
  it('parses host, port, credentials and database', () => {
    const o = redisOptions('redis://user:p%40ss@example.test:6380/3', 'producer');
    expect(o).toMatchObject({
      host: 'example.test',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 3,
    });
  });

  it('fails fast for producers and never gives up for workers', () => {
    expect(redisOptions('redis://127.0.0.1:6379', 'producer')).toMatchObject({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    });
    expect(redisOptions('redis://127.0.0.1:6379', 'worker')).toMatchObject({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
  });
});
