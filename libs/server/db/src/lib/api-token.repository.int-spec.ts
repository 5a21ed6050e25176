// ApiTokenRepository against the real Postgres (own database): a token to a missing project is
// refused by its foreign key, lookups by owner and hash, and lastUsedAt written at most once per
// resolution.
import { randomUUID } from 'node:crypto';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { ApiTokenRepository, NewApiToken } from './api-token.repository';
import { PrismaService } from './prisma.service';

describe('ApiTokenRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let tokens: ApiTokenRepository;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    t = await startDbTestModule();
    prisma = t.get(PrismaService);
    tokens = t.get(ApiTokenRepository);
    const user = (role: 'admin' | 'viewer') =>
      prisma.user.create({ data: { issuer: 'urn:test', subject: randomUUID(), role } });
    admin = (await user('admin')).id;
    viewer = (await user('viewer')).id;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const token = (over: Partial<NewApiToken> = {}): NewApiToken => ({
    userId: admin,
    name: 'laptop',
    tokenHash: randomUUID(),
    prefix: 'acp_abcd',
    role: 'admin',
    projectId: null,
    expiresAt: null,
    ...over,
  });

  it('stores a token, and refuses one for a project that does not exist', async () => {
    const project = await prisma.project.create({ data: { name: `t-${randomUUID()}`, spec: '-' } });
    const row = await tokens.create(token({ projectId: project.id }));
    expect(row).toMatchObject({ userId: admin, projectId: project.id, revokedAt: null });
    expect(await tokens.create(token({ projectId: randomUUID() }))).toBeNull();
    await expect(tokens.create(token({ tokenHash: row?.tokenHash }))).rejects.toThrow();
  });

  it('lists a user’s tokens newest first and finds one only for its user', async () => {
    const a = await tokens.create(token({ userId: viewer, role: 'viewer' }));
    const b = await tokens.create(token({ userId: viewer, role: 'viewer' }));
    if (!a || !b) throw new Error('not created');
    expect((await tokens.listOf(viewer)).map((t) => t.id)).toEqual([b.id, a.id]);
    expect(await tokens.findOfUser(admin, a.id)).toBeNull();
    expect((await tokens.findOfUser(viewer, a.id))?.id).toBe(a.id);
    const at = new Date(Date.UTC(2025, 0, 1));
    expect((await tokens.revoke(a.id, at)).revokedAt).toEqual(at);
  });

  it('finds a token by its hash with its user’s current role', async () => {
    const row = await tokens.create(token({ userId: viewer, role: 'admin' }));
    if (!row) throw new Error('not created');
    expect(await tokens.findByHash(row.tokenHash)).toMatchObject({
      id: row.id,
      role: 'admin',
      user: { role: 'viewer' },
    });
    expect(await tokens.findByHash('nope')).toBeNull();
  });

  it('writes lastUsedAt at most once per resolution', async () => {
    const row = await tokens.create(token());
    if (!row) throw new Error('not created');
    const lastUsed = async () =>
      (await prisma.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt;
    const t0 = new Date(Date.UTC(2025, 0, 1, 12, 0, 0));
    await tokens.touch(row.id, t0, 60_000);
    expect(await lastUsed()).toEqual(t0);
    await tokens.touch(row.id, new Date(t0.getTime() + 59_000), 60_000);
    expect(await lastUsed()).toEqual(t0);
    const t1 = new Date(t0.getTime() + 61_000);
    await tokens.touch(row.id, t1, 60_000);
    expect(await lastUsed()).toEqual(t1);
  });
});
