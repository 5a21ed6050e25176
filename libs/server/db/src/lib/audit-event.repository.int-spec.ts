// AuditEventRepository against the real Postgres (own database): entries as written (JSON,
// nulls), the filters of the trail, keyset batches for exports, and the snapshots of targets.
import { randomUUID } from 'node:crypto';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { AuditEventRepository, NewAuditEvent } from './audit-event.repository';
import { PrismaService } from './prisma.service';

describe('AuditEventRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let events: AuditEventRepository;
  const projectId = randomUUID();

  beforeAll(async () => {
    t = await startDbTestModule();
    prisma = t.get(PrismaService);
    events = t.get(AuditEventRepository);
    const entry = (over: Partial<NewAuditEvent>): NewAuditEvent => ({
      actorType: 'user',
      action: 'project.update',
      targetType: 'project',
      ...over,
    });
    // Oldest first: ids grow in this order.
    await events.append(entry({ actorId: 'u-1', actorLabel: 'Ada@Example.org', projectId }));
    await events.append(entry({ actorType: 'token', actorId: 't-1', action: 'project.create' }));
    await events.append(
      entry({ actorLabel: 'bob', action: 'feature.update', targetType: 'feature' }),
    );
    await events.append(entry({ actorType: 'system', action: 'auth.login_failed', projectId }));
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const actions = (rows: { action: string }[]) => rows.map((r) => r.action);

  it('writes an entry with JSON before/after and database nulls for what is missing', async () => {
    await events.append({
      actorType: 'agent',
      action: 'run.cancel',
      targetType: 'run',
      targetId: 'r-1',
      before: { n: 1, at: new Date(Date.UTC(2025, 0, 1)) },
    });
    const row = await prisma.auditEvent.findFirstOrThrow({ where: { action: 'run.cancel' } });
    expect(row).toMatchObject({ actorType: 'agent', actorId: null, ip: null, targetId: 'r-1' });
    expect(row.before).toEqual({ n: 1, at: '2025-01-01T00:00:00.000Z' });
    expect(row.after).toBeNull();
    // Append-only: a trigger refuses to delete it.
    await expect(
      prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "action" = 'run.cancel'`),
    ).rejects.toThrow();
  });

  it('pages the matching events newest first with their total', async () => {
    const all = await events.page({ targetType: 'project' }, 2, 0);
    expect(all.total).toBe(3);
    expect(actions(all.rows)).toEqual(['auth.login_failed', 'project.create']);
    expect(actions((await events.page({ targetType: 'project' }, 2, 2)).rows)).toEqual([
      'project.update',
    ]);
    // An actor by id or by part of its label, any letter case.
    expect(actions((await events.page({ actor: 't-1' }, 10, 0)).rows)).toEqual(['project.create']);
    expect(actions((await events.page({ actor: 'example' }, 10, 0)).rows)).toEqual([
      'project.update',
    ]);
    // An action, or every action under a prefix.
    expect((await events.page({ action: 'project.' }, 10, 0)).total).toBe(2);
    expect((await events.page({ action: 'project' }, 10, 0)).total).toBe(0);
    expect((await events.page({ projectId, action: 'auth.login_failed' }, 10, 0)).total).toBe(1);
    expect(
      (await events.page({ from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' }, 10, 0))
        .total,
    ).toBe(0);
    expect(
      (await events.page({ from: '2000-01-01T00:00:00Z' }, 10, 0)).total,
    ).toBeGreaterThanOrEqual(4);
  });

  it('reads exports in keyset batches older than the last row sent', async () => {
    const first = await events.batch({ targetType: 'project' }, undefined, 2);
    expect(actions(first)).toEqual(['auth.login_failed', 'project.create']);
    const next = await events.batch({ targetType: 'project' }, first[1]?.id, 2);
    expect(actions(next)).toEqual(['project.update']);
    expect(await events.batch({ targetType: 'project' }, next[0]?.id, 2)).toEqual([]);
  });

  it('loads the current row of an audited target, a token without its hash', async () => {
    const user = await prisma.user.create({ data: { issuer: 'urn:t', subject: randomUUID() } });
    const token = await prisma.apiToken.create({
      data: {
        userId: user.id,
        name: 'n',
        tokenHash: 'secret-hash',
        prefix: 'acp_x',
        role: 'viewer',
      },
    });
    expect(events.hasTarget('api_token')).toBe(true);
    expect(events.hasTarget('auth')).toBe(false);
    const loaded = await events.loadTarget('api_token', token.id);
    expect(loaded).toMatchObject({ id: token.id, name: 'n', prefix: 'acp_x' });
    expect(JSON.stringify(loaded)).not.toContain('secret-hash');
    expect(await events.loadTarget('project', randomUUID())).toBeNull();
    expect(await events.loadTarget('auth', randomUUID())).toBeUndefined();
  });
});
