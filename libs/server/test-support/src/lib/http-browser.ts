/** A cookie as a browser keeps it (enough for tests: host-only cookies, no path matching). */
export interface StoredCookie {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string | undefined;
  /** The raw Set-Cookie line, for assertions on its attributes. */
  raw: string;
}

/**
 * A browser without a browser for HTTP tests of sign-in flows: cookies per host, redirects
 * followed by hand (each hop recorded), forms posted as a browser posts them.
 */
export class HttpBrowser {
  private readonly jars = new Map<string, Map<string, StoredCookie>>();
  /** Every URL visited by the last navigation, redirects included. */
  hops: string[] = [];

  cookie(url: string, name: string): StoredCookie | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }

  /** One request, no redirect followed; cookies sent and kept. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, StoredCookie>();
    this.jars.set(host, jar);
    const headers = new Headers(init.headers);
    if (jar.size > 0)
      headers.set('cookie', [...jar.values()].map((c) => `${c.name}=${c.value}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const raw of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = raw.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const lower = attrs.map((a) => a.toLowerCase());
      const expired =
        lower.some((a) => a === 'max-age=0') ||
        lower.some((a) => a.startsWith('expires=') && Date.parse(a.slice(8)) < Date.now());
      if (expired) {
        jar.delete(name);
        continue;
      }
      jar.set(name, {
        name,
        value,
        httpOnly: lower.includes('httponly'),
        secure: lower.includes('secure'),
        sameSite: lower.find((a) => a.startsWith('samesite='))?.slice(9),
        raw,
      });
    }
    return res;
  }

  /** GET (or the given request), then every redirect as GET, until a non-redirect answer. */
  async navigate(url: string, init: RequestInit = {}, maxHops = 15): Promise<Response> {
    this.hops = [url];
    let res = await this.fetch(url, init);
    let current = url;
    for (let hop = 0; hop < maxHops && res.status >= 300 && res.status < 400; hop++) {
      const location = res.headers.get('location');
      if (!location) break;
      current = new URL(location, current).toString();
      this.hops.push(current);
      res = await this.fetch(current);
    }
    return res;
  }

  /** Posts a form (application/x-www-form-urlencoded) and follows the redirects. */
  submit(url: string, fields: Record<string, string>): Promise<Response> {
    return this.navigate(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  }

  /** The URL the last navigation ended on. */
  get url(): string {
    return this.hops[this.hops.length - 1] ?? '';
  }
}
