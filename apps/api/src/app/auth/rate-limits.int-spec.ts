// Rate limits across two api instances sharing one Redis (the real one): per user or token, per
// IP for anonymous callers and refused credentials, and the stricter sign-in and chat limits.
// 429 with Retry-After, whichever replica answers.
import { randomBytes, randomUUID } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('rate limits shared by api replicas', () => {
  const apis: TestApi[] = [];
  const urls: string[] = [];
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    const env = {
      ...OIDC_WITHOUT_IDP, // sign-in answers 503: nobody at the issuer
      RATE_LIMIT_PER_MINUTE: '6',
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '4',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '5',
      RATE_LIMIT_LOGIN_PER_MINUTE: '3',
      RATE_LIMIT_CHAT_PER_MINUTE: '2',
    };
    const first = await startTestApi(env);
    const second = await startTestApi(env, first); // same database, same Redis keys
    apis.push(second, first);
    urls.push(first.base, second.base);
    tokenA = (await tokensFor(first)).admin;
    tokenB = (await tokensFor(first)).admin;
  });

  afterAll(async () => {
    for (const api of apis) await api.close();
  });

  /** Alternates the replicas: request i goes to instance i % 2. */
  const get = (i: number, path: string, init: RequestInit = {}) =>
    fetch(`${urls[i % 2]}${path}`, { redirect: 'manual', ...init });
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('limits each token across both replicas, with Retry-After on the 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await get(i, '/api/v1/projects', bearer(tokenA))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const limited = await get(6, '/api/v1/projects', bearer(tokenA));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({
      statusCode: 429,
      message: expect.stringMatching(/at most 6 per 60 s/),
    });
    // Another token has its own allowance.
    const other = await get(7, '/api/v1/projects', bearer(tokenB));
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-limit-client')).toBe('6');
  });

  it('limits anonymous callers per IP on public routes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(i, '/health/live')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('answers 429 to an address that keeps sending refused credentials', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await get(i, '/api/v1/projects', bearer(`acp_${randomBytes(32).toString('base64url')}`)))
          .status,
      );
    }
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    const last = await get(6, '/api/v1/projects', bearer('acp_guess'));
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('is stricter on sign-in and on chat messages', async () => {
    // The IdP does not answer here, so sign-in is 503; the limit still counts every attempt.
    const logins: number[] = [];
    for (let i = 0; i < 4; i++) logins.push((await get(i, '/api/v1/auth/login')).status);
    expect(logins).toEqual([503, 503, 503, 429]);

    const chat = (i: number) =>
      get(i, `/api/v1/projects/${randomUUID()}/conversations/${randomUUID()}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenB}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 'hello' }),
      });
    const chats = [(await chat(0)).status, (await chat(1)).status, (await chat(2)).status];
    expect(chats).toEqual([404, 404, 429]);
  });
});
