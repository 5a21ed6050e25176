// API token lifetimes through the api (AUTH_MODE=oidc as deployed): the configured default and
// longest lifetime, and a token refused while its owner has not signed in (a person removed as
// admin at the IdP keeps no working admin token).
import type { ApiErrorBody, CreatedApiTokenView } from '@autocoder/shared-contracts';
import { TestDatabase } from '@autocoder/server-db/testing';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi } from '../../testing/test-api';
import { ApiTokensService } from '@autocoder/server-auth';

const DAY_MS = 24 * 3600_000;

describe('api token lifetimes (integration)', () => {
  let api: TestApi & { db: TestDatabase };
  let ownerId: string;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      API_TOKEN_DEFAULT_TTL_DAYS: '10',
      API_TOKEN_MAX_TTL_DAYS: '20',
      API_TOKEN_OWNER_INACTIVE_DAYS: '30',
    });
    const owner = await api.prisma.user.create({
      data: { issuer: 'urn:test', subject: 'lifetimes', role: 'admin', lastLoginAt: new Date() },
    });
    ownerId = owner.id;
    token = (await api.app.get(ApiTokensService).create(owner.id, { name: 'ci', role: 'admin' }))
      .token;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  }, 30_000);

  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${api.base}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  it('gives new tokens the configured lifetime and refuses longer ones with 400', async () => {
    const res = await call('/api/v1/api-tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'default' }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as CreatedApiTokenView;
    const lifetime = Date.parse(created.expiresAt ?? '') - Date.now();
    expect(lifetime).toBeGreaterThan(10 * DAY_MS - 60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * DAY_MS);

    const tooLong = await call('/api/v1/api-tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'long', expiresInDays: 21 }),
    });
    expect(tooLong.status).toBe(400);
    const error = (await tooLong.json()) as ApiErrorBody;
    expect(error.issues?.map((i) => i.path)).toEqual(['body.expiresInDays']);
    expect(error.message).toContain('20 days');
  });

  it('refuses the token while its owner has not signed in for 30 days, again after sign-in', async () => {
    expect((await call('/api/v1/projects')).status).toBe(200);
    await api.prisma.user.update({
      where: { id: ownerId },
      data: { lastLoginAt: new Date(Date.now() - 31 * DAY_MS) },
    });
    const refused = await call('/api/v1/projects');
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as ApiErrorBody).message).toMatch(/not signed in lately/);

    // Signed in again, now as a viewer at the IdP: the admin token only reads.
    await api.prisma.user.update({
      where: { id: ownerId },
      data: { lastLoginAt: new Date(), role: 'viewer' },
    });
    expect((await call('/api/v1/projects')).status).toBe(200);
    const change = await call('/api/v1/projects', {
      method: 'POST',
      body: JSON.stringify({ name: 'nope', spec: 's' }),
    });
    expect(change.status).toBe(403);
  });
});
