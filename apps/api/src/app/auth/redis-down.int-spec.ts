// AUTH_MODE=oidc with Redis unreachable: console sessions answer 503 with a reason (never a bare
// 500, never a hang); API tokens keep working (Postgres), the rate limits pause.
import { freePort } from '@autocoder/server-testing';
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
});
