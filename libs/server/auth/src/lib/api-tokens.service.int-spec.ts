// API tokens against the real Postgres (own database): what is stored, and who is let in.
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { ApiTokensService, LOCAL_USER } from './api-tokens.service';

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
    expect(created.expiresAt).toBeNull();

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
      expiresAt: null,
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
