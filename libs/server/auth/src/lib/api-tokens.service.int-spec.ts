// API tokens against the real Postgres (own database): what is stored, and who is let in.
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { ApiTokenRepository, UserRepository } from '@autocoder/server-db';
import { ApiTokenPolicy, ApiTokensService, LOCAL_USER } from './api-tokens.service';

const DAY_MS = 24 * 3600_000;

describe('ApiTokensService (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let tokens: ApiTokensService;
  let prisma: PrismaService;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [DbModule.forRoot({ databaseUrl: db.url })],
      providers: [ApiTokensService],
    }).compile();
    app = await moduleRef.init();
    tokens = app.get(ApiTokensService);
    prisma = app.get(PrismaService);
    userId = (await tokens.localUser()).id;
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('upserts one local admin user, also when asked concurrently', async () => {
    const users = await Promise.all([tokens.localUser(), tokens.localUser(), tokens.localUser()]);
    expect(new Set(users.map((u) => u.id))).toEqual(new Set([userId]));
    expect(users[0]).toMatchObject({
      issuer: LOCAL_USER.issuer,
      subject: LOCAL_USER.subject,
      role: 'admin',
    });
    expect(await prisma.user.count()).toBe(1);
  });

  it('creates a token that authenticates, and stores only its hash', async () => {
    const created = await tokens.create(userId, { name: 'laptop', role: 'admin' });
    expect(created.token).toMatch(/^acp_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 8));
    expect(created).toMatchObject({ name: 'laptop', role: 'admin', projectId: null });
    // Every token expires: 90 days unless asked otherwise (DEFAULT_API_TOKEN_POLICY).
    expect(Date.parse(created.expiresAt ?? '') - Date.now()).toBeGreaterThan(89 * DAY_MS);

    const row = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(row)).not.toContain(created.token.slice(8));
    expect(row.lastUsedAt).toBeNull();

    expect(await tokens.authenticate(created.token)).toEqual({
      tokenId: created.id,
      userId,
      role: 'admin',
      projectId: null,
    });
    const used = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(used.lastUsedAt).toBeInstanceOf(Date);

    // lastUsedAt moves at most once a minute.
    await tokens.authenticate(created.token);
    const again = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(again.lastUsedAt).toEqual(used.lastUsedAt);
    const stale = new Date(Date.now() - 5 * 60_000);
    await prisma.apiToken.update({ where: { id: created.id }, data: { lastUsedAt: stale } });
    await tokens.authenticate(created.token);
    const touched = await prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(Number(touched.lastUsedAt?.getTime())).toBeGreaterThan(stale.getTime());
  });

  it('lists tokens without the token or its hash', async () => {
    const created = await tokens.create(userId, { name: 'listed', role: 'viewer' });
    const listed = (await tokens.list(userId)).find((t) => t.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: 'listed',
      prefix: created.prefix,
      role: 'viewer',
      projectId: null,
      expiresAt: created.expiresAt,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: created.createdAt,
    });
    expect(JSON.stringify(await tokens.list(userId))).not.toMatch(/tokenHash|"token"/);
  });

  it('refuses revoked, expired, unknown and malformed tokens', async () => {
    const revoked = await tokens.create(userId, { name: 'revoked', role: 'admin' });
    expect(await tokens.authenticate(revoked.token)).not.toBeNull();
    const view = await tokens.revoke(userId, revoked.id);
    expect(view.revokedAt).not.toBeNull();
    expect(await tokens.authenticate(revoked.token)).toBeNull();
    // Revoking again changes nothing.
    expect((await tokens.revoke(userId, revoked.id)).revokedAt).toBe(view.revokedAt);

    const expiring = await tokens.create(userId, {
      name: 'expiring',
      role: 'viewer',
      expiresInDays: 1,
    });
    expect(Date.parse(expiring.expiresAt ?? '') - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(await tokens.authenticate(expiring.token)).not.toBeNull();
    await prisma.apiToken.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await tokens.authenticate(expiring.token)).toBeNull();

    const unknown = `acp_${'A'.repeat(43)}`;
    expect(await tokens.authenticate(unknown)).toBeNull();
    expect(await tokens.authenticate('')).toBeNull();
    expect(await tokens.authenticate('not-a-token')).toBeNull();
    expect(await tokens.authenticate(revoked.token.slice(0, -1))).toBeNull();
  });

  it('scopes a token to a project, and refuses an unknown project', async () => {
    const project = await prisma.project.create({ data: { name: 'scoped', spec: 's' } });
    const scoped = await tokens.create(userId, {
      name: 'scoped',
      role: 'viewer',
      projectId: project.id,
    });
    expect(await tokens.authenticate(scoped.token)).toMatchObject({
      role: 'viewer',
      projectId: project.id,
    });
    await expect(
      tokens.create(userId, {
        name: 'nowhere',
        role: 'viewer',
        projectId: '00000000-0000-4000-8000-000000000000',
      }),
    ).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('never grants more than the user has', async () => {
    const viewer = await prisma.user.create({
      data: { issuer: 'https://idp.example', subject: 'v', role: 'viewer' },
    });
    await expect(tokens.create(viewer.id, { name: 'x', role: 'admin' })).rejects.toMatchObject({
      kind: 'forbidden',
    });
    // A token made while the user was admin acts as a viewer once the user is demoted.
    const promoted = await prisma.user.update({
      where: { id: viewer.id },
      data: { role: 'admin' },
    });
    const token = await tokens.create(promoted.id, { name: 'was admin', role: 'admin' });
    await prisma.user.update({ where: { id: viewer.id }, data: { role: 'viewer' } });
    expect(await tokens.authenticate(token.token)).toMatchObject({ role: 'viewer' });
  });

  it('revokes only the owner’s tokens', async () => {
    const mine = await tokens.create(userId, { name: 'mine', role: 'viewer' });
    const other = await prisma.user.create({
      data: { issuer: 'https://idp.example', subject: 'other', role: 'admin' },
    });
    await expect(tokens.revoke(other.id, mine.id)).rejects.toMatchObject({ kind: 'not_found' });
    expect(await tokens.authenticate(mine.token)).not.toBeNull();
  });
});

