import { createHash, randomBytes } from 'node:crypto';

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  username: string;
  password: string;
  /** Resource indicator (audience) to ask for; the IdP's default when absent. */
  resource?: string;
  scope?: string;
}

export interface OidcTokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
}

/** A tiny cookie jar: enough for one IdP origin. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (!pair || eq < 0) continue;
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Signs in at an OIDC provider's own login form as a browser would (authorization code with
 * PKCE, following redirects by hand) and exchanges the code: real tokens for API tests without
 * a browser. Made for apps/dev-idp's form (username, password).
 */
export async function oidcLogin(options: OidcLoginOptions): Promise<OidcTokens> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('hex');
  const auth = new URL('/auth', options.issuer);
  auth.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid profile email groups offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(8).toString('hex'),
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();

  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(res);
    return res;
  };
  const next = (res: Response, from: string): string => {
    const location = res.headers.get('location');
    if (!location) throw new Error(`expected a redirect from ${from}, got ${res.status}`);
    return new URL(location, from).toString();
  };

  let url = next(await go(auth.toString()), auth.toString());
  for (let hop = 0; hop < 10 && !url.startsWith(options.redirectUri); hop++) {
    if (/\/interaction\/[^/]+$/.test(new URL(url).pathname)) {
      const login = await go(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: options.username, password: options.password }),
      });
      if (login.status === 401) throw new Error(`sign-in refused for ${options.username}`);
      url = next(login, url);
    } else {
      url = next(await go(url), url);
    }
  }
  const callback = new URL(url);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== state) {
    throw new Error(`no code in the callback: ${url}`);
  }
  const token = await fetch(new URL('/token', options.issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      code_verifier: verifier,
      ...(options.resource ? { resource: options.resource } : {}),
    }),
  });
  const body = (await token.json()) as OidcTokens & { error?: string };
  if (!token.ok) throw new Error(`token exchange failed: ${token.status} ${JSON.stringify(body)}`);
  return body;
}
