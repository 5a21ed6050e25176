// Signs in at the dev IdP's own form the way a browser does (authorization code with PKCE,
// redirects followed by hand) and returns the access token: how `make dev` seeds the demo
// project through the REST API as the admin. The TypeScript twin for tests is oidcLogin in
// libs/server/test-support (the dev scripts run without a build step, so they cannot import it).
import { createHash, randomBytes } from 'node:crypto';

export async function devAccessToken({
  issuer,
  clientId,
  clientSecret,
  redirectUri,
  username,
  password,
}) {
  const cookies = new Map();
  const go = async (url, init = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
  const next = (res, from) => {
    const location = res.headers.get('location');
    if (!location) throw new Error(`dev IdP: expected a redirect from ${from}, got ${res.status}`);
    return new URL(location, from).toString();
  };
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL('/auth', issuer);
  auth.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile email groups',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  }).toString();
  let url = next(await go(auth.toString()), auth.toString());
  for (let hop = 0; hop < 10 && !url.startsWith(redirectUri); hop++) {
    const res = /\/interaction\/[^/]+$/.test(new URL(url).pathname)
      ? await go(`${url}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username, password }),
        })
      : await go(url);
    url = next(res, url);
  }
  const code = new URL(url).searchParams.get('code');
  if (!code) throw new Error(`dev IdP: no code for ${username}: ${url}`);
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`dev IdP token exchange failed: ${JSON.stringify(body)}`);
  return body.access_token;
}