describe('ApiTokensService lifetimes (integration)', () => {
  const policy: ApiTokenPolicy = { defaultTtlDays: 7, maxTtlDays: 30, ownerInactiveDays: 14 };
  let db: TestDatabase;
  let app: INestApplicationContext;
  let tokens: ApiTokensService;
  let prisma: PrismaService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [DbModule.forRoot({ databaseUrl: db.url })],
      providers: [
        {
          provide: ApiTokensService,
          inject: [ApiTokenRepository, UserRepository],
          useFactory: (t: ApiTokenRepository, u: UserRepository) =>
            new ApiTokensService(t, u, policy),
        },
      ],
    }).compile();
    app = await moduleRef.init();
    tokens = app.get(ApiTokensService);
    prisma = app.get(PrismaService);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const person = (role: 'admin' | 'viewer', lastLoginAt: Date | null) =>
    prisma.user.create({
      data: {
        issuer: 'https://idp.example',
        subject: `p-${Math.random().toString(36).slice(2)}`,
        role,
        lastLoginAt,
      },
    });

  it('gives a token the default lifetime, and at most the longest one', async () => {
    const owner = await person('admin', new Date());
    const plain = await tokens.create(owner.id, { name: 'default', role: 'admin' });
    const lifetime = Date.parse(plain.expiresAt ?? '') - Date.now();
    expect(lifetime).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect(lifetime).toBeLessThanOrEqual(7 * DAY_MS);

    const longest = await tokens.create(owner.id, {
      name: 'max',
      role: 'admin',
      expiresInDays: 30,
    });
    expect(Date.parse(longest.expiresAt ?? '') - Date.now()).toBeGreaterThan(29 * DAY_MS);
    await expect(
      tokens.create(owner.id, { name: 'too long', role: 'admin', expiresInDays: 31 }),
    ).rejects.toMatchObject({
      kind: 'invalid',
      issues: [{ path: 'body.expiresInDays', message: expect.stringContaining('30 days') }],
    });
  });

  it('expires tokens stored without an expiry after the longest lifetime', async () => {
    const owner = await person('admin', new Date());
    const legacy = await tokens.create(owner.id, { name: 'legacy', role: 'admin' });
    await prisma.apiToken.update({
      where: { id: legacy.id },
      data: { expiresAt: null, createdAt: new Date(Date.now() - 29 * DAY_MS) },
    });
    expect(await tokens.authenticate(legacy.token)).not.toBeNull();
    await prisma.apiToken.update({
      where: { id: legacy.id },
      data: { createdAt: new Date(Date.now() - 31 * DAY_MS) },
    });
    expect(await tokens.authenticate(legacy.token)).toBeNull();
  });

  it('refuses the tokens of someone the IdP has not vouched for lately, until they sign in', async () => {
    // An admin at their last sign-in, then removed as admin at the IdP without signing in again.
    const owner = await person('admin', new Date());
    const created = await tokens.create(owner.id, { name: 'ci', role: 'admin', expiresInDays: 30 });
    expect(await tokens.authenticate(created.token)).toMatchObject({ role: 'admin' });

    await prisma.user.update({
      where: { id: owner.id },
      data: { lastLoginAt: new Date(Date.now() - 15 * DAY_MS) },
    });
    expect(await tokens.authenticate(created.token)).toBeNull();

    // Signing in again revives the token, under the role the IdP gives now.
    await prisma.user.update({
      where: { id: owner.id },
      data: { lastLoginAt: new Date(), role: 'viewer' },
    });
    expect(await tokens.authenticate(created.token)).toMatchObject({ role: 'viewer' });
  });

  it('counts from the creation of someone who never signed in; the local user is exempt', async () => {
    const never = await person('viewer', null);
    const token = await tokens.create(never.id, { name: 'never', role: 'viewer' });
    expect(await tokens.authenticate(token.token)).not.toBeNull();
    await prisma.user.update({
      where: { id: never.id },
      data: { createdAt: new Date(Date.now() - 15 * DAY_MS) },
    });
    expect(await tokens.authenticate(token.token)).toBeNull();

    const local = await tokens.localUser();
    await prisma.user.update({
      where: { id: local.id },
      data: { createdAt: new Date(Date.now() - 365 * DAY_MS) },
    });
    const localToken = await tokens.create(local.id, { name: 'mcp', role: 'admin' });
    expect(await tokens.authenticate(localToken.token)).toMatchObject({ role: 'admin' });
  });
});
