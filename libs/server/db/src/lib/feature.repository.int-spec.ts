import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { FeaturesRepository } from './feature.repository';
import { PrismaService } from './prisma.service';
import { Transactions } from './transactions';

const entry = (name: string, dependsOn: number[] = []) => ({
  category: 'core',
  name,
  description: `${name} works`,
  steps: ['check it'],
  dependsOn,
});

describe('FeaturesRepository against Postgres', () => {
  jest.setTimeout(60_000);
  let t: DbTestModule;
  let prisma: PrismaService;
  let features: FeaturesRepository;
  let transactions: Transactions;

  beforeAll(async () => {
    t = await startDbTestModule(4);
    prisma = t.get(PrismaService);
    features = t.get(FeaturesRepository);
    transactions = t.get(Transactions);
  });

  afterAll(async () => {
    await t?.close();
  });

  const newProject = async (name: string) =>
    (await prisma.project.create({ data: { name, spec: '-' } })).id;
  const dependsOn = async (id: string) =>
    (await features.dependencyRefs([id])).map((d) => d.dependsOn.id);

  it('writes a backlog in input order, dependencies by index, after the last priority', async () => {
    const projectId = await newProject('backlog');
    const first = await transactions.run((tx) =>
      features.createBacklog(projectId, 0, [entry('a'), entry('b', [0]), entry('c', [0, 1])], tx),
    );
    expect(first.dependencies).toBe(3);
    const base = (await features.nextPriority(projectId)) - 1;
    expect(base).toBe(3);
    const second = await transactions.run((tx) =>
      features.createBacklog(projectId, base, [entry('d'), entry('e', [0])], tx),
    );
    const rows = await prisma.feature.findMany({
      where: { projectId },
      orderBy: { priority: 'asc' },
    });
    expect(rows.map((r) => [r.name, r.priority])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 5],
    ]);
    expect(rows.map((r) => r.id)).toEqual([...first.ids, ...second.ids]);
    const [a, b, c, d, e] = first.ids.concat(second.ids);
    expect(await dependsOn(c)).toEqual([a, b]);
    expect(await dependsOn(e)).toEqual([d]);
    const graph = await features.graph(projectId);
    expect(graph.nodes.map((n) => n.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(graph.edges).toHaveLength(4);
  });

  it('answers ready and blocked from the readiness counters, in claim order', async () => {
    const projectId = await newProject('readiness');
    const { ids } = await transactions.run((tx) =>
      features.createBacklog(projectId, 0, [entry('base'), entry('top', [0]), entry('free')], tx),
    );
    const [base, top, free] = ids;
    // "base" unblocks one feature, so it comes before "free" despite its priority.
    expect((await features.ready(projectId, 10)).map((f) => f.id)).toEqual([base, free]);
    expect(await features.blocked(projectId, 10)).toEqual([
      { id: top, name: 'top', waitingFor: [{ id: base, name: 'base', status: 'pending' }] },
    ]);
    expect(await features.countReady(projectId, 3)).toBe(2);
    await prisma.feature.update({ where: { id: free }, data: { attempts: 3 } });
    expect(await features.countReady(projectId, 3)).toBe(1);

    await features.update(base, { status: 'passing' });
    expect(await features.blocked(projectId, 10)).toEqual([]);
    expect((await features.ready(projectId, 10)).map((f) => f.id)).toEqual([top, free]);
    expect(await features.refs([base, top], { notPassing: true })).toEqual([
      { id: top, name: 'top', status: 'pending' },
    ]);
    expect(await features.count(projectId, ['passing'])).toBe(1);
    expect(await features.countByStatus([projectId])).toEqual(
      expect.arrayContaining([
        { projectId, status: 'passing', count: 1 },
        { projectId, status: 'pending', count: 2 },
      ]),
    );
  });

  it('replaces dependencies, checks ids per project and names neighbours', async () => {
    const projectId = await newProject('edges');
    const other = await newProject('edges elsewhere');
    const { ids } = await transactions.run((tx) =>
      features.createBacklog(projectId, 0, [entry('x'), entry('y'), entry('z', [0])], tx),
    );
    const [x, y, z] = ids;
    const { ids: foreign } = await transactions.run((tx) =>
      features.createBacklog(other, 0, [entry('w')], tx),
    );
    const known = await features.refs([x, y, ...foreign], { projectId });
    expect(known.map((f) => f.id).sort()).toEqual([x, y].sort());
    await transactions.run((tx) => features.setDependencies(projectId, z, [y, x], tx));
    expect(await dependsOn(z)).toEqual([y, x]);
    const around = await features.neighbours(x);
    expect(around).toEqual({
      dependencies: [],
      dependents: [{ id: z, name: 'z', status: 'pending' }],
    });
    await transactions.run((tx) => features.setDependencies(projectId, z, [], tx));
    expect(await features.edges(projectId)).toEqual([]);
  });

  it('updateIf sets only from the statuses given and, with a read time, only if unchanged', async () => {
    const projectId = await newProject('compare and set');
    const feature = await features.create({
      projectId,
      priority: 1,
      category: 'c',
      name: 'asks',
      description: '-',
      steps: [],
      status: 'needs_input',
    });
    expect(await features.updateIf(feature.id, ['failing'], { status: 'pending' })).toBe(false);
    const stale = new Date(feature.updatedAt.getTime() - 1000);
    expect(await features.updateIf(feature.id, ['needs_input'], { status: 'pending' }, stale)).toBe(
      false,
    );
    const questions = await features.pendingQuestions(5);
    expect(questions.rows.map((q) => q.id)).toContain(feature.id);
    expect(
      await features.updateIf(
        feature.id,
        ['needs_input'],
        { status: 'pending' },
        feature.updatedAt,
      ),
    ).toBe(true);
    expect((await features.get(feature.id)).status).toBe('pending');
    expect(await features.findInProject(await newProject('elsewhere'), feature.id)).toBeNull();
  });
});
