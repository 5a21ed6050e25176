import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import Provider, { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { DevIdpOptions, DevIdpUser } from './dev-idp-options';
import { escapeHtml, loginPage } from './login-page';

export interface DevIdp {
  /** The issuer, e.g. http://127.0.0.1:4020. */
  url: string;
  close(): Promise<void>;
}

const SCOPES = ['openid', 'offline_access', 'profile', 'email', 'groups'];
const API_SCOPE = 'api';

/**
 * A real OpenID Connect provider (oidc-provider) for local use and tests: the seeded users sign
 * in on a plain HTML form, first-party clients need no consent screen, access tokens are JWTs
 * for the api's audience carrying the user's groups. Keys, sessions and grants live in memory:
 * a restart signs everyone out, which is what a dev IdP should do.
 */
export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = options.issuer ?? `http://${options.host}:${port}`;
  const provider = new Provider(issuer, configuration(options));
  const oidc = provider.callback();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path.startsWith('/interaction/')) {
      interaction(provider, options.users, req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res
            .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
            .end(`<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`);
        }
      });
      return;
    }
    void oidc(req, res);
  });

  return {
    url: issuer,
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((err) => (err ? fail(err) : done()));
      }),
  };
}

function configuration(options: DevIdpOptions): Configuration {
  const users = new Map(options.users.map((u) => [u.sub, u]));
  const ttlOf = new Map(options.clients.map((c) => [c.clientId, c.accessTokenTtlSeconds ?? 900]));
  const audiences = new Set([options.audience, ...options.otherAudiences]);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [{ ...jwk, kid: 'dev-idp-1', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    pkce: { required: () => true },
    // ID tokens carry the profile, e-mail and groups claims themselves (the api maps groups to
    // roles from the ID token, as with Keycloak or Entra group claims), not only userinfo.
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx: KoaContextWithOIDC, resource: string, client) => {
          if (!audiences.has(resource)) throw new Error(`unknown resource ${resource}`);
          return {
            scope: API_SCOPE,
            audience: resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttlOf.get(client.clientId) ?? 900,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Refresh tokens for every client allowed the grant, without the consent prompt the spec
    // ties to offline_access: a dev IdP has only first-party clients.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // First-party clients: grant what they ask for, so no consent screen.
    loadExistingGrant: async (ctx) => {
      const session = ctx.oidc.session;
      const client = ctx.oidc.client;
      if (!session?.accountId || !client) return undefined;
      const existing = session.grantIdFor(client.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope(SCOPES.join(' '));
      grant.addOIDCClaims(['name', 'preferred_username', 'email', 'email_verified', 'groups']);
      for (const audience of audiences) grant.addResourceScope(audience, API_SCOPE);
      await grant.save();
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    findAccount: (_ctx, sub) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, ...profile(user), email_verified: true }),
      };
    },
    // Access tokens carry who the user is and their groups, so the api needs no userinfo call.
    extraTokenClaims: (_ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const user = typeof accountId === 'string' ? users.get(accountId) : undefined;
      return user ? profile(user) : undefined;
    },
    ttl: {
      // The resource server's lifetime (per client, see getResourceServerInfo).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 900,
      IdToken: 900,
      Interaction: 600,
      RefreshToken: 8 * 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>Sign-in error</title><h1>${escapeHtml(String(out['error']))}</h1><p>${escapeHtml(String(out['error_description'] ?? ''))}</p>`;
    },
  };
}

/** Who the user is and their groups, in the ID token and (for the api) the access token. */
function profile(user: DevIdpUser) {
  return {
    name: user.name,
    preferred_username: user.username,
    email: user.email,
    groups: user.groups,
  };
}

/** The sign-in form (GET) and its submission (POST …/login). */
async function interaction(
  provider: Provider,
  users: DevIdpUser[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // Consent is never needed (loadExistingGrant grants first-party clients); finish anyway.
    await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const user = users.find((u) => u.username === form.get('username'));
  if (!user || !samePassword(user.password, form.get('password') ?? '')) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid, 'Unknown user or wrong password.'));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: user.sub } },
    { mergeWithLastSubmission: false },
  );
}

/** Compares digests, so the time taken says nothing about the password. */
function samePassword(expected: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > limit) throw new Error('form too large');
  }
  return body;
}
