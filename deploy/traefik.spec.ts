// Structure of the Traefik static (traefik.yml) and dynamic (deploy/traefik/dynamic.yml)
// configuration: every route the platform needs exists and points at something defined.
import { readYaml } from './deploy-test-utils';

interface StaticConfig {
  entryPoints: Record<string, { address: string; http?: Record<string, unknown> }>;
  providers: { file?: { directory?: string; watch?: boolean } };
  accessLog?: { format?: string };
  ping?: { entryPoint?: string };
  api?: { dashboard?: boolean; insecure?: boolean };
}

interface Router {
  entryPoints: string[];
  rule: string;
  service: string;
  middlewares?: string[];
  priority?: number;
}

interface DynamicConfig {
  http: {
    routers: Record<string, Router>;
    middlewares: Record<string, Record<string, Record<string, unknown>>>;
    services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
  };
  tls?: { options?: Record<string, { minVersion?: string }> };
}

describe('traefik.yml (static)', () => {
  const config = readYaml<StaticConfig>('traefik.yml');

  it('listens on web (:80) and websecure (:443), web redirecting to https', () => {
    expect(config.entryPoints['web'].address).toBe(':80');
    expect(config.entryPoints['websecure'].address).toBe(':443');
    expect(JSON.stringify(config.entryPoints['web'].http)).toContain('"to":"websecure"');
  });

  it('loads routes from the file provider at /etc/traefik/dynamic', () => {
    expect(config.providers.file?.directory).toBe('/etc/traefik/dynamic');
  });

  it('writes a JSON access log, answers ping and exposes no dashboard', () => {
    expect(config.accessLog?.format).toBe('json');
    expect(config.ping).toBeDefined();
    expect(config.entryPoints[config.ping?.entryPoint ?? 'traefik']).toBeDefined();
    expect(config.api?.dashboard ?? false).toBe(false);
    expect(config.api?.insecure ?? false).toBe(false);
  });
});

describe('deploy/traefik/dynamic.yml', () => {
  const staticConfig = readYaml<StaticConfig>('traefik.yml');
  const { http, tls } = readYaml<DynamicConfig>('deploy', 'traefik', 'dynamic.yml');

  it('sends /api and /mcp to the api, rate-limited and with security headers', () => {
    for (const [name, prefix] of [
      ['api', '/api'],
      ['mcp', '/mcp'],
    ]) {
      const router = http.routers[name];
      expect(router.rule).toContain(`PathPrefix(\`${prefix}/\`)`);
      expect(router.service).toBe('api');
      expect(router.entryPoints).toEqual(['websecure']);
      expect(router.middlewares).toEqual(
        expect.arrayContaining(['security-headers', 'api-ratelimit']),
      );
    }
  });

  it('blocks /health and /metrics from outside and serves them on the internal entry point', () => {
    const blocked = http.routers['ops-blocked'];
    expect(blocked.rule).toContain('PathPrefix(`/health`)');
    expect(blocked.rule).toContain('PathPrefix(`/metrics`)');
    expect(blocked.entryPoints).toEqual(['websecure']);
    expect(blocked.middlewares).toEqual(['internal-only']);
    // Must win over the console's catch-all and the /api router.
    expect(blocked.priority).toBeGreaterThan(http.routers['api'].priority ?? 0);
    const allow = http.middlewares['internal-only']['ipAllowList']['sourceRange'] as string[];
    expect(allow.every((range) => ['127.0.0.1/32', '::1/128'].includes(range))).toBe(true);

    const internal = http.routers['ops-internal'];
    expect(internal.entryPoints).toEqual(['internal']);
    expect(internal.service).toBe('api');
    // The internal entry point is not one of the published ports.
    expect(staticConfig.entryPoints['internal'].address).not.toMatch(/:(80|443)$/);
  });

  it('sends everything else to the console at the lowest priority', () => {
    const admin = http.routers['admin'];
    expect(admin.rule).toBe('PathPrefix(`/`)');
    expect(admin.service).toBe('admin');
    expect(admin.priority).toBe(1);
    expect(admin.middlewares).toEqual(expect.arrayContaining(['security-headers', 'compress']));
  });

  it('sets HSTS, frame deny, nosniff and a referrer policy', () => {
    const headers = http.middlewares['security-headers']['headers'];
    expect(headers['stsSeconds']).toBeGreaterThanOrEqual(31536000);
    expect(headers['frameDeny']).toBe(true);
    expect(headers['contentTypeNosniff']).toBe(true);
    expect(headers['referrerPolicy']).toEqual(expect.any(String));
  });

  it('rate-limits the api and compresses without buffering server-sent events', () => {
    expect(http.middlewares['api-ratelimit']['rateLimit']['average']).toBeGreaterThan(0);
    expect(http.middlewares['compress']['compress']['excludedContentTypes']).toContain(
      'text/event-stream',
    );
  });

  it('only references defined middlewares, services and entry points', () => {
    for (const [name, router] of Object.entries(http.routers)) {
      for (const mw of router.middlewares ?? []) {
        expect({ router: name, middleware: mw, defined: mw in http.middlewares }).toEqual({
          router: name,
          middleware: mw,
          defined: true,
        });
      }
      expect({ router: name, service: router.service in http.services }).toEqual({
        router: name,
        service: true,
      });
      for (const ep of router.entryPoints) {
        expect({ router: name, entryPoint: ep in staticConfig.entryPoints }).toEqual({
          router: name,
          entryPoint: true,
        });
      }
    }
  });

  it('points the services at the compose service names', () => {
    expect(http.services['api'].loadBalancer.servers).toEqual([{ url: 'http://api:3000' }]);
    expect(http.services['admin'].loadBalancer.servers).toEqual([{ url: 'http://admin:8080' }]);
  });

  it('refuses TLS older than 1.2', () => {
    expect(tls?.options?.['default']?.minVersion).toBe('VersionTLS12');
  });
});
