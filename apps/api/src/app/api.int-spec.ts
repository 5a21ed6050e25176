// The REST API in-process against the real Postgres (a fresh database) and Redis (a unique
// queue prefix): every route, its validation and its error answers.
import { HumanInputService } from '@autocoder/server-projects';
import { loadConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import type {
  BoardView,
  FeatureView,
  GraphView,
  Page,
  ProjectView,
  RunDetailView,
  RunEventsPageView,
  RunView,
} from '@autocoder/shared-contracts';
import { QueueName } from '@autocoder/shared-contracts';
import { getQueueToken } from '@nestjs/bullmq';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { createApiApp } from './create-api-app';

describe('api (integration)', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let http: App;
  const prefix = `int-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createApiApp(
      loadConfig({
        // Auth has its own tests (auth.int-spec.ts); here every request is the local admin.
        AUTH_MODE: 'none',
        DATABASE_URL: db.url,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'silent',
        JOB_ATTEMPTS: '3',
        JOB_BACKOFF_MS: '1000',
      }),
    );
    await app.init();
    http = app.getHttpServer() as App;
  });

  afterAll(async () => {
    const queue = app?.get<Queue>(getQueueToken(QueueName.AgentSession));
    await queue?.obliterate({ force: true });
    await app?.close();
    await db?.drop();
  });

  const newProject = async (
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<ProjectView> => {
    const res = await request(http)
      .post('/api/v1/projects')
      .send({ name, spec: `Spec of ${name}`, ...extra });
    expect(res.status).toBe(201);
    return res.body as ProjectView;
  };
  const newFeature = async (
    projectId: string,
    name: string,
    extra: Record<string, unknown> = {},
  ): Promise<FeatureView> => {
    const res = await request(http)
      .post(`/api/v1/projects/${projectId}/features`)
      .send({
        category: 'core',
        name,
        description: `${name} works`,
        steps: ['open', 'check'],
        ...extra,
      });
    expect(res.status).toBe(201);
    return res.body as FeatureView;
  };

  describe('projects', () => {
    it('creates, lists with progress, gets, updates and deletes', async () => {
      const p = await newProject('Alpha');
      expect(p).toMatchObject({
        name: 'Alpha',
        status: 'idle',
        total: 0,
        progress: 0,
        concurrency: 3,
      });
      const f = await newFeature(p.id, 'one');
      await newFeature(p.id, 'two');
      await request(http)
        .patch(`/api/v1/projects/${p.id}/features/${f.id}`)
        .send({ status: 'passing' })
        .expect(200);

      const list = await request(http).get('/api/v1/projects?q=alph').expect(200);
      const page = list.body as Page<ProjectView>;
      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({
        total: 2,
        progress: 50,
        counts: { passing: 1, pending: 1 },
      });

      const patched = await request(http)
        .patch(`/api/v1/projects/${p.id}`)
        .send({ concurrency: 5 })
        .expect(200);
      expect(patched.body.concurrency).toBe(5);
      await request(http).delete(`/api/v1/projects/${p.id}`).expect(204);
      await request(http).get(`/api/v1/projects/${p.id}`).expect(404);
    });

    it('answers 409 to a duplicate name and 404 to an unknown id', async () => {
      await newProject('Dup');
      const dup = await request(http)
        .post('/api/v1/projects')
        .send({ name: 'Dup', spec: 'x' })
        .expect(409);
      expect(dup.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: 'a project named "Dup" already exists',
      });
      const missing = await request(http)
        .get('/api/v1/projects/00000000-0000-4000-8000-000000000000')
        .expect(404);
      expect(missing.body.message).toMatch(
        /project 00000000-0000-4000-8000-000000000000 not found/,
      );
    });

    it('rejects invalid bodies and queries with field reasons', async () => {
      const bad = await request(http)
        .post('/api/v1/projects')
        .send({ name: '', spec: 'x', concurrency: 0, owner: 'me' })
        .expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const paths = (bad.body.issues as { path: string }[]).map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['body.name', 'body.concurrency', 'body.owner']),
      );
      const q = await request(http).get('/api/v1/projects?limit=500&sort=name').expect(400);
      expect((q.body.issues as { path: string }[]).map((i) => i.path)).toEqual(
        expect.arrayContaining(['query.limit', 'query.sort']),
      );
      const json = await request(http)
        .post('/api/v1/projects')
        .set('content-type', 'application/json')
        .send('{oops')
        .expect(400);
      expect(json.body.requestId).toEqual(expect.any(String));
      const id = await request(http).get('/api/v1/projects/not-a-uuid').expect(400);
      expect(id.body.issues).toEqual([{ path: 'params.projectId', message: 'must be a UUID' }]);
    });

    it('refuses a body over 1 MB with 413', async () => {
      const res = await request(http)
        .post('/api/v1/projects')
        .send({ name: 'Huge', spec: 'x'.repeat(1_100_000) });
      expect(res.status).toBe(413);
    });
  });

  describe('features and the board', () => {
    it('groups by status in priority order, pages each column and filters', async () => {
      const p = await newProject('Board');
      for (let i = 0; i < 5; i++)
        await newFeature(p.id, `feature ${i}`, { category: i % 2 ? 'ui' : 'api' });
      const board = (
        await request(http).get(`/api/v1/projects/${p.id}/board?limit=2&offset=1`).expect(200)
      ).body as BoardView;
      expect(board.columns.map((c) => c.status)).toEqual([
        'pending',
        'in_progress',
        'needs_input',
        'passing',
        'failing',
      ]);
      expect(board.columns[0].total).toBe(5);
      expect(board.columns[0].items.map((f) => f.name)).toEqual(['feature 1', 'feature 2']);

      const ui = (
        await request(http)
          .get(`/api/v1/projects/${p.id}/board?category=ui&status=pending`)
          .expect(200)
      ).body as BoardView;
      expect(ui.columns).toHaveLength(1);
      expect(ui.columns[0].items.map((f) => f.name)).toEqual(['feature 1', 'feature 3']);
      const search = (
        await request(http).get(`/api/v1/projects/${p.id}/board?q=URE%204`).expect(200)
      ).body as BoardView;
      expect(search.columns[0].items.map((f) => f.name)).toEqual(['feature 4']);
      await request(http).get(`/api/v1/projects/${p.id}/board?status=done`).expect(400);
    });

    it('answers an unchanged board with 304 to its ETag, gzipped when asked, and a changed one in full', async () => {
      const p = await newProject('Board etag');
      const f = await newFeature(p.id, 'first');
      const url = `/api/v1/projects/${p.id}/board`;
      const first = await request(http).get(url).set('Accept-Encoding', 'gzip').expect(200);
      expect(first.headers['content-encoding']).toBe('gzip');
      expect(first.headers['content-type']).toMatch(/^application\/json/);
      const etag = first.headers['etag'];
      expect(etag).toMatch(/^"[\w-]+"$/);
      expect((first.body as BoardView).columns[0].items.map((i) => i.name)).toEqual(['first']);
      const plain = await request(http).get(url).set('Accept-Encoding', 'identity').expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body).toEqual(first.body);

      await request(http).get(url).set('If-None-Match', etag).expect(304);
      await request(http)
        .patch(`/api/v1/projects/${p.id}/features/${f.id}`)
        .send({ name: 'renamed' })
        .expect(200);
      const changed = await request(http).get(url).set('If-None-Match', etag).expect(200);
      expect(changed.headers['etag']).not.toBe(etag);
      expect((changed.body as BoardView).columns[0].items.map((i) => i.name)).toEqual(['renamed']);
    });

    it('skips a feature to the end of the queue and deletes one', async () => {
      const p = await newProject('Skip');
      const a = await newFeature(p.id, 'a');
      const b = await newFeature(p.id, 'b');
      const skipped = (
        await request(http).post(`/api/v1/projects/${p.id}/features/${a.id}/skip`).expect(200)
      ).body as FeatureView;
      expect(skipped.priority).toBeGreaterThan(b.priority);
      await request(http).delete(`/api/v1/projects/${p.id}/features/${b.id}`).expect(204);
      await request(http).get(`/api/v1/projects/${p.id}/features/${b.id}`).expect(404);
      // A feature is only reachable through its own project.
      const other = await newProject('Other');
      await request(http).get(`/api/v1/projects/${other.id}/features/${a.id}`).expect(404);
    });
  });

  describe('dependencies', () => {
    it('adds, replaces and removes, and marks dependents blocked', async () => {
      const p = await newProject('Deps');
      const [a, b, c] = [
        await newFeature(p.id, 'a'),
        await newFeature(p.id, 'b'),
        await newFeature(p.id, 'c'),
      ];
      const withDep = await request(http)
        .post(`/api/v1/projects/${p.id}/features/${b.id}/dependencies`)
        .send({ dependsOnId: a.id })
        .expect(200);
      expect(withDep.body).toMatchObject({ dependsOn: [a.id], blocked: true });
      const replaced = await request(http)
        .put(`/api/v1/projects/${p.id}/features/${c.id}/dependencies`)
        .send({ dependsOn: [a.id, b.id] })
        .expect(200);
      expect(replaced.body.dependsOn).toEqual([a.id, b.id]);
      const graph = (await request(http).get(`/api/v1/projects/${p.id}/graph`).expect(200))
        .body as GraphView;
      expect(graph.nodes).toHaveLength(3);
      expect(graph.edges).toHaveLength(3);
      await request(http)
        .patch(`/api/v1/projects/${p.id}/features/${a.id}`)
        .send({ status: 'passing' })
        .expect(200);
      expect(
        (await request(http).get(`/api/v1/projects/${p.id}/features/${b.id}`)).body.blocked,
      ).toBe(false);
      const removed = await request(http)
        .delete(`/api/v1/projects/${p.id}/features/${c.id}/dependencies/${a.id}`)
        .expect(200);
      expect(removed.body.dependsOn).toEqual([b.id]);
      await request(http)
        .delete(`/api/v1/projects/${p.id}/features/${c.id}/dependencies/${a.id}`)
        .expect(404);
    });

    it('refuses cycles, self-reference, unknown ids and more than 20, saying which', async () => {
      const p = await newProject('Rules');
      const [a, b, c] = [
        await newFeature(p.id, 'a'),
        await newFeature(p.id, 'b'),
        await newFeature(p.id, 'c'),
      ];
      const url = (f: FeatureView) => `/api/v1/projects/${p.id}/features/${f.id}/dependencies`;
      await request(http)
        .put(url(b))
        .send({ dependsOn: [a.id] })
        .expect(200);
      await request(http)
        .put(url(c))
        .send({ dependsOn: [b.id] })
        .expect(200);

      const cycle = await request(http)
        .put(url(a))
        .send({ dependsOn: [c.id] })
        .expect(409);
      expect(cycle.body.message).toMatch(/cycle/);
      for (const id of [a.id, b.id, c.id]) expect(cycle.body.message).toContain(id);
      // The issue names the features, in the order the cycle walks them.
      expect(cycle.body.issues).toEqual([
        { path: 'dependsOn', message: 'cycle "a" -> "c" -> "b" -> "a"' },
      ]);

      const self = await request(http).post(url(a)).send({ dependsOnId: a.id }).expect(400);
      expect(self.body.message).toBe('a feature cannot depend on itself');

      const ghost = '00000000-0000-4000-8000-000000000001';
      const unknown = await request(http)
        .put(url(a))
        .send({ dependsOn: [b.id, ghost] })
        .expect(400);
      expect(unknown.body.message).toContain(ghost);
      expect(unknown.body.issues).toEqual([
        { path: 'dependsOn.1', message: expect.stringContaining(ghost) },
      ]);

      // A feature of another project counts as unknown here.
      const other = await newProject('Rules other');
      const foreign = await newFeature(other.id, 'foreign');
      await request(http).post(url(a)).send({ dependsOnId: foreign.id }).expect(400);

      const many = Array.from({ length: 21 }, () => crypto.randomUUID());
      const tooMany = await request(http).put(url(a)).send({ dependsOn: many }).expect(400);
      expect(tooMany.body.issues[0]).toMatchObject({ path: 'body.dependsOn' });

      // Nothing changed by the refused requests.
      expect(
        (await request(http).get(`/api/v1/projects/${p.id}/features/${a.id}`)).body.dependsOn,
      ).toEqual([]);
    });
  });

  describe('runs', () => {
    it('records an initializer run and enqueues it with the run id as job id', async () => {
      const p = await newProject('Runs');
      const res = await request(http)
        .post(`/api/v1/projects/${p.id}/runs`)
        .set('X-Request-Id', 'req-runs-1')
        .send({})
        .expect(202);
      const run = res.body as RunView;
      expect(res.headers['x-request-id']).toBe('req-runs-1');
      expect(run).toMatchObject({ role: 'initializer', status: 'queued', projectId: p.id });

      const queue = app.get<Queue>(getQueueToken(QueueName.AgentSession));
      const job = await queue.getJob(run.id);
      expect(job?.data).toEqual({ runId: run.id, projectId: p.id, requestId: 'req-runs-1' });
      expect(job?.opts).toMatchObject({
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
      });

      await request(http)
        .post(`/api/v1/projects/${p.id}/runs`)
        .send({ role: 'initializer' })
        .expect(409);
      const list = (await request(http).get(`/api/v1/projects/${p.id}/runs`).expect(200))
        .body as Page<RunView>;
      expect(list.items.map((r) => r.id)).toEqual([run.id]);
      const detail = await request(http).get(`/api/v1/runs/${run.id}`).expect(200);
      expect(detail.body).toMatchObject({ id: run.id, events: [] });
      await request(http).delete(`/api/v1/projects/${p.id}`).expect(409);
      await request(http)
        .post(`/api/v1/projects/${p.id}/runs`)
        .send({ role: 'coding' })
        .expect(400);
    });

    it('pages a long run log by event id, and refuses a bad cursor with 400', async () => {
      const p = await newProject('Long log');
      const run = (await request(http).post(`/api/v1/projects/${p.id}/runs`).send({}).expect(202))
        .body as RunView;
      await app.get(PrismaService).runEvent.createMany({
        data: Array.from({ length: 1_203 }, (_, i) => ({
          runId: run.id,
          type: 'model.response',
          message: `event ${i}`,
        })),
      });
      const detail = (await request(http).get(`/api/v1/runs/${run.id}`).expect(200))
        .body as RunDetailView;
      expect(detail.events).toHaveLength(500);
      const messages = detail.events.map((e) => e.message);
      let after = detail.events.at(-1)?.id;
      for (;;) {
        const page = (
          await request(http)
            .get(`/api/v1/runs/${run.id}/events?after=${after}&limit=400`)
            .expect(200)
        ).body as RunEventsPageView;
        messages.push(...page.items.map((e) => e.message));
        if (!page.hasMore) break;
        after = page.items.at(-1)?.id;
      }
      expect(messages).toEqual(Array.from({ length: 1_203 }, (_, i) => `event ${i}`));

      for (const bad of ['abc', '-1', '1%00', '9'.repeat(40)])
        await request(http).get(`/api/v1/runs/${run.id}/events?after=${bad}`).expect(400);
      await request(http).get(`/api/v1/runs/${run.id}/events?limit=5000`).expect(400);
      await request(http)
        .get('/api/v1/runs/00000000-0000-4000-8000-000000000000/events')
        .expect(404);
    });

    it('refuses an initializer for a project that already has a backlog', async () => {
      const p = await newProject('Has backlog');
      await newFeature(p.id, 'existing');
      const res = await request(http).post(`/api/v1/projects/${p.id}/runs`).send({}).expect(409);
      expect(res.body.message).toMatch(/already has a backlog/);
    });
  });

  describe('human input', () => {
    const form = {
      prompt: 'Which payment provider should checkout use?',
      fields: [
        { name: 'provider', label: 'Provider', kind: 'select', options: ['stripe', 'adyen'] },
        { name: 'notes', label: 'Notes', kind: 'textarea', required: false },
        { name: 'sandbox', label: 'Use the sandbox', kind: 'boolean' },
      ],
    };

    it("answers an agent's form; the feature returns to pending with the answer", async () => {
      const p = await newProject('Human input');
      const f = await newFeature(p.id, 'checkout');
      const asked = await app.get(HumanInputService).request(p.id, f.id, form);
      expect(asked).toMatchObject({
        status: 'needs_input',
        humanInput: { request: { prompt: form.prompt }, response: null },
      });

      const url = `/api/v1/projects/${p.id}/features/${f.id}/human-input`;
      const bad = await request(http)
        .post(url)
        .send({ values: { provider: 'paypal', extra: 'x' } })
        .expect(400);
      expect((bad.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual([
        'body.values.extra',
        'body.values.provider',
        'body.values.sandbox',
      ]);
      const ok = await request(http)
        .post(url)
        .send({ values: { provider: 'stripe', sandbox: true } })
        .expect(200);
      expect(ok.body).toMatchObject({
        status: 'pending',
        humanInput: { response: { values: { provider: 'stripe', sandbox: true } } },
      });
      // Answered once: a second answer is a conflict, not an overwrite.
      await request(http)
        .post(url)
        .send({ values: { provider: 'adyen', sandbox: false } })
        .expect(409);
    });

    it('refuses an invalid form from an agent', async () => {
      const p = await newProject('Human input bad form');
      const f = await newFeature(p.id, 'x');
      await expect(
        app.get(HumanInputService).request(p.id, f.id, {
          prompt: 'x',
          fields: [{ name: 'a', label: 'A', kind: 'select' }],
        }),
      ).rejects.toThrow('The human-input form is not valid.');
    });
  });

  describe('operations', () => {
    it('serves health, metrics and the OpenAPI description', async () => {
      expect((await request(http).get('/health/live')).status).toBe(200);
      const ready = await request(http).get('/health/ready').expect(200);
      expect(ready.body.info).toMatchObject({
        database: { status: 'up' },
        redis: { status: 'up' },
      });
      const metrics = await request(http).get('/metrics').expect(200);
      expect(metrics.text).toContain(
        'http_requests_total{method="POST",route="/api/v1/projects",status="201"}',
      );
      expect(metrics.text).toContain('process_cpu_seconds_total');
      const doc = await request(http).get('/api/docs/openapi.json').expect(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining(['/api/v1/projects', '/api/v1/projects/{projectId}/board']),
      );
      const createBody =
        doc.body.paths['/api/v1/projects'].post.requestBody.content['application/json'].schema;
      expect(JSON.stringify(createBody)).toMatch(/CreateProject|"spec"/);
    });
  });
});
