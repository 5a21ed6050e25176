// Every route the api registers, found in Express's router (not a hand-kept list), called as
// nobody, as a viewer and as an admin: anonymous → 401, viewer changing state → 403, admin →
// let through; and every state-changing request an admin makes writes exactly one audit event.
// Server-sent events and /mcp are routes like the others here.
import { PrismaService } from '@autocoder/server-db';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes, randomUUID } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

interface Route {
  method: string;
  path: string;
}

/** Open to anyone, on purpose (docs/security.md). */
const PUBLIC = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /api/v1/auth/login',
  'GET /api/v1/auth/callback',
  // Stateless MCP: no stream to open, no session to end; both answer 405 to anyone.
  'GET /mcp',
  'DELETE /mcp',
]);

/**
 * Changes a viewer may make: ending their own session, and MCP calls (a viewer's MCP server has
 * only the read-only tools, so its calls change nothing).
 */
const VIEWER_MAY_POST = new Set(['POST /api/v1/auth/logout', 'POST /mcp']);

/** Reads only admins may make: the audit trail. */
const ADMIN_ONLY_READS = new Set(['GET /api/v1/audit-events', 'GET /api/v1/audit-events/export']);

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Nest's routes from Express's router, with the global prefix; Swagger's pages left out. */
function registeredRoutes(app: NestExpressApplication): Route[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const routes: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    if (layer.route.path.startsWith('/api/docs')) continue; // the OpenAPI description, public
    // Nest mounts middleware (request metrics, …) as routes for every method; they answer
    // nothing themselves (a request to their bare path is a 404).
    if (Object.keys(layer.route.methods).length > 8) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) {
      if (on && method !== '_all')
        routes.push({ method: method.toUpperCase(), path: layer.route.path });
    }
  }
  return routes;
}

describe('access and audit of every route', () => {
  let api: TestApi;
  let base: string;
  let prisma: PrismaService;
  let adminToken: string;
  let viewerToken: string;
  let routes: Route[];

  beforeAll(async () => {
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      // Every route is called anonymously on purpose; rate limits have their own test.
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    ({ base, prisma } = api);
    ({ admin: adminToken, viewer: viewerToken } = await tokensFor(api));
    routes = registeredRoutes(api.app);
  });

  afterAll(() => api?.close());

  /** Route parameters become random ids: what matters is who gets past the guard. */
  const urlOf = (route: Route) => base + route.path.replace(/:[A-Za-z]+/g, () => randomUUID());

  const call = async (route: Route, token?: string, requestId?: string): Promise<number> => {
    const controller = new AbortController();
    const res = await fetch(urlOf(route), {
      method: route.method,
      headers: {
        'content-type': 'application/json',
        accept: route.path.endsWith('/events') ? 'text/event-stream' : 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
      body: STATE_CHANGING.has(route.method) ? '{}' : undefined,
      signal: controller.signal,
    });
    controller.abort(); // an event stream stays open; the status is all we need
    return res.status;
  };

  const key = (r: Route) => `${r.method} ${r.path}`;

  it('finds the routes (sanity: the enumeration sees the api)', () => {
    const keys = routes.map(key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /api/v1/projects',
        'POST /api/v1/projects',
        'GET /api/v1/projects/:projectId/events',
        'POST /mcp',
        'POST /api/v1/projects/:projectId/agents/start',
        'DELETE /api/v1/projects/:projectId/schedules/:scheduleId',
      ]),
    );
    expect(routes.length).toBeGreaterThan(40);
    for (const p of PUBLIC) expect(keys).toContain(p);
  });

  it('answers 401 to anonymous callers on every route that is not public', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const status = await call(route);
      const isPublic = PUBLIC.has(key(route));
      if (isPublic ? status === 401 || status === 403 : status !== 401) {
        wrong.push(`${key(route)} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 to a viewer on every state-changing route and the audit trail, and lets them read the rest', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (PUBLIC.has(key(route))) continue;
      const status = await call(route, viewerToken);
      const mayChange = VIEWER_MAY_POST.has(key(route));
      const expectedRefusal =
        (STATE_CHANGING.has(route.method) && !mayChange) || ADMIN_ONLY_READS.has(key(route));
      if (expectedRefusal ? status !== 403 : status === 401 || status === 403) {
        wrong.push(`${key(route)} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets an admin through everywhere, and every change writes exactly one audit event', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if (PUBLIC.has(key(route))) continue;
      const requestId = `access-${randomBytes(6).toString('hex')}`;
      const status = await call(route, adminToken, requestId);
      if (status === 401 || status === 403) wrong.push(`${key(route)} → ${status}`);
      if (STATE_CHANGING.has(route.method)) {
        const events = await prisma.auditEvent.findMany({ where: { requestId } });
        if (events.length !== 1) wrong.push(`${key(route)} wrote ${events.length} audit events`);
        else if (events[0]?.actorType !== 'token' || events[0]?.role !== 'admin') {
          wrong.push(`${key(route)} audit actor ${events[0]?.actorType}/${events[0]?.role}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('writes no audit event for requests refused before they could change anything', async () => {
    const requestId = `refused-${randomBytes(6).toString('hex')}`;
    const route = { method: 'POST', path: '/api/v1/projects' };
    expect(await call(route, viewerToken, requestId)).toBe(403);
    expect(await call(route, undefined, requestId)).toBe(401);
    expect(await prisma.auditEvent.count({ where: { requestId } })).toBe(0);
  });
});
