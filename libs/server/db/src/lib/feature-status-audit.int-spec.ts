// Every feature status change is audited by the database (migration feature_status_audit),
// attributed from the lease: a session's run and the user who started it, an MCP token, or the
// api/control tick.
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';

describe('feature status changes in the audit trail', () => {
  let t: DbTestModule;
  let prisma: PrismaService;

  beforeAll(async () => {
    t = await startDbTestModule();
    prisma = t.get(PrismaService);
  });

  afterAll(async () => {
    await t?.close();
  });

  const setup = async () => {
    const user = await prisma.user.create({
      data: {
        issuer: 'urn:test',
        subject: `u-${Date.now()}`,
        email: 'ada@example.test',
        role: 'admin',
      },
    });
    const project = await prisma.project.create({
      data: { name: `audit-${Math.random()}`, spec: 'x', agentsStartedById: user.id },
    });
    const feature = await prisma.feature.create({
      data: {
        projectId: project.id,
        priority: 1,
        category: 'core',
        name: 'f',
        description: 'd',
        steps: [],
      },
    });
    const run = await prisma.run.create({
      data: { projectId: project.id, role: 'coding', startedById: user.id },
    });
    return { user, project, feature, run };
  };

  it('attributes an agent’s change to its run and to the user who started it', async () => {
    const { user, feature, run } = await setup();
    await prisma.feature.update({
      where: { id: feature.id },
      data: { status: 'in_progress', leaseOwner: `${run.id}:1`, attempts: 1 },
    });
    await prisma.feature.update({
      where: { id: feature.id },
      data: { status: 'passing', leaseOwner: null },
    });
    const events = await prisma.auditEvent.findMany({
      where: { targetId: feature.id, action: 'feature.status' },
      orderBy: { id: 'asc' },
    });
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      actorType: 'agent',
      actorId: run.id,
      actorLabel: `run ${run.id} started by ada@example.test`,
      projectId: feature.projectId,
      before: { status: 'in_progress', attempts: 1 },
      after: expect.objectContaining({ status: 'passing', runId: run.id, startedById: user.id }),
    });
  });

  it('names MCP tokens, and the api or control tick otherwise; unchanged status writes nothing', async () => {
    const { feature } = await setup();
    await prisma.feature.update({
      where: { id: feature.id },
      data: { status: 'in_progress', leaseOwner: 'mcp:token-1' },
    });
    await prisma.feature.update({ where: { id: feature.id }, data: { priority: 5 } });
    await prisma.feature.update({
      where: { id: feature.id },
      data: { status: 'pending', leaseOwner: null },
    });
    await prisma.feature.update({ where: { id: feature.id }, data: { status: 'failing' } });
    const events = await prisma.auditEvent.findMany({
      where: { targetId: feature.id, action: 'feature.status' },
      orderBy: { id: 'asc' },
    });
    expect(events.map((e) => [e.actorType, e.actorId])).toEqual([
      ['token', 'token-1'],
      ['token', 'token-1'],
      ['system', null],
    ]);
  });
});
