import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';
import { ProjectsRepository } from './project.repository';
import { Db, Transactions } from './transactions';

const MISSING = '00000000-0000-4000-8000-000000000000';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProjectsRepository against Postgres', () => {
  jest.setTimeout(60_000);
  let t: DbTestModule;
  let prisma: PrismaService;
  let projects: ProjectsRepository;
  let transactions: Transactions;

  beforeAll(async () => {
    t = await startDbTestModule(4);
    prisma = t.get(PrismaService);
    projects = t.get(ProjectsRepository);
    transactions = t.get(Transactions);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lock is false for a missing project', async () => {
    await expect(transactions.run((tx) => projects.lock(tx, MISSING))).resolves.toBe(false);
  });

  // Both locks serialise their holders: the second waits until the first transaction ends.
  it.each([
    ['lock', (tx: Db, id: string) => projects.lock(tx, id)],
    ['lockDispatch', (tx: Db, id: string) => projects.lockDispatch(tx, id)],
  ])('%s holds the project until the transaction ends', async (_, lock) => {
    const { id } = await projects.create({ name: `locked ${_}`, spec: '-' });
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = transactions.run(async (tx) => {
      await lock(tx, id);
      order.push('first locked');
      await held;
      order.push('first done');
    });
    while (order.length === 0) await pause(10);
    const second = transactions.run(async (tx) => {
      await lock(tx, id);
      order.push('second locked');
    });
    await pause(200);
    expect(order).toEqual(['first locked']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'first done', 'second locked']);
  });

  it('move sets the status only from the states given', async () => {
    const { id } = await projects.create({ name: 'moving', spec: '-' });
    expect(await projects.move(id, ['running'], { status: 'paused' })).toEqual([]);
    const [moved] = await projects.move(id, ['idle'], { status: 'running', concurrency: 2 });
    expect(moved).toMatchObject({ id, status: 'running', concurrency: 2 });
    expect(await projects.statusOf(id)).toBe('running');
    expect(await projects.idsWithStatus('running')).toContain(id);
  });

  it('pages by name and counts what a delete removes', async () => {
    const { id } = await projects.create({ name: 'Invoices Portal', spec: '-' });
    await prisma.feature.create({
      data: { projectId: id, priority: 1, category: 'a', name: 'f', description: '-', steps: [] },
    });
    await prisma.run.create({ data: { projectId: id, role: 'coding' } });
    const page = await projects.page('invoices', 0, 10);
    expect(page).toEqual({ rows: [expect.objectContaining({ id })], total: 1 });
    expect(await projects.contents(id)).toEqual({
      features: 1,
      runs: 1,
      conversations: 0,
      schedules: 0,
    });
  });

  it('timeline walks passing back through the audit and sums feature time', async () => {
    const { id } = await projects.create({ name: 'timeline', spec: '-' });
    const [a] = await prisma.feature.createManyAndReturn({
      data: ['ui', 'ui', 'api'].map((category, i) => ({
        projectId: id,
        priority: i + 1,
        category,
        name: `f${i}`,
        description: '-',
        steps: [],
      })),
    });
    await prisma.feature.update({ where: { id: a.id }, data: { status: 'passing' } });
    const started = new Date(Date.now() - 90_000);
    const run = await prisma.run.create({
      data: { projectId: id, role: 'coding', startedAt: started, finishedAt: new Date() },
    });
    await prisma.runFeature.create({ data: { runId: run.id, featureId: a.id } });

    const [days, times, categories] = await projects.timeline(id, 3);
    expect(days.map((d) => [Number(d.total), Number(d.passing), Number(d.sessions)])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [3, 1, 1],
    ]);
    expect(times).toEqual([
      expect.objectContaining({ featureId: a.id, category: 'ui', sessions: 1 }),
    ]);
    expect(Math.round(Number(times[0].seconds))).toBeGreaterThanOrEqual(89);
    expect(categories).toEqual(
      expect.arrayContaining([
        { category: 'ui', passing: 1, total: 2 },
        { category: 'api', passing: 0, total: 1 },
      ]),
    );
  });
});
