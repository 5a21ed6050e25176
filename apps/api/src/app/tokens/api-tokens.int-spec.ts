// The API token routes in-process against the real Postgres (a fresh database) and Redis (a
// unique queue prefix): validation, the token shown once, listing and revoking.
import { PrismaService } from '@autocoder/server-db';
import type {
  ApiErrorBody,
  ApiTokenView,
  CreatedApiTokenView,
  ProjectView,
} from '@autocoder/shared-contracts';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { startTestApi, TestApi } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('api tokens (integration)', () => {
  let api: TestApi;
  let http: App;
  let prisma: PrismaService;

  beforeAll(async () => {
    // Auth has its own tests (auth.int-spec.ts); here every request is the local admin.
    api = await startTestApi({ AUTH_MODE: 'none' });
    http = api.app.getHttpServer() as App;
    prisma = api.prisma;
  });

  afterAll(() => api?.close());

  it('creates a token, shows it once, and lists it without the token', async () => {
    const res = await request(http)
      .post('/api/v1/api-tokens')
      .send({ name: 'laptop', expiresInDays: 30 });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.body as CreatedApiTokenView;
    expect(created).toMatchObject({
      name: 'laptop',
      role: 'viewer',
      projectId: null,
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(created.token).toMatch(/^acp_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 8));
    expect(Date.parse(created.expiresAt ?? '') - Date.now()).toBeGreaterThan(29 * 24 * 3600_000);

    const list = await request(http).get('/api/v1/api-tokens').expect(200);
    const items = list.body as ApiTokenView[];
    const listed = items.find((t) => t.id === created.id);
    const { token, ...view } = created;
    expect(listed).toEqual(view);
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain('tokenHash');
    expect(items.every((t) => !('token' in t))).toBe(true);

    // Stored as a hash only, owned by the local user.
    const row = await prisma.apiToken.findUniqueOrThrow({
      where: { id: created.id },
      include: { user: true },
    });
    expect(row.tokenHash).not.toBe(token);
    expect(row.user).toMatchObject({ issuer: 'urn:autocoder:local', subject: 'local-admin' });
  });

  it('creates an admin token scoped to a project', async () => {
    const project = (
      await request(http)
        .post('/api/v1/projects')
        .send({ name: `tok-${randomBytes(3).toString('hex')}`, spec: 's' })
        .expect(201)
    ).body as ProjectView;
    const res = await request(http)
      .post('/api/v1/api-tokens')
      .send({ name: 'ci', role: 'admin', projectId: project.id })
      .expect(201);
    expect(res.body).toMatchObject({ role: 'admin', projectId: project.id });

    const unknown = await request(http)
      .post('/api/v1/api-tokens')
      .send({ name: 'ci', projectId: MISSING })
      .expect(404);
    expect((unknown.body as ApiErrorBody).message).toBe(`project ${MISSING} not found`);
  });

  it('refuses bad input with 400 and a reason per field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'body.name'],
      [{ name: '   ' }, 'body.name'],
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ name: 'x', role: 'owner' }, 'body.role'],
      [{ name: 'x', projectId: 'p1' }, 'body.projectId'],
      [{ name: 'x', expiresInDays: 0 }, 'body.expiresInDays'],
      [{ name: 'x', expiresInDays: 3651 }, 'body.expiresInDays'],
      [{ name: 'x', expiresInDays: 1.5 }, 'body.expiresInDays'],
      [{ name: 'x', token: 'acp_mine' }, 'body.token'],
    ];
    for (const [body, path] of cases) {
      const res = await request(http).post('/api/v1/api-tokens').send(body);
      expect(res.status).toBe(400);
      const error = res.body as ApiErrorBody;
      expect(error.message).toBe('The request body is not valid.');
      expect(error.issues?.map((i) => i.path)).toContain(path);
    }
    const malformed = await request(http)
      .post('/api/v1/api-tokens')
      .set('content-type', 'application/json')
      .send('{"name":');
    expect(malformed.status).toBe(400);
  });

  it('revokes with 204, keeps the token listed as revoked, and 404s unknown ids', async () => {
    const created = (
      await request(http).post('/api/v1/api-tokens').send({ name: 'revoke me' }).expect(201)
    ).body as CreatedApiTokenView;
    await request(http).delete(`/api/v1/api-tokens/${created.id}`).expect(204);
    // Again: still 204, nothing changes.
    await request(http).delete(`/api/v1/api-tokens/${created.id}`).expect(204);
    const listed = (
      (await request(http).get('/api/v1/api-tokens').expect(200)).body as ApiTokenView[]
    ).find((t) => t.id === created.id);
    expect(listed?.revokedAt).toEqual(expect.any(String));

    const missing = await request(http).delete(`/api/v1/api-tokens/${MISSING}`).expect(404);
    expect(missing.body).toMatchObject({
      statusCode: 404,
      message: `api token ${MISSING} not found`,
    });
    const bad = await request(http).delete('/api/v1/api-tokens/nope').expect(400);
    expect((bad.body as ApiErrorBody).issues).toEqual([
      { path: 'params.tokenId', message: 'must be a UUID' },
    ]);
  });

  it("records a revoke event for each of a deleted project's tokens", async () => {
    const project = await request(http)
      .post('/api/v1/projects')
      .send({ name: `tokened ${randomBytes(3).toString('hex')}`, spec: 'x' })
      .expect(201);
    const projectId = (project.body as ProjectView).id;
    const made: string[] = [];
    for (const name of ['ci', 'mcp']) {
      const res = await request(http)
        .post('/api/v1/api-tokens')
        .send({ name, role: 'admin', projectId })
        .expect(201);
      made.push((res.body as CreatedApiTokenView).id);
    }
    // One already revoked: nothing new to record for it.
    await request(http).delete(`/api/v1/api-tokens/${made[1]}`).expect(204);
    const third = await request(http)
      .post('/api/v1/api-tokens')
      .send({ name: 'spare', projectId })
      .expect(201);
    made.push((third.body as CreatedApiTokenView).id);

    await request(http).delete(`/api/v1/projects/${projectId}`).expect(204);
    expect(await prisma.apiToken.count({ where: { id: { in: made } } })).toBe(0);
    const events = await prisma.auditEvent.findMany({
      where: { action: 'api_token.revoke', targetId: { in: made } },
      orderBy: { id: 'asc' },
    });
    // The explicit revoke, then one per live token when the project went.
    expect(events.map((e) => e.targetId)).toEqual([made[1], made[0], made[2]]);
    expect(events[1]).toMatchObject({
      targetType: 'api_token',
      projectId,
      actorType: 'user',
      after: { revoked: true, reason: 'project deleted' },
    });
    expect(events[1]?.before).toMatchObject({ id: made[0], name: 'ci', revokedAt: null });
  });
});
