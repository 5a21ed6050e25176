// The built dev-idp (dist/apps/dev-idp) as its own process, signed in to through its own form:
// what make dev, the api tests and the browser tests rely on.
import { freePort, oidcLogin, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { createPublicKey, JsonWebKey, verify } from 'node:crypto';
import {
  DEV_IDP_ADMIN_GROUP,
  DEV_IDP_AUDIENCE,
  DEV_IDP_CONSOLE_CLIENT,
  DEV_IDP_OTHER_AUDIENCE,
  DEV_IDP_SHORT_LIVED_CLIENT,
  DEV_IDP_VIEWER_GROUP,
} from './dev-idp-options';

const SECRET = 'integration-test-secret';
const REDIRECT = 'http://127.0.0.1:9/callback';

function decode(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(p ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

describe('dev-idp', () => {
  let idp: ServiceProcess;
  let issuer: string;

  beforeAll(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    idp = ServiceProcess.start('dev-idp', {
      DEV_IDP_PORT: String(port),
      DEV_IDP_CLIENT_SECRET: SECRET,
      DEV_IDP_REDIRECT_URIS: REDIRECT,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: 'http://127.0.0.1:9/',
    });
    await waitForHttp(`${issuer}/health`);
  });
  afterAll(() => idp.stop());

  const login = (
    username: string,
    password: string,
    extra: { clientId?: string; resource?: string } = {},
  ) =>
    oidcLogin({
      issuer,
      clientId: extra.clientId ?? DEV_IDP_CONSOLE_CLIENT,
      clientSecret: SECRET,
      redirectUri: REDIRECT,
      username,
      password,
      resource: extra.resource,
    });

  it('publishes discovery with PKCE, logout and a JWKS', async () => {
    const doc = (await (
      await fetch(`${issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc['issuer']).toBe(issuer);
    expect(doc['code_challenge_methods_supported']).toEqual(['S256']);
    expect(doc['end_session_endpoint']).toEqual(expect.stringContaining(issuer));
    expect(doc['jwks_uri']).toEqual(expect.stringContaining(issuer));
  });

  it('signs the admin in and issues a signed JWT access token for the api with their groups', async () => {
    const tokens = await login('admin', 'admin');
    const { header, payload } = decode(tokens.access_token);
    expect(payload).toMatchObject({
      iss: issuer,
      aud: DEV_IDP_AUDIENCE,
      sub: 'dev-admin',
      groups: [DEV_IDP_ADMIN_GROUP],
      email: 'admin@autocoder.local',
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(decode(tokens.id_token).payload).toMatchObject({
      sub: 'dev-admin',
      aud: DEV_IDP_CONSOLE_CLIENT,
    });

    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as {
      keys: (JsonWebKey & { kid: string })[];
    };
    const jwk = jwks.keys.find((k) => k.kid === header['kid']);
    expect(jwk).toBeDefined();
    const [h, p, s] = tokens.access_token.split('.');
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s ?? '', 'base64url'))).toBe(
      true,
    );
  });

  it('gives the viewer the viewer group', async () => {
    const { payload } = decode((await login('viewer', 'viewer')).access_token);
    expect(payload).toMatchObject({ sub: 'dev-viewer', groups: [DEV_IDP_VIEWER_GROUP] });
  });

  it('refuses a wrong password', async () => {
    await expect(login('admin', 'nope')).rejects.toThrow(/sign-in refused/);
  });

  it('issues 2-second tokens to the short-lived client and other audiences on request', async () => {
    const short = decode(
      (await login('admin', 'admin', { clientId: DEV_IDP_SHORT_LIVED_CLIENT })).access_token,
    );
    expect(Number(short.payload['exp']) - Number(short.payload['iat'])).toBe(2);
    const other = decode(
      (await login('admin', 'admin', { resource: DEV_IDP_OTHER_AUDIENCE })).access_token,
    );
    expect(other.payload['aud']).toBe(DEV_IDP_OTHER_AUDIENCE);
  });

  it('refreshes tokens', async () => {
    const tokens = await login('viewer', 'viewer');
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${DEV_IDP_CONSOLE_CLIENT}:${SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string };
    expect(decode(body.access_token).payload).toMatchObject({
      sub: 'dev-viewer',
      aud: DEV_IDP_AUDIENCE,
    });
  });
});
