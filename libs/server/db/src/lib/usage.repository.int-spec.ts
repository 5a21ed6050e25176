import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';
import { UsageEntry, UsageRepository } from './usage.repository';

const call = (costUsd: number, inputTokens = 100): UsageEntry => ({
  provider: 'anthropic',
  model: 'claude',
  inputTokens,
  outputTokens: 10,
  cacheReadTokens: 5,
  cacheWriteTokens: 2,
  costUsd,
});

describe('UsageRepository against Postgres', () => {
  jest.setTimeout(60_000);
  let t: DbTestModule;
  let prisma: PrismaService;
  let usage: UsageRepository;

  beforeAll(async () => {
    t = await startDbTestModule(4);
    prisma = t.get(PrismaService);
    usage = t.get(UsageRepository);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('records each call and adds it to the run, exactly, in one statement', async () => {
    const projectId = (await prisma.project.create({ data: { name: 'spend', spec: '-' } })).id;
    const featureId = (
      await prisma.feature.create({
        data: { projectId, priority: 1, category: 'c', name: 'f', description: '-', steps: [] },
      })
    ).id;
    const run = await prisma.run.create({ data: { projectId, role: 'coding' } });
    await usage.record(run, 'new_work', call(0.1), featureId);
    await usage.record(run, 'new_work', call(0.2, 50), featureId);
    await usage.record(run, 'regression', call(0.000001));

    const totals = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(totals).toMatchObject({
      tokensIn: 250,
      tokensOut: 30,
      cacheReadTokens: 15,
      cacheWriteTokens: 6,
    });
    expect(totals.costUsd.toString()).toBe('0.300001');
    expect((await usage.spentUsd(projectId)).toString()).toBe('0.300001');
    expect(await prisma.usageRecord.count({ where: { runId: run.id, featureId } })).toBe(2);

    expect(await usage.perKind({ projectId, featureId })).toEqual([
      { featureId: null, kind: 'new_work', costUsd: '0.3', inputTokens: 150n, outputTokens: 20n },
    ]);
    const perFeature = await usage.perFeatureAndKind(projectId);
    expect(perFeature).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ featureId, kind: 'new_work', costUsd: '0.3' }),
        expect.objectContaining({ featureId: null, kind: 'regression', costUsd: '0.000001' }),
      ]),
    );
  });

  it('sums per project since a time and per UTC day', async () => {
    const projectId = (await prisma.project.create({ data: { name: 'days', spec: '-' } })).id;
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    const yesterday = new Date(today.getTime() - 86_400_000);
    const record = (createdAt: Date, costUsd: number, kind: 'new_work' | 'chat') =>
      prisma.usageRecord.create({
        data: {
          projectId,
          kind,
          provider: 'p',
          model: 'm',
          inputTokens: 1,
          outputTokens: 1,
          costUsd,
          createdAt,
        },
      });
    await record(new Date(yesterday.getTime() + 3_600_000), 1, 'new_work');
    await record(new Date(yesterday.getTime() + 7_200_000), 2, 'new_work');
    await record(new Date(today.getTime() + 60_000), 4, 'chat');

    expect(await usage.spentPerProject([projectId])).toEqual(new Map([[projectId, 7]]));
    expect(await usage.spentPerProject([projectId], today)).toEqual(new Map([[projectId, 4]]));
    expect(await usage.perKind({ since: today, projectId })).toEqual([
      expect.objectContaining({ kind: 'chat', costUsd: '4' }),
    ]);
    const days = await usage.perDay(projectId, yesterday);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    expect(
      days.map((r) => [r.day, r.kind, Number(r.costUsd), Number(r.inputTokens)]).sort(),
    ).toEqual(
      [
        [day(today), 'chat', 4, 1],
        [day(yesterday), 'new_work', 3, 2],
      ].sort(),
    );
    expect(await usage.perDay(projectId, today)).toHaveLength(1);
  });
});
