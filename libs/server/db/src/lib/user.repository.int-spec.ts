// UserRepository against the real Postgres (own database): one row per issuer and subject, a
// profile written over it on upsert, left alone by ensure, also when asked concurrently.
import { randomUUID } from 'node:crypto';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';
import { UserRepository } from './user.repository';

describe('UserRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let users: UserRepository;

  beforeAll(async () => {
    t = await startDbTestModule(8);
    prisma = t.get(PrismaService);
    users = t.get(UserRepository);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('upserts the profile of one person per issuer and subject', async () => {
    const subject = randomUUID();
    const first = await users.upsert('urn:a', subject, { email: 'a@x', name: 'A', role: 'viewer' });
    const login = new Date(Date.UTC(2025, 0, 1));
    const again = await users.upsert('urn:a', subject, {
      email: null,
      name: 'A2',
      role: 'admin',
      lastLoginAt: login,
    });
    expect(again).toMatchObject({ id: first.id, email: null, name: 'A2', role: 'admin' });
    expect(again.lastLoginAt).toEqual(login);
    const elsewhere = await users.upsert('urn:b', subject, { name: 'B', role: 'viewer' });
    expect(elsewhere.id).not.toBe(first.id);
    expect(await users.findById(first.id)).toEqual(again);
    expect(await users.findById(randomUUID())).toBeNull();
  });

  it('ensures a row without changing it, one row however many ask at once', async () => {
    const subject = randomUUID();
    const rows = await Promise.all(
      Array.from({ length: 6 }, () =>
        users.ensure('urn:local', subject, { name: 'L', role: 'admin' }),
      ),
    );
    expect(new Set(rows.map((u) => u.id)).size).toBe(1);
    expect(await prisma.user.count({ where: { issuer: 'urn:local', subject } })).toBe(1);
    await prisma.user.update({ where: { id: rows[0]?.id }, data: { name: 'renamed' } });
    expect((await users.ensure('urn:local', subject, { name: 'L', role: 'admin' })).name).toBe(
      'renamed',
    );
  });
});
