// The agents' feature tools against the real Postgres (own database) and Redis (own prefix).
import { DbModule, FeatureClaimsRepository } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { FeatureToolsModule } from './feature-tools.module';
import { FeatureToolsService, featureToolSpecs, FeatureVerdict } from './feature-tools.service';
import { FeaturesService, ProjectsService } from '@autocoder/server-projects';

describe('feature tools (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let tools: FeatureToolsService;
  let projectId: string;
  const ctx = () => ({ projectId, owner: 'runner-1/session-a', leaseMs: 60_000 });

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [
        DbModule.forRoot({ databaseUrl: db.url }),
        QueueModule.forRoot({
          role: 'producer',
          redisUrl: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
          prefix: `tools-${randomBytes(3).toString('hex')}`,
          attempts: 1,
          backoffMs: 1000,
        }),
        LiveEventsModule,
        FeatureToolsModule,
      ],
    }).compile();
    app = await moduleRef.init();
    tools = app.get(FeatureToolsService);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    const project = await app
      .get(ProjectsService)
      .create({ name: `p-${randomBytes(3).toString('hex')}`, spec: 's' });
    projectId = project.id;
  });

  const parse = <T>(content: string): T => JSON.parse(content) as T;

  it('gives each role only its tools, with JSON schemas', async () => {
    expect(featureToolSpecs('testing').map((t) => t.name)).toEqual([
      'feature_stats',
      'feature_get',
      'feature_summary',
      'feature_graph',
      'feature_confirm_passing',
      'feature_mark_failing',
    ]);
    expect(
      featureToolSpecs('coding').find((t) => t.name === 'feature_mark_failing')?.inputSchema,
    ).toMatchObject({ required: ['id', 'reason'] });
    const refused = await tools.run('testing', 'feature_claim', {}, ctx());
    expect(refused).toEqual({
      isError: true,
      content: 'Tool feature_claim is not available to the testing agent.',
    });
  });

  it('creates in bulk with dependencies, edits dependencies, summarises, asks a person', async () => {
    const created = await tools.run(
      'initializer',
      'feature_create_bulk',
      {
        features: [
          { category: 'c', name: 'one', description: 'd', steps: ['s'], dependsOn: [] },
          { category: 'c', name: 'two', description: 'd', steps: ['s'], dependsOn: [0] },
          { category: 'c', name: 'three', description: 'd', steps: ['s'], dependsOn: [] },
        ],
      },
      ctx(),
    );
    expect(created.isError).toBeFalsy();
    const { ids } = parse<{ ids: string[] }>(created.content);
    expect(ids).toHaveLength(3);
    const cyclic = await tools.run(
      'initializer',
      'feature_create_bulk',
      {
        features: [
          { category: 'c', name: 'a', description: 'd', steps: ['s'], dependsOn: [1] },
          { category: 'c', name: 'b', description: 'd', steps: ['s'], dependsOn: [0] },
        ],
      },
      ctx(),
    );
    expect(cyclic).toMatchObject({ isError: true, content: expect.stringMatching(/cycle/i) });

    const add = await tools.run(
      'initializer',
      'feature_add_dependency',
      { id: ids[2], dependsOnId: ids[1] },
      ctx(),
    );
    expect(parse<{ dependsOn: string[] }>(add.content).dependsOn).toEqual([ids[1]]);
    const loop = await tools.run(
      'initializer',
      'feature_add_dependency',
      { id: ids[0], dependsOnId: ids[2] },
      ctx(),
    );
    expect(loop.isError).toBe(true);
    const summary = parse<{ waitingFor: { id: string }[] }>(
      (await tools.run('coding', 'feature_summary', { id: ids[2] }, ctx())).content,
    );
    expect(summary.waitingFor.map((w) => w.id)).toEqual([ids[1]]);
    const removed = await tools.run(
      'initializer',
      'feature_remove_dependency',
      { id: ids[2], dependsOnId: ids[1] },
      ctx(),
    );
    expect(parse<{ dependsOn: string[] }>(removed.content).dependsOn).toEqual([]);

    const asked = await tools.run(
      'coding',
      'ask_user',
      { id: ids[0], question: 'Which port?' },
      ctx(),
    );
    expect(asked.isError).toBeFalsy();
    expect(parse<{ status: string }>(asked.content).status).toBe('needs_input');
  });

  it('works a backlog: ready, blocked, claim, mark passing, in dependency order', async () => {
    const features = app.get(FeaturesService);
    const base = await features.create(projectId, {
      category: 'c',
      name: 'base',
      description: 'd',
      steps: ['s'],
    });
    const top = await features.create(projectId, {
      category: 'c',
      name: 'top',
      description: 'd',
      steps: ['s'],
      dependsOn: [base.id],
    });

    expect(
      parse<{ id: string }[]>((await tools.run('coding', 'feature_ready', {}, ctx())).content).map(
        (f) => f.id,
      ),
    ).toEqual([base.id]);
    expect(
      parse<{ id: string; waitingFor: { id: string }[] }[]>(
        (await tools.run('coding', 'feature_blocked', {}, ctx())).content,
      ),
    ).toEqual([
      { id: top.id, name: 'top', waitingFor: [{ id: base.id, name: 'base', status: 'pending' }] },
    ]);

    const claimed = parse<{ id: string; status: string }>(
      (await tools.run('mcp', 'feature_claim', {}, ctx())).content,
    );
    expect(claimed).toMatchObject({ id: base.id, status: 'in_progress' });
    // Nothing else is ready until base passes.
    expect((await tools.run('mcp', 'feature_claim', {}, ctx())).content).toMatch(
      /^No feature is ready/,
    );
    // Another session cannot finish what this one holds.
    const stranger = await tools.run(
      'mcp',
      'feature_mark_passing',
      { id: base.id },
      { ...ctx(), owner: 'runner-2/session-b' },
    );
    expect(stranger).toEqual({
      isError: true,
      content: `feature ${base.id} is not claimed by you`,
    });
    expect(await tools.run('mcp', 'feature_mark_passing', { id: base.id }, ctx())).toEqual({
      content: `Feature ${base.id} is now passing.`,
    });

    const next = parse<{ id: string }>(
      (await tools.run('mcp', 'feature_claim', {}, ctx())).content,
    );
    expect(next.id).toBe(top.id);
    await tools.run('mcp', 'feature_mark_failing', { id: top.id, reason: 'step 1 fails' }, ctx());
    // Handing back needs a reason too, and only the holder may.
    expect(
      await tools.run('mcp', 'feature_clear_in_progress', { id: top.id, reason: 'x' }, ctx()),
    ).toEqual({ isError: true, content: `feature ${top.id} is not claimed by you` });
    const stats = parse<{ counts: Record<string, number> }>(
      (await tools.run('mcp', 'feature_stats', {}, ctx())).content,
    );
    expect(stats.counts).toMatchObject({ passing: 1, failing: 1 });
  });

  it("answers the model's mistakes as tool errors", async () => {
    expect(await tools.run('coding', 'feature_get', { id: 'nope' }, ctx())).toMatchObject({
      isError: true,
      content: expect.stringContaining('Invalid input'),
    });
    expect(
      await tools.run(
        'coding',
        'feature_get',
        { id: '00000000-0000-4000-8000-000000000000' },
        ctx(),
      ),
    ).toMatchObject({
      isError: true,
      content: expect.stringContaining('not found'),
    });
    const a = await app
      .get(FeaturesService)
      .create(projectId, { category: 'c', name: 'a', description: 'd', steps: [] });
    expect(
      await tools.run(
        'initializer',
        'feature_set_dependencies',
        { id: a.id, dependsOn: [a.id] },
        ctx(),
      ),
    ).toEqual({
      isError: true,
      content: 'a feature cannot depend on itself',
    });
  });

  it('asks a person through a form', async () => {
    const a = await app
      .get(FeaturesService)
      .create(projectId, { category: 'c', name: 'pay', description: 'd', steps: [] });
    const out = await tools.run(
      'coding',
      'feature_request_human_input',
      {
        id: a.id,
        request: {
          prompt: 'Which currency?',
          fields: [
            { name: 'currency', label: 'Currency', kind: 'select', options: ['EUR', 'USD'] },
          ],
        },
      },
      ctx(),
    );
    expect(parse<{ status: string }>(out.content).status).toBe('needs_input');
  });

  it('records a session’s verdict on its own feature, once, and leaves settling to the platform', async () => {
    const feature = await app
      .get(FeaturesService)
      .create(projectId, { category: 'c', name: 'mine', description: 'd', steps: [] });
    const other = await app
      .get(FeaturesService)
      .create(projectId, { category: 'c', name: 'other', description: 'd', steps: [] });
    const [held] = await app.get(FeatureClaimsRepository).claim({
      projectId,
      owner: 'run-1:1',
      leaseMs: 60_000,
    });
    expect(held?.id).toBeDefined();
    const own = held?.id === feature.id ? feature : other;
    const notOwn = own === feature ? other : feature;
    let verdict: FeatureVerdict | undefined;
    const session = {
      projectId,
      owner: 'run-1:1',
      leaseMs: 60_000,
      session: {
        featureId: own.id,
        decided: () => verdict,
        record: (v: FeatureVerdict) => (verdict = v),
      },
    };
    expect(await tools.run('coding', 'feature_mark_passing', { id: notOwn.id }, session)).toEqual({
      isError: true,
      content: `This session works on feature ${own.id} only; ${notOwn.id} is not yours.`,
    });
    expect(
      (await tools.run('coding', 'feature_clear_in_progress', { id: own.id }, session)).content,
    ).toMatch(/^Invalid input: reason/);
    expect(
      (await tools.run('coding', 'feature_mark_passing', { id: own.id }, session)).content,
    ).toMatch(/^Recorded\. The platform takes it from here/);
    expect(verdict).toEqual({ kind: 'passing' });
    // Recorded, not applied: the platform verifies and merges before the feature passes.
    expect((await app.get(FeaturesService).get(projectId, own.id)).status).toBe('in_progress');
    expect(
      await tools.run('coding', 'feature_mark_failing', { id: own.id, reason: 'no' }, session),
    ).toEqual({ isError: true, content: 'Already decided: passing. Stop here.' });
    expect(verdict).toEqual({ kind: 'passing' });
  });

  it('parks a session’s feature when it asks a person, as its verdict', async () => {
    const feature = await app
      .get(FeaturesService)
      .create(projectId, { category: 'c', name: 'ask', description: 'd', steps: [] });
    let verdict: FeatureVerdict | undefined;
    const out = await tools.run(
      'coding',
      'ask_user',
      { id: feature.id, question: 'Which currency?' },
      {
        ...ctx(),
        session: {
          featureId: feature.id,
          decided: () => verdict,
          record: (v) => (verdict = v),
        },
      },
    );
    expect(out).toEqual({ content: 'The feature now waits for a person. End your turn now.' });
    expect(verdict).toEqual({ kind: 'needs_input' });
    expect((await app.get(FeaturesService).get(projectId, feature.id)).status).toBe('needs_input');
  });
});
