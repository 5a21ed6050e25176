import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';
import { RunsRepository } from './run.repository';

describe('RunsRepository against Postgres', () => {
  jest.setTimeout(60_000);
  let t: DbTestModule;
  let prisma: PrismaService;
  let runs: RunsRepository;
  let projectId: string;

  beforeAll(async () => {
    t = await startDbTestModule(4);
    prisma = t.get(PrismaService);
    runs = t.get(RunsRepository);
    projectId = (await prisma.project.create({ data: { name: 'runs', spec: '-' } })).id;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('sessionProgress counts turns and gives the newest tool call without file contents', async () => {
    const busy = await runs.create({ projectId, role: 'coding' });
    const idle = await runs.create({ projectId, role: 'testing' });
    const event = (type: string, message: string, data?: unknown) =>
      runs.addEvent(busy.id, { type, level: 'info', message, data });
    await event('model.response', 'turn 1');
    await event('tool.call', 'read_file', { input: { path: 'a.ts' } });
    await event('model.response', 'turn 2');
    await event('tool.call', 'write_file', { input: { path: 'b.ts', content: 'x'.repeat(5000) } });

    const rows = await runs.sessionProgress([busy.id, idle.id]);
    const byRun = new Map(rows.map((r) => [r.runId, r]));
    expect(Number(byRun.get(busy.id)?.turns)).toBe(2);
    expect(byRun.get(busy.id)).toMatchObject({
      toolName: 'write_file',
      toolInput: { path: 'b.ts' },
    });
    expect(byRun.get(idle.id)).toMatchObject({ toolName: null, toolInput: null, toolAt: null });
    expect(Number(byRun.get(idle.id)?.turns)).toBe(0);
  });

  it('sessionsPerHour gives the last 24 UTC hours, the current one last', async () => {
    const run = await runs.create({ projectId, role: 'coding', startedAt: new Date() });
    const hours = await runs.sessionsPerHour();
    expect(hours).toHaveLength(24);
    const now = new Date();
    now.setUTCMinutes(0, 0, 0);
    expect(hours[23].hour).toBe(now.toISOString().replace('.000Z', 'Z'));
    expect(hours[23].sessions).toBeGreaterThanOrEqual(1);
    await prisma.run.delete({ where: { id: run.id } });
  });

  it('move sets the status only from the states given', async () => {
    const run = await runs.create({ projectId, role: 'coding' });
    expect(await runs.move({ id: run.id }, ['running'], { status: 'succeeded' })).toEqual([]);
    const [moved] = await runs.move({ id: run.id }, ['queued'], { status: 'running', attempt: 1 });
    expect(moved).toMatchObject({ status: 'running', attempt: 1 });
    expect((await runs.find(run.id))?.status).toBe('running');
  });

  it('finds the runs of a feature and the merge that made it pass', async () => {
    const project = (await prisma.project.create({ data: { name: 'merges', spec: '-' } })).id;
    const feature = (
      await prisma.feature.create({
        data: {
          projectId: project,
          priority: 1,
          category: 'c',
          name: 'f',
          description: '-',
          steps: [],
        },
      })
    ).id;
    const failed = await runs.create({ projectId: project, role: 'coding', status: 'failed' });
    const merged = await runs.create({ projectId: project, role: 'coding', status: 'succeeded' });
    for (const run of [failed, merged]) await runs.addFeatures(run.id, [feature]);
    await runs.addFeatures(merged.id, [feature]); // a second link is kept, not doubled
    await runs.addEvent(merged.id, {
      type: 'workspace.merged',
      level: 'info',
      message: 'merged',
      data: { commit: 'c2', previousMain: 'c1' },
    });
    expect(await runs.featureCount(merged.id)).toBe(1);
    expect(await runs.mergedFor(project, feature)).toBe(merged.id);
    expect((await runs.lastMerge(merged.id))?.data).toEqual({ commit: 'c2', previousMain: 'c1' });
    expect((await runs.forFeature(project, feature, 10)).map((r) => r.id).sort()).toEqual(
      [failed.id, merged.id].sort(),
    );
    expect(await runs.firstFeatures(project, [merged.id])).toEqual(new Map([[merged.id, feature]]));
    const page = await runs.page(project, { featureId: feature, status: 'failed' }, 0, 10);
    expect(page.total).toBe(1);
    expect(page.rows[0]).toMatchObject({ id: failed.id, features: [{ feature: { id: feature } }] });
  });

  it('counts sessions in flight per role and status, and sums a project', async () => {
    const project = (await prisma.project.create({ data: { name: 'in flight', spec: '-' } })).id;
    await runs.create({
      projectId: project,
      role: 'coding',
      status: 'running',
      tokensIn: 10,
      cacheReadTokens: 900,
      cacheWriteTokens: 90,
    });
    await runs.create({ projectId: project, role: 'coding', status: 'queued', costUsd: 0.25 });
    await runs.create({ projectId: project, role: 'testing', status: 'queued' });
    await runs.create({ projectId: project, role: 'initializer', status: 'running' });
    await runs.create({ projectId: project, role: 'coding', status: 'succeeded' });
    expect(await runs.sessionsInFlight([project])).toEqual(
      expect.arrayContaining([
        { projectId: project, role: 'coding', status: 'running', count: 1 },
        { projectId: project, role: 'coding', status: 'queued', count: 1 },
        { projectId: project, role: 'testing', status: 'queued', count: 1 },
      ]),
    );
    expect(await runs.sessionsInFlight([project])).toHaveLength(3);
    expect(await runs.countInFlight(project)).toBe(4);
    expect((await runs.initializerInFlight(project))?.role).toBe('initializer');
    const totals = await runs.totals(project);
    // Prompt tokens count fresh input and the cache's reads and writes together.
    expect(totals).toMatchObject({ tokensIn: 1000, tokensOut: 0, costUsd: 0.25 });
    expect(totals.byStatus).toEqual(
      expect.arrayContaining([
        { status: 'running', count: 2 },
        { status: 'queued', count: 2 },
        { status: 'succeeded', count: 1 },
      ]),
    );
    expect((await runs.inFlight(project)).map((r) => r.status)).toHaveLength(4);
  });
});
