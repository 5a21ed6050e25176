// Secrets in URLs: the api's request log lines (read from the api's own log stream) never hold
// the sign-in callback's code and state or tokens and keys sent as query parameters, and a
// credential in the query string is refused with 400 and where it belongs.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';
import { TestDatabase } from '@autocoder/server-db/testing';

describe('secrets in query strings', () => {
  let api: TestApi & { db: TestDatabase };
  let admin: string;
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const secret = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP, LOG_LEVEL: 'info' }, undefined, {
      logDestination: sink,
    });
    ({ admin } = await tokensFor(api));
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  }, 30_000);

  /** GET `path` with its own request id; resolves once the api logged the request's line. */
  async function get(path: string, headers: Record<string, string> = {}) {
    const requestId = `qs-${randomBytes(6).toString('hex')}`;
    const res = await fetch(`${api.base}${path}`, {
      headers: { 'X-Request-Id': requestId, ...headers },
      redirect: 'manual',
    });
    const body = await res.text();
    return { res, body, requestId };
  }

  async function waitForLogLine(requestId: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const line = logged.split('\n').find((l) => l.includes(requestId) && l.includes('"url"'));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no log line for ${requestId}:\n${logged}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('logs the sign-in callback without its code and state', async () => {
    const code = secret('code');
    const state = secret('state');
    const sessionState = secret('session');
    const { requestId } = await get(
      `/api/v1/auth/callback?code=${code}&state=${state}&session_state=${sessionState}&iss=http%3A%2F%2F127.0.0.1%3A9`,
    );
    const line = await waitForLogLine(requestId);
    expect(line).toContain('/api/v1/auth/callback?code=[redacted]&state=[redacted]');
    // What is no secret stays, so the line still says what happened.
    expect(line).toContain('iss=http%3A%2F%2F127.0.0.1%3A9');
    for (const value of [code, state, sessionState]) expect(logged).not.toContain(value);
  });

  it('logs other requests without token, key or secret parameters, in url and query', async () => {
    const values = { token: secret('token'), key: secret('key'), Secret: secret('s') };
    const { requestId } = await get(
      `/api/v1/projects?token=${values.token}&KEY=${values.key}&Secret=${values.Secret}&limit=7`,
      { Authorization: `Bearer ${admin}` },
    );
    const line = await waitForLogLine(requestId);
    expect(line).toContain('limit=7');
    for (const value of Object.values(values)) expect(logged).not.toContain(value);
  });

  it.each([
    ['access_token', () => secret('jwt')],
    ['api_key', () => secret('apikey')],
    ['id_token', () => secret('idt')],
  ])('refuses ?%s= with 400 and says to use the header', async (name, make) => {
    const value = make();
    const { res, body, requestId } = await get(`/api/v1/projects?${name}=${value}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('Authorization header'),
      requestId,
    });
    expect(logged).not.toContain(value);
  });

  it('refuses an API token in any query parameter, event streams included', async () => {
    const { res, body } = await get(
      `/api/v1/projects/00000000-0000-4000-8000-000000000000/events?auth=${admin}`,
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(body).message).toMatch(/API tokens are not accepted in the query string/);
    expect(logged).not.toContain(admin);
    // The header still works for the same stream's project list.
    const ok = await get('/api/v1/projects', { Authorization: `Bearer ${admin}` });
    expect(ok.res.status).toBe(200);
  });
});
