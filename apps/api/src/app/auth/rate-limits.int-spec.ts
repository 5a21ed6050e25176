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
    // GET /mcp is public and answers 405 (MCP clients POST).
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(i, '/mcp')).status);
    expect(statuses).toEqual([405, 405, 405, 405, 429]);
  });

  it('never limits health checks and metrics scrapes, even after the address is limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push(
        (await get(i, ['/health/live', '/health/ready', '/metrics'][i % 3] ?? '')).status,
      );
    }
    // Readiness may be 503 here (no runner); what matters is that nothing is a 429.
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.filter((_, i) => i % 3 !== 1)).toEqual(Array.from({ length: 8 }, () => 200));
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

describe('requests without credentials', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '8',
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3',
    });
  });

  afterAll(() => api?.close());

  const status = (headers: Record<string, string> = {}) =>
    fetch(`${api.base}/api/v1/projects`, { headers }).then(async (r) => ({
      status: r.status,
      message: ((await r.json()) as { message: string }).message,
    }));

  it('count against the anonymous limit, not as refused credentials', async () => {
    const anonymous: number[] = [];
    for (let i = 0; i < 5; i++) anonymous.push((await status()).status);
    // More than RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, and none of them a 429.
    expect(anonymous).toEqual([401, 401, 401, 401, 401]);
    // Refused credentials still have their whole allowance.
    const forged = { authorization: `Bearer acp_${randomBytes(32).toString('base64url')}` };
    const refused: number[] = [];
    for (let i = 0; i < 4; i++) refused.push((await status(forged)).status);
    expect(refused).toEqual([401, 401, 401, 429]);
    // Past the anonymous limit (8), requests without credentials get their own 429.
    const rest: { status: number; message: string }[] = [];
    for (let i = 0; i < 4; i++) rest.push(await status());
    expect(rest.map((r) => r.status)).toEqual([401, 401, 401, 429]);
    expect(rest[3]?.message).toMatch(/without credentials/);
  });
});
