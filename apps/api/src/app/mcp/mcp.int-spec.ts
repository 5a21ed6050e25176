// /mcp end to end: the api listening on a real port against the real Postgres (a fresh database)
// and Redis (a unique queue prefix), tokens created over REST, and the SDK's own MCP client.
import { ApiTokensService } from '@autocoder/server-auth';
import { loadConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import type { CreatedApiTokenView, FeatureView, ProjectView } from '@autocoder/shared-contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { createApiApp } from '../create-api-app';

const MISSING = '00000000-0000-4000-8000-000000000000';

interface TextResult {
  content: { type: string; text: string }[];
  isError?: boolean;
}

describe('MCP at /mcp (integration)', () => {
  let db: TestDatabase;
  let api: NestExpressApplication;
  let apiUrl: string;
  let http: App;
  let prisma: PrismaService;
  const clients: Client[] = [];

  let project: ProjectView;
  let other: ProjectView;
  let base: FeatureView;
  let dependent: FeatureView;
  let admin: CreatedApiTokenView;
  let viewer: CreatedApiTokenView;
  let scoped: CreatedApiTokenView;

  // Everything below is set up over REST with an admin API token of the local user.
  let setupToken = '';
  const as = (req: request.Test) => req.set('authorization', `Bearer ${setupToken}`);
  const newToken = async (body: Record<string, unknown>): Promise<CreatedApiTokenView> => {
    const res = await as(request(http).post('/api/v1/api-tokens')).send(body);
    expect(res.status).toBe(201);
    return res.body as CreatedApiTokenView;
  };
  const newProject = async (name: string): Promise<ProjectView> => {
    const res = await as(request(http).post('/api/v1/projects')).send({
      name: `${name}-${randomBytes(3).toString('hex')}`,
      spec: 'A todo app.',
    });
    expect(res.status).toBe(201);
    return res.body as ProjectView;
  };
  const newFeature = async (
    projectId: string,
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<FeatureView> => {
    const res = await as(request(http).post(`/api/v1/projects/${projectId}/features`)).send({
      category: 'core',
      name,
      description: `${name} works`,
      steps: ['check'],
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as FeatureView;
  };

  /** The SDK's client over Streamable HTTP with a bearer token and extra headers. */
  const connect = async (
    token: string,
    headers: Record<string, string> = {},
    query = '',
  ): Promise<Client> => {
    const client = new Client({ name: 'mcp-int-spec', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${apiUrl}/mcp${query}`), {
      requestInit: { headers: { Authorization: `Bearer ${token}`, ...headers } },
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  };
  const call = async (
    client: Client,
    name: string,
    args: Record<string, unknown> = {},
  ): Promise<TextResult> => (await client.callTool({ name, arguments: args })) as TextResult;
  const json = <T>(result: TextResult): T => {
    expect(result.isError).toBeFalsy();
    return JSON.parse(result.content[0]?.text ?? 'null') as T;
  };
  /** A raw MCP initialize POST, to check answers at the HTTP level. */
  const rawInitialize = (headers: Record<string, string>, path = '/mcp') =>
    fetch(`${apiUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await createApiApp(
      loadConfig({
        // OIDC mode, as deployed: only tokens get in. Nothing listens at the issuer; API
        // tokens never need it.
        AUTH_MODE: 'oidc',
        OIDC_ISSUER_URL: 'http://127.0.0.1:9',
        SESSION_SECRET: randomBytes(24).toString('base64url'),
        DATABASE_URL: db.url,
        QUEUE_PREFIX: `mcp-${randomBytes(4).toString('hex')}`,
        LOG_LEVEL: 'silent',
      }),
    );
    await api.listen(0, '127.0.0.1');
    apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    http = api.getHttpServer() as App;
    prisma = api.get(PrismaService);
    const tokens = api.get(ApiTokensService);
    setupToken = (
      await tokens.create((await tokens.localUser()).id, { name: 'setup', role: 'admin' })
    ).token;

    project = await newProject('mcp');
    other = await newProject('other');
    base = await newFeature(project.id, 'base', { priority: 1 });
    dependent = await newFeature(project.id, 'dependent', {
      priority: 2,
      dependsOn: [base.id],
    });
    admin = await newToken({ name: 'claude code', role: 'admin' });
    viewer = await newToken({ name: 'dashboard' });
    scoped = await newToken({ name: 'one project', role: 'admin', projectId: other.id });
  });

  afterAll(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await api?.close();
    await db?.drop();
  });

  it('lists every feature tool for an admin token, only the read-only ones for a viewer', async () => {
    const adminTools = (
      await (await connect(admin.token, { 'X-AutoCoder-Project': project.id })).listTools()
    ).tools;
    const names = adminTools.map((t) => t.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'feature_stats',
        'feature_ready',
        'feature_claim',
        'feature_mark_passing',
        'feature_mark_failing',
        'feature_create_bulk',
        'ask_user',
      ]),
    );
    const get = adminTools.find((t) => t.name === 'feature_get');
    expect(get?.inputSchema).toMatchObject({
      type: 'object',
      properties: { id: { type: 'string' } },
      required: ['id'],
    });
    expect(get?.annotations?.readOnlyHint).toBe(true);
    expect(adminTools.find((t) => t.name === 'feature_claim')?.annotations?.readOnlyHint).toBe(
      false,
    );

    const viewerTools = (
      await (await connect(viewer.token, {}, `?projectId=${project.id}`)).listTools()
    ).tools.map((t) => t.name);
    expect([...viewerTools].sort()).toEqual(
      [
        'feature_blocked',
        'feature_get',
        'feature_graph',
        'feature_ready',
        'feature_stats',
        'feature_summary',
      ].sort(),
    );
  });

  it('reads stats and ready features, claims one and marks it passing in the database', async () => {
    const client = await connect(admin.token, { 'X-AutoCoder-Project': project.id });
    expect(
      json<{ total: number; counts: Record<string, number> }>(await call(client, 'feature_stats')),
    ).toMatchObject({ total: 2, counts: { pending: 2, passing: 0 } });
    expect(json<{ id: string }[]>(await call(client, 'feature_ready')).map((f) => f.id)).toEqual([
      base.id,
    ]);

    const claimed = json<FeatureView>(await call(client, 'feature_claim'));
    expect(claimed).toMatchObject({ id: base.id, status: 'in_progress', attempts: 1 });
    const held = await prisma.feature.findUniqueOrThrow({ where: { id: base.id } });
    expect(held).toMatchObject({ status: 'in_progress', leaseOwner: `mcp:${admin.id}` });
    // A long lease: an external agent cannot heartbeat.
    expect(Number(held.leaseExpiresAt?.getTime()) - Date.now()).toBeGreaterThan(25 * 60_000);

    // Another token does not hold the claim.
    const stranger = await newToken({ name: 'stranger', role: 'admin' });
    const strangerClient = await connect(stranger.token, { 'X-AutoCoder-Project': project.id });
    expect(await call(strangerClient, 'feature_mark_passing', { id: base.id })).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/not claimed/) }],
    });

    // Stateless: the next request (a fresh server, any replica) knows the claim by its token.
    const next = await connect(admin.token, {}, `?projectId=${project.id}`);
    const passed = await call(next, 'feature_mark_passing', { id: base.id });
    expect(passed.isError).toBeFalsy();
    expect(passed.content[0]?.text).toMatch(/passing/);
    const done = await prisma.feature.findUniqueOrThrow({ where: { id: base.id } });
    expect(done).toMatchObject({ status: 'passing', leaseOwner: null });
    expect(done.passedAt).toBeInstanceOf(Date);

    // Its dependent is ready now.
    expect(json<{ id: string }[]>(await call(client, 'feature_ready')).map((f) => f.id)).toEqual([
      dependent.id,
    ]);
  });

  it('answers bad tool input and unknown features as tool errors, not HTTP errors', async () => {
    const client = await connect(admin.token, { 'X-AutoCoder-Project': project.id });
    const bad = await call(client, 'feature_get', { id: 'nope' });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]?.text).toMatch(/id/);
    const missing = await call(client, 'feature_get', { id: MISSING });
    expect(missing).toMatchObject({ isError: true });
    expect(missing.content[0]?.text).toMatch(/not found/);
  });

  it('refuses the write tools to a viewer token', async () => {
    const client = await connect(viewer.token, { 'X-AutoCoder-Project': project.id });
    const before = await prisma.feature.findUniqueOrThrow({ where: { id: dependent.id } });
    const refused = await call(client, 'feature_claim');
    expect(refused.isError).toBe(true);
    expect(refused.content[0]?.text).toMatch(/feature_claim/);
    const after = await prisma.feature.findUniqueOrThrow({ where: { id: dependent.id } });
    expect(after.status).toBe(before.status);
    expect(after.leaseOwner).toBeNull();
    expect(json<{ total: number }>(await call(client, 'feature_stats')).total).toBe(2);
  });

  it('works on a scoped token’s own project without naming it, and refuses others with 403', async () => {
    await newFeature(other.id, 'elsewhere');
    const client = await connect(scoped.token);
    expect(json<{ total: number }>(await call(client, 'feature_stats')).total).toBe(1);

    const res = await rawInitialize({
      authorization: `Bearer ${scoped.token}`,
      'x-autocoder-project': project.id,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      statusCode: 403,
      error: 'Forbidden',
      message: expect.stringContaining(other.id),
    });
    await expect(
      connect(scoped.token, { 'X-AutoCoder-Project': project.id }),
    ).rejects.toMatchObject({ code: 403 });
  });

  it('answers 401 without a token or with a wrong one', async () => {
    const none = await rawInitialize({ 'x-autocoder-project': project.id });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.stringMatching(/Bearer <access token or API token>/),
      requestId: expect.any(String),
    });

    const wrong = await rawInitialize({
      authorization: `Bearer acp_${'x'.repeat(43)}`,
      'x-autocoder-project': project.id,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    expect(((await wrong.json()) as { message: string }).message).toMatch(
      /unknown, revoked or expired/,
    );

    const basic = await rawInitialize({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { message: string }).message).toMatch(/Bearer/);

    await expect(
      connect(`acp_${'y'.repeat(43)}`, { 'X-AutoCoder-Project': project.id }),
    ).rejects.toMatchObject({ code: 401 });
  });

  it('stops a revoked token at once', async () => {
    const token = await newToken({ name: 'soon revoked', role: 'admin' });
    await connect(token.token, { 'X-AutoCoder-Project': project.id });
    await as(request(http).delete(`/api/v1/api-tokens/${token.id}`)).expect(204);
    const res = await rawInitialize({
      authorization: `Bearer ${token.token}`,
      'x-autocoder-project': project.id,
    });
    expect(res.status).toBe(401);
  });

  it('needs a valid, existing project for an unscoped token', async () => {
    const auth = { authorization: `Bearer ${admin.token}` };
    const unnamed = await rawInitialize(auth);
    expect(unnamed.status).toBe(400);
    expect(await unnamed.json()).toMatchObject({
      message: expect.stringMatching(/X-AutoCoder-Project/),
      issues: [{ path: 'headers.x-autocoder-project' }],
    });

    const badUuid = await rawInitialize({ ...auth, 'x-autocoder-project': 'project-1' });
    expect(badUuid.status).toBe(400);
    expect(await badUuid.json()).toMatchObject({
      issues: [{ path: 'headers.x-autocoder-project', message: 'must be a UUID' }],
    });

    const badQuery = await rawInitialize(auth, '/mcp?projectId=42');
    expect(badQuery.status).toBe(400);
    expect(await badQuery.json()).toMatchObject({ issues: [{ path: 'query.projectId' }] });

    const twice = await rawInitialize(
      { ...auth, 'x-autocoder-project': project.id },
      `/mcp?projectId=${other.id}`,
    );
    expect(twice.status).toBe(400);

    const unknown = await rawInitialize({ ...auth, 'x-autocoder-project': MISSING });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ message: `project ${MISSING} not found` });
  });

  it('answers GET and DELETE with 405 and a JSON-RPC error (stateless server)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${apiUrl}/mcp`, {
        method,
        headers: { accept: 'text/event-stream', authorization: `Bearer ${admin.token}` },
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expect(await res.json()).toEqual({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed.' },
        id: null,
      });
    }
    // Not under the REST prefix.
    expect((await fetch(`${apiUrl}/api/v1/mcp`, { method: 'POST' })).status).toBe(404);
  });

  it('answers malformed JSON-RPC with a client error, never 500', async () => {
    const res = await fetch(`${apiUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${admin.token}`,
        'x-autocoder-project': project.id,
      },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);

    const broken = await fetch(`${apiUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin.token}`,
        'x-autocoder-project': project.id,
      },
      body: '{"jsonrpc":',
    });
    expect(broken.status).toBe(400);
  });
});
