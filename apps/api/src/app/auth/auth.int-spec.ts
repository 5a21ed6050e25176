// The api in AUTH_MODE=oidc against the real dev IdP (dist/apps/dev-idp, its own process) and the
// real Redis: console sign-in through the IdP's form, sessions any replica serves, CSRF, roles,
// sign-out, and bearer access tokens (valid, expired, wrong audience, tampered).
import { loadConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import {
  freePort,
  HttpBrowser,
  oidcLogin,
  ServiceProcess,
  waitForHttp,
} from '@autocoder/server-test-support';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { createApiApp } from '../create-api-app';

const CLIENT_SECRET = 'auth-int-spec-client-secret';
const SESSION_SECRET = randomBytes(32).toString('base64url');

describe('sign-in, roles and tokens (OIDC with the dev IdP)', () => {
  let db: TestDatabase;
  let idp: ServiceProcess;
  let issuer: string;
  const apis: NestExpressApplication[] = [];
  let apiUrl: string;
  let secondApiUrl: string;
  let prisma: PrismaService;
  const prefix = `auth-${randomBytes(4).toString('hex')}`;

  const startApi = async (port: number, extra: Record<string, string> = {}) => {
    const app = await createApiApp(
      loadConfig({
        DATABASE_URL: db.url,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        AUTH_MODE: 'oidc',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
        SESSION_SECRET,
        ...extra,
      }),
    );
    await app.listen(port, '127.0.0.1');
    apis.push(app);
    return `http://127.0.0.1:${port}`;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const [idpPort, apiPort, secondPort, shortPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    issuer = `http://127.0.0.1:${idpPort}`;
    const callbacks = [apiPort, secondPort, shortPort].map(
      (p) => `http://127.0.0.1:${p}/api/v1/auth/callback`,
    );
    idp = ServiceProcess.start('dev-idp', {
      DEV_IDP_PORT: String(idpPort),
      DEV_IDP_CLIENT_SECRET: CLIENT_SECRET,
      DEV_IDP_REDIRECT_URIS: callbacks.join(','),
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: `http://127.0.0.1:${apiPort}/`,
    });
    await waitForHttp(`${issuer}/health`);
    apiUrl = await startApi(apiPort);
    // A second replica on the same Redis, and one whose sessions recheck every 2 seconds.
    secondApiUrl = await startApi(secondPort);
    shortUrl = await startApi(shortPort, { OIDC_CLIENT_ID: 'autocoder-short-lived' });
    prisma = apis[0].get(PrismaService);
  });
  let shortUrl: string;

  afterAll(async () => {
    for (const app of apis) await app.close();
    await idp?.stop();
    await db?.drop();
  });

  /** Signs in through the api's /auth/login and the IdP's form, as a browser does. */
  const signIn = async (base: string, username: string, password: string) => {
    const browser = new HttpBrowser();
    const form = await browser.navigate(
      `${base}/api/v1/auth/login?returnTo=${encodeURIComponent('/api/v1/auth/me')}`,
    );
    expect(form.status).toBe(200);
    expect(browser.url.startsWith(`${issuer}/interaction/`)).toBe(true);
    const toIdp = [...browser.hops];
    const me = await browser.submit(`${browser.url}/login`, { username, password });
    return { browser, me, toIdp };
  };

  const xsrf = (browser: HttpBrowser, base: string) =>
    browser.cookie(base, 'XSRF-TOKEN')?.value ?? '';

  it('signs the admin in: a Lax HttpOnly session cookie, back where they started, role admin', async () => {
    const { browser, me, toIdp } = await signIn(apiUrl, 'admin', 'admin');
    expect(browser.url).toBe(`${apiUrl}/api/v1/auth/me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      role: 'admin',
      name: 'admin@autocoder.local',
      via: 'session',
      authMode: 'oidc',
    });
    const cookie = browser.cookie(apiUrl, 'autocoder.sid');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'lax' });
    // The pending sign-in (PKCE verifier, state) never reaches the browser.
    expect(toIdp.some((u) => u.includes('code_challenge_method=S256'))).toBe(true);
    expect([...toIdp, ...browser.hops].some((u) => u.includes('code_verifier'))).toBe(false);
    expect(
      await prisma.auditEvent.count({
        where: { action: 'auth.login', actorLabel: 'admin@autocoder.local' },
      }),
    ).toBeGreaterThan(0);
  });

  it('demands the CSRF token on cookie-authenticated changes', async () => {
    const { browser } = await signIn(apiUrl, 'admin', 'admin');
    const body = JSON.stringify({ name: `csrf-${randomBytes(3).toString('hex')}`, spec: 'x' });
    const headers = { 'content-type': 'application/json' };
    const without = await browser.fetch(`${apiUrl}/api/v1/projects`, {
      method: 'POST',
      headers,
      body,
    });
    expect(without.status).toBe(403);
    expect(await without.json()).toMatchObject({ message: expect.stringMatching(/CSRF/) });
    const forged = await browser.fetch(`${apiUrl}/api/v1/projects`, {
      method: 'POST',
      headers: { ...headers, 'x-xsrf-token': 'forged' },
      body,
    });
    expect(forged.status).toBe(403);
    const ok = await browser.fetch(`${apiUrl}/api/v1/projects`, {
      method: 'POST',
      headers: { ...headers, 'x-xsrf-token': xsrf(browser, apiUrl) },
      body,
    });
    expect(ok.status).toBe(201);
  });

  it('serves the same session from another replica (sessions live in Redis)', async () => {
    const { browser } = await signIn(apiUrl, 'viewer', 'viewer');
    const sid = browser.cookie(apiUrl, 'autocoder.sid')?.value ?? '';
    const res = await fetch(`${secondApiUrl}/api/v1/auth/me`, {
      headers: { cookie: `autocoder.sid=${sid}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: 'viewer', name: 'viewer@autocoder.local' });
  });

  it('lets a viewer read and refuses their changes with 403', async () => {
    const { browser } = await signIn(apiUrl, 'viewer', 'viewer');
    expect((await browser.fetch(`${apiUrl}/api/v1/projects`)).status).toBe(200);
    const res = await browser.fetch(`${apiUrl}/api/v1/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-xsrf-token': xsrf(browser, apiUrl) },
      body: JSON.stringify({ name: 'nope', spec: 'x' }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      message: expect.stringMatching(/needs the admin role/),
    });
  });

  it('signs out: the session ends here and the answer points at the IdP’s logout', async () => {
    const { browser } = await signIn(apiUrl, 'admin', 'admin');
    const res = await browser.fetch(`${apiUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { 'x-xsrf-token': xsrf(browser, apiUrl) },
    });
    expect(res.status).toBe(200);
    const { logoutUrl } = (await res.json()) as { logoutUrl: string };
    expect(logoutUrl.startsWith(`${issuer}/session/end`)).toBe(true);
    expect(new URL(logoutUrl).searchParams.get('post_logout_redirect_uri')).toBe(`${apiUrl}/`);
    expect((await browser.fetch(`${apiUrl}/api/v1/auth/me`)).status).toBe(401);
    expect(await prisma.auditEvent.count({ where: { action: 'auth.logout' } })).toBeGreaterThan(0);
  });

  it('refuses a callback that does not match a sign-in in progress, and audits it', async () => {
    const browser = new HttpBrowser();
    const res = await browser.navigate(`${apiUrl}/api/v1/auth/callback?code=stolen&state=guess`);
    expect(browser.url).toMatch(/\/\?signInError=/);
    expect(res.status).toBe(404); // no console in this test: the error lands on /
    expect(
      await prisma.auditEvent.count({ where: { action: 'auth.login_failed' } }),
    ).toBeGreaterThan(0);
  });

  it('never redirects off-site after sign-in', async () => {
    const browser = new HttpBrowser();
    await browser.navigate(
      `${apiUrl}/api/v1/auth/login?returnTo=${encodeURIComponent('//evil.example/x')}`,
    );
    await browser.submit(`${browser.url}/login`, { username: 'admin', password: 'admin' });
    expect(browser.hops.some((u) => u.includes('evil.example'))).toBe(false);
    expect(browser.url).toBe(`${apiUrl}/`);
  });

  it('refreshes a session with the IdP once its access token expires', async () => {
    const { browser, me } = await signIn(shortUrl, 'admin', 'admin');
    expect(me.status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const again = await browser.fetch(`${shortUrl}/api/v1/auth/me`);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ role: 'admin', via: 'session' });
  });

  describe('bearer access tokens', () => {
    const token = (username: string, extra: { clientId?: string; resource?: string } = {}) =>
      oidcLogin({
        issuer,
        clientId: extra.clientId ?? 'autocoder-console',
        clientSecret: CLIENT_SECRET,
        redirectUri: `${apiUrl}/api/v1/auth/callback`,
        username,
        password: username,
        resource: extra.resource,
      }).then((t) => t.access_token);
    const call = (bearer: string, init: RequestInit = {}, path = '/api/v1/projects') =>
      fetch(`${apiUrl}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${bearer}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });

    it('admits a valid admin token to read and change, a viewer token to read only', async () => {
      const admin = await token('admin');
      expect((await call(admin)).status).toBe(200);
      const created = await call(admin, {
        method: 'POST',
        body: JSON.stringify({ name: `bearer-${randomBytes(3).toString('hex')}`, spec: 'x' }),
      });
      expect(created.status).toBe(201); // no CSRF token needed: a bearer header is not ambient
      const viewer = await token('viewer');
      expect((await call(viewer)).status).toBe(200);
      expect(
        (await call(viewer, { method: 'POST', body: JSON.stringify({ name: 'v', spec: 'x' }) }))
          .status,
      ).toBe(403);
    });

    it('refuses an expired token', async () => {
      const short = await token('admin', { clientId: 'autocoder-short-lived' });
      expect((await call(short)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 7500)); // 2 s lifetime + 5 s clock tolerance
      const res = await call(short);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await res.json()).toMatchObject({ message: expect.stringMatching(/expired/) });
    });

    it('refuses a token for another audience', async () => {
      const other = await token('admin', { resource: 'urn:autocoder:other-api' });
      const res = await call(other);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: expect.stringMatching(/aud/) });
    });

    it('refuses a tampered token (payload changed, signature kept)', async () => {
      const [h, p, s] = (await token('viewer')).split('.');
      const payload = JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >;
      payload['groups'] = ['autocoder-admins'];
      const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      const res = await call(forged);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        message: expect.stringMatching(/not a valid signed JWT/),
      });
      expect(await prisma.auditEvent.count({ where: { action: 'auth.refused' } })).toBeGreaterThan(
        0,
      );
    });

    it('answers 401 with a challenge when nothing is sent', async () => {
      const res = await fetch(`${apiUrl}/api/v1/projects`);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="autocoder"');
    });
  });
});
