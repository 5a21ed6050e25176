import { randomUUID } from 'node:crypto';
import { FeatureStatus } from '../generated/prisma/client';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { containsPattern, FeatureBoardRepository } from './feature-board.repository';
import { PrismaService } from './prisma.service';

const ALL: FeatureStatus[] = ['pending', 'in_progress', 'needs_input', 'passing', 'failing'];

describe('FeatureBoardRepository against Postgres', () => {
  jest.setTimeout(60_000);
  let t: DbTestModule;
  let prisma: PrismaService;
  let boards: FeatureBoardRepository;
  const boardPage = (input: {
    projectId: string;
    statuses: FeatureStatus[];
    category?: string;
    text?: string;
    limit: number;
    offset: number;
  }) => boards.page(input.projectId, input.statuses, { ...input, q: input.text });
  let projectId: string;
  let ids: string[];

  beforeAll(async () => {
    t = await startDbTestModule(4);
    prisma = t.get(PrismaService);
    boards = t.get(FeatureBoardRepository);

    // 30 features over the columns; priorities out of insertion order, two sharing one.
    const project = await prisma.project.create({ data: { name: 'board', spec: '-' } });
    projectId = project.id;
    ids = Array.from({ length: 30 }, () => randomUUID());
    await prisma.feature.createMany({
      data: ids.map((id, i) => ({
        id,
        projectId,
        priority: i === 7 ? 100 - 8 : 100 - i,
        category: i % 3 === 0 ? 'ui' : 'api',
        name: i === 4 ? 'Export INVOICES as CSV' : `Feature ${i}`,
        description: i === 11 ? 'Shows 100% of the invoice total' : `Does thing ${i}_x`,
        status: ALL[i % 5],
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      })),
    });
    // Feature 0 depends on 8 (passing) and then on 1 (in progress).
    await prisma.featureDependency.create({
      data: {
        projectId,
        featureId: ids[0],
        dependsOnId: ids[8],
        createdAt: new Date(Date.UTC(2026, 0, 2)),
      },
    });
    await prisma.featureDependency.create({
      data: {
        projectId,
        featureId: ids[0],
        dependsOnId: ids[1],
        createdAt: new Date(Date.UTC(2026, 0, 3)),
      },
    });
    // Another project's features never show.
    const other = await prisma.project.create({ data: { name: 'other', spec: '-' } });
    await prisma.feature.create({
      data: { projectId: other.id, priority: 1, category: 'ui', name: 'invoice', description: '' },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** What the board must show, computed the slow way from every row. */
  async function expected(filter: { category?: string; text?: string }, limit = 50, offset = 0) {
    const rows = await prisma.feature.findMany({ where: { projectId } });
    const match = rows.filter(
      (r) =>
        (!filter.category || r.category === filter.category) &&
        (!filter.text ||
          `${r.name}\n${r.description}`.toLowerCase().includes(filter.text.toLowerCase())),
    );
    return ALL.map((status) => {
      const column = match
        .filter((r) => r.status === status)
        .sort(
          (a, b) =>
            a.priority - b.priority ||
            a.createdAt.getTime() - b.createdAt.getTime() ||
            a.id.localeCompare(b.id),
        );
      return {
        status,
        total: column.length,
        ids: column.slice(offset, offset + limit).map((r) => r.id),
      };
    });
  }

  const shape = (page: Awaited<ReturnType<FeatureBoardRepository['page']>>) =>
    page.map((c) => ({ status: c.status, total: c.total, ids: c.rows.map((r) => r.feature.id) }));

  it('pages every column in board order with its total', async () => {
    const page = await boardPage({ projectId, statuses: ALL, limit: 4, offset: 2 });
    expect(shape(page)).toEqual(await expected({}, 4, 2));
    expect(page.map((c) => c.total)).toEqual([6, 6, 6, 6, 6]);
    // Whole rows, typed as Prisma's.
    const row = page[0]?.rows[0]?.feature;
    expect(row?.createdAt).toBeInstanceOf(Date);
    expect(Array.isArray(row?.steps)).toBe(true);
    expect(row).not.toHaveProperty('boardDependencies');
  });

  it('reports the totals of columns paged past their end', async () => {
    const page = await boardPage({ projectId, statuses: ALL, limit: 10, offset: 100 });
    expect(page.map((c) => [c.total, c.rows.length])).toEqual(ALL.map(() => [6, 0]));
  });

  it('carries each feature’s dependencies with their status, in the order they were added', async () => {
    const page = await boardPage({ projectId, statuses: ['pending'], limit: 50, offset: 0 });
    const rows = page[0]?.rows ?? [];
    expect(rows.find((r) => r.feature.id === ids[0])?.dependencies).toEqual([
      { id: ids[8], status: 'passing' },
      { id: ids[1], status: 'in_progress' },
    ]);
    expect(rows.filter((r) => r.dependencies.length > 0)).toHaveLength(1);
  });

  it('filters by text in any letter case, its wildcards taken literally', async () => {
    const invoice = await boardPage({
      projectId,
      statuses: ALL,
      text: 'inVoice',
      limit: 50,
      offset: 0,
    });
    expect(shape(invoice)).toEqual(await expected({ text: 'invoice' }));
    expect(invoice.flatMap((c) => c.rows).map((r) => r.feature.name)).toEqual(
      expect.arrayContaining(['Export INVOICES as CSV']),
    );
    expect(invoice.reduce((n, c) => n + c.total, 0)).toBe(2);

    const percent = await boardPage({
      projectId,
      statuses: ALL,
      text: '0%',
      limit: 50,
      offset: 0,
    });
    expect(percent.reduce((n, c) => n + c.total, 0)).toBe(1);
    // Unescaped, "%0%%" would match every "0" and "thing_1" every "thing 1…".
    const underscore = await boardPage({
      projectId,
      statuses: ALL,
      text: '1_x',
      limit: 50,
      offset: 0,
    });
    expect(shape(underscore)).toEqual(await expected({ text: '1_x' }));
    expect(underscore.reduce((n, c) => n + c.total, 0)).toBe(2);
    const literal = await boardPage({
      projectId,
      statuses: ALL,
      text: 'thing_1',
      limit: 50,
      offset: 0,
    });
    expect(literal.reduce((n, c) => n + c.total, 0)).toBe(0);
  });

  it('filters by category and by column', async () => {
    const ui = await boardPage({
      projectId,
      statuses: ALL,
      category: 'ui',
      limit: 50,
      offset: 0,
    });
    expect(shape(ui)).toEqual(await expected({ category: 'ui' }));
    const failing = await boardPage({
      projectId,
      statuses: ['failing'],
      limit: 50,
      offset: 0,
    });
    expect(failing.map((c) => c.status)).toEqual(['failing']);
    expect(shape(failing)).toEqual((await expected({})).filter((c) => c.status === 'failing'));
  });

  it('answers empty columns for a filter nothing matches and for an unknown project', async () => {
    const none = await boardPage({ projectId, statuses: ALL, text: 'zzz', limit: 50, offset: 0 });
    expect(none.every((c) => c.total === 0 && c.rows.length === 0)).toBe(true);
    const unknown = await boardPage({
      projectId: randomUUID(),
      statuses: ALL,
      limit: 50,
      offset: 0,
    });
    expect(unknown.every((c) => c.total === 0)).toBe(true);
  });

  it('finds text through the trigram indexes, not by reading every feature', async () => {
    // On 31 rows the planner rightly prefers a scan; with scans priced out it must find an index
    // that serves ILIKE '%…%', which only the trigram ones do.
    const plan = await prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
        `EXPLAIN SELECT count(*) FROM "Feature" WHERE "name" ILIKE $1 OR "description" ILIKE $1`,
        containsPattern('invoice'),
      );
    });
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('Feature_name_trgm_idx');
    expect(text).toContain('Feature_description_trgm_idx');
  });

  it('escapes LIKE wildcards', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
