// AUTH_MODE=oidc with Redis unreachable: console sessions answer 503 with a reason (never a bare
// 500, never a hang); API tokens keep working (Postgres), the rate limits pause; a request that
// must enqueue answers 503 with Retry-After (the queue's DomainError `unavailable`).
import { freePort } from '@autocoder/server-test-support';
import { createHmac } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

/** A cookie value signed as express-session signs its id (cookie-signature's format). */
function sign(value: string, secret: string): string {
  return `${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;
}

describe('sign-in state with Redis unreachable', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`, // nothing listens there
    });
  });

  afterAll(() => api?.close());

  it('answers GET /metrics within seconds, saying the queues could not be read', async () => {
    const started = Date.now();
    const res = await fetch(`${api.base}/metrics`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    const text = await res.text();
    expect(text).toMatch(/^autocoder_queue_stats_up 0$/m);
    expect(text).not.toMatch(/^autocoder_queue_workers\{/m);
  });

  it('answers 503 to a session cookie within seconds', async () => {
    const started = Date.now();
    const res = await fetch(`${api.base}/api/v1/auth/me`, {
      // A correctly signed session id, so the api has to ask the store about it.
      headers: {
        cookie: `autocoder.sid=${encodeURIComponent(`s:${sign('some-session', OIDC_WITHOUT_IDP.SESSION_SECRET)}`)}`,
      },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      message: expect.stringMatching(/sessions are unavailable/),
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('still serves API tokens', async () => {
    const { viewer } = await tokensFor(api);
    const res = await fetch(`${api.base}/api/v1/projects`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.status).toBe(200);
  });

  it('answers 503 with Retry-After when a request must enqueue, and marks the run failed', async () => {
    const { admin } = await tokensFor(api);
    const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const created = await fetch(`${api.base}/api/v1/projects`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'Queued', spec: 'x', start: false }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const started = await fetch(`${api.base}/api/v1/projects/${id}/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ role: 'initializer' }),
    });
    expect(started.status).toBe(503);
    expect(Number(started.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await started.json()).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.stringMatching(/^The job queue is unavailable \(.+\); try again shortly\.$/),
    });
    const run = await api.prisma.run.findFirstOrThrow({ where: { projectId: id } });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/job queue is unavailable/);
  });
});
