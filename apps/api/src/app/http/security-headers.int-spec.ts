// Security headers of the api and of the console it serves (helmet), and CORS: against the real
// app with a console shell of its own.
import { loadConfig } from '@autocoder/server-config';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiApp } from '../create-api-app';

describe('security headers and CORS', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let base: string;
  let consoleDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    consoleDir = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(
      join(consoleDir, 'index.html'),
      '<!doctype html><html><head><script src="main.js" type="module"></script></head><body><ac-root></ac-root></body></html>',
    );
    app = await createApiApp(
      loadConfig({
        AUTH_MODE: 'none',
        DATABASE_URL: db.url,
        QUEUE_PREFIX: `hdr-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'silent',
        CONSOLE_DIR: consoleDir,
        CORS_ORIGINS: 'https://console.example.test',
      }),
    );
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  const directives = (csp: string | null): Map<string, string> =>
    new Map(
      (csp ?? '')
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name = '', ...values] = d.split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
    );

  it('sends a strict CSP, HSTS, nosniff, no referrer and no framing with api answers', async () => {
    const res = await fetch(`${base}/api/v1/projects`);
    expect(res.status).toBe(200);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('style-src')).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]{20,}'$/);
    expect(res.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('serves the console with a fresh nonce per response, the same in the page and the CSP', async () => {
    const nonces: string[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/projects/anything`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const html = await res.text();
      const nonce = /<ac-root ngCspNonce="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(nonce.length).toBeGreaterThan(20);
      const csp = directives(res.headers.get('content-security-policy'));
      expect(csp.get('style-src')).toBe(`'self' 'nonce-${nonce}'`);
      expect(csp.get('script-src')).toBe("'self'");
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('relaxes the policy for the OpenAPI page only', async () => {
    const res = await fetch(`${base}/api/docs/`);
    const csp = directives(res.headers.get('content-security-policy'));
    expect(csp.get('style-src')).toContain("'unsafe-inline'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/api/v1/projects`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const allowed = await preflight('https://console.example.test');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.test');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example.test');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('forbids framing the OpenAPI page in both headers (CSP and X-Frame-Options agree)', async () => {
    const res = await fetch(`${base}/api/docs/`);
    expect(res.status).toBe(200);
    expect(directives(res.headers.get('content-security-policy')).get('frame-ancestors')).toBe(
      "'none'",
    );
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it("answers 404 for missing files instead of the console's page, and the page for routes", async () => {
    for (const path of ['/.env', '/main.js.map', '/missing.js', '/config.json', '/a/b/c.php']) {
      const res = await fetch(`${base}${path}`, { headers: { accept: 'text/html,*/*' } });
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(text).not.toContain('<ac-root');
    }
    const route = await fetch(`${base}/projects/0b6f7a0e-8c2b-4d55-9a8e-2f6c1d0b9e11/board`, {
      headers: { accept: 'text/html' },
    });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<ac-root');
  });
});
