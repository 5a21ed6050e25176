// The merge queue's view over HTTP against real Postgres: requests seeded in every state (as the
// merge worker leaves them) come back in queue order with their batch, recent outcomes newest
// first with their details shortened, and the last hour's counts; a missing project is a 404.
import {
  MERGE_QUEUE_DETAIL_CHARS,
  type MergeQueueView,
  type ProjectView,
} from '@autocoder/shared-contracts';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';
const MINUTE = 60_000;

describe('merge queue view (integration)', () => {
  let api: TestApi;
  let http: App;
  let viewer: string;
  let admin: string;
  let project: ProjectView;
  let empty: ProjectView;
  const now = Date.now();
  const ids: Record<string, string> = {};
  const batch = randomUUID();
  const longOutput = `${'x'.repeat(5000)}\nFAIL src/todo.spec.ts: expected 2 todos`;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (url: string) => request(http).get(url).set(as(viewer));

  async function createProject(name: string): Promise<ProjectView> {
    const res = await request(http)
      .post('/api/v1/projects')
      .set(as(admin))
      .send({ name, spec: 'A todo list.' })
      .expect(201);
    return res.body as ProjectView;
  }

  /** A feature with its coding run and one merge request in the given state. */
  async function seed(
    key: string,
    data: {
      status: 'queued' | 'merging' | 'merged' | 'conflict' | 'failed';
      createdMinutesAgo: number;
      finishedMinutesAgo?: number;
      batchId?: string;
      position?: number;
      mergeCommit?: string;
      detail?: string;
      attempts?: number;
    },
  ) {
    const feature = await api.prisma.feature.create({
      data: {
        projectId: project.id,
        priority: Object.keys(ids).length + 1,
        category: 'ui',
        name: `Feature ${key}`,
        description: key,
        steps: [],
        status: data.status === 'merged' ? 'passing' : 'in_progress',
      },
    });
    const run = await api.prisma.run.create({
      data: { projectId: project.id, role: 'coding', status: 'running' },
    });
    const createdAt = new Date(now - data.createdMinutesAgo * MINUTE);
    const open = data.status === 'queued';
    const row = await api.prisma.mergeRequest.create({
      data: {
        projectId: project.id,
        featureId: feature.id,
        runId: run.id,
        owner: `${run.id}:1`,
        branch: `autocoder/session/${run.id}`,
        commit: `tip-${key}`,
        status: data.status,
        batchId: data.batchId ?? (open ? null : randomUUID()),
        position: data.position ?? (open ? null : 1),
        mergeCommit: data.mergeCommit ?? null,
        detail: data.detail ?? null,
        attempts: data.attempts ?? 0,
        createdAt,
        startedAt: open ? null : new Date(createdAt.getTime() + MINUTE),
        finishedAt:
          data.finishedMinutesAgo === undefined
            ? null
            : new Date(now - data.finishedMinutesAgo * MINUTE),
      },
    });
    ids[key] = row.id;
  }

  beforeAll(async () => {
    api = await startTestApi(OIDC_WITHOUT_IDP);
    http = api.app.getHttpServer() as App;
    ({ admin, viewer } = await tokensFor(api));
    project = await createProject('Queued');
    empty = await createProject('Nothing queued');
    // Waiting: q2 was queued before q1 (queue order is by createdAt), q1 was requeued once.
    await seed('q1', { status: 'queued', createdMinutesAgo: 3, attempts: 1 });
    await seed('q2', { status: 'queued', createdMinutesAgo: 5 });
    // One batch being merged, in position order.
    await seed('m2', { status: 'merging', createdMinutesAgo: 8, batchId: batch, position: 2 });
    await seed('m1', { status: 'merging', createdMinutesAgo: 9, batchId: batch, position: 1 });
    // Finished in the last hour: waits of 10, 20 and 40 minutes (median 20).
    await seed('ok', {
      status: 'merged',
      createdMinutesAgo: 30,
      finishedMinutesAgo: 20,
      mergeCommit: 'a'.repeat(40),
    });
    await seed('conflict', {
      status: 'conflict',
      createdMinutesAgo: 40,
      finishedMinutesAgo: 20 - 0.5,
      detail: 'src/app.ts\nsrc/todo.ts',
    });
    await seed('failed', {
      status: 'failed',
      createdMinutesAgo: 50,
      finishedMinutesAgo: 10,
      detail: longOutput,
    });
    // Finished two hours ago: listed, but not in the last hour's figures.
    await seed('old', {
      status: 'merged',
      createdMinutesAgo: 200,
      finishedMinutesAgo: 120,
      mergeCommit: 'b'.repeat(40),
    });
  }, 180_000);

  afterAll(async () => {
    await api?.close();
  });

  it('lists open requests in queue order with their batch, and recent outcomes newest first', async () => {
    const res = await get(`/api/v1/projects/${project.id}/merge-queue`).expect(200);
    const view = res.body as MergeQueueView;
    expect(view.open.map((e) => e.id)).toEqual([ids['m1'], ids['m2'], ids['q2'], ids['q1']]);
    expect(view.open.slice(0, 2).map((e) => [e.status, e.batchId, e.position])).toEqual([
      ['merging', batch, 1],
      ['merging', batch, 2],
    ]);
    expect(view.open[3]).toMatchObject({
      status: 'queued',
      batchId: null,
      attempts: 1,
      feature: { name: 'Feature q1', status: 'in_progress' },
      commit: 'tip-q1',
      finishedAt: null,
    });
    expect(view.recent.map((e) => e.id)).toEqual([
      ids['failed'],
      ids['conflict'],
      ids['ok'],
      ids['old'],
    ]);
    expect(view.limit).toBe(20);
    const ok = view.recent[2];
    expect(ok).toMatchObject({
      status: 'merged',
      mergeCommit: 'a'.repeat(40),
      feature: { name: 'Feature ok', status: 'passing' },
      detail: null,
      detailTruncated: false,
    });
    expect(Date.parse(ok?.finishedAt ?? '')).toBeCloseTo(now - 20 * MINUTE, -3);
  });

  it('keeps the end of a long verification output and the conflicting files whole', async () => {
    const view = (await get(`/api/v1/projects/${project.id}/merge-queue`).expect(200))
      .body as MergeQueueView;
    const failed = view.recent.find((e) => e.id === ids['failed']);
    expect(failed?.detailTruncated).toBe(true);
    expect(failed?.detail).toHaveLength(MERGE_QUEUE_DETAIL_CHARS);
    expect(failed?.detail?.startsWith('…')).toBe(true);
    expect(failed?.detail?.endsWith('FAIL src/todo.spec.ts: expected 2 todos')).toBe(true);
    const conflict = view.recent.find((e) => e.id === ids['conflict']);
    expect(conflict).toMatchObject({ detail: 'src/app.ts\nsrc/todo.ts', detailTruncated: false });
  });

  it("counts the queue and the last hour's outcomes, with the median wait", async () => {
    const view = (await get(`/api/v1/projects/${project.id}/merge-queue`).expect(200))
      .body as MergeQueueView;
    expect(view.summary.queued).toBe(2);
    expect(view.summary.merging).toBe(2);
    expect(view.summary.mergedLastHour).toBe(1);
    expect(view.summary.failedLastHour).toBe(2);
    // Waits of 10, 20.5 and 40 minutes: the median is 20.5 minutes.
    expect(view.summary.medianWaitSeconds).toBeCloseTo(20.5 * 60, 0);
  });

  it('limits the recent outcomes to `limit`', async () => {
    const view = (await get(`/api/v1/projects/${project.id}/merge-queue?limit=2`).expect(200))
      .body as MergeQueueView;
    expect(view.recent.map((e) => e.id)).toEqual([ids['failed'], ids['conflict']]);
    expect(view.limit).toBe(2);
    // The summary does not depend on the page.
    expect(view.summary.failedLastHour).toBe(2);
  });

  it('answers an empty queue with zero counts and no median', async () => {
    const view = (await get(`/api/v1/projects/${empty.id}/merge-queue`).expect(200))
      .body as MergeQueueView;
    expect(view).toEqual({
      open: [],
      recent: [],
      limit: 20,
      summary: {
        queued: 0,
        merging: 0,
        mergedLastHour: 0,
        failedLastHour: 0,
        medianWaitSeconds: null,
      },
    });
  });

  it('refuses a bad limit with 400, a missing project with 404, and strangers with 401', async () => {
    for (const limit of ['0', '101', 'many']) {
      await get(`/api/v1/projects/${project.id}/merge-queue?limit=${limit}`).expect(400);
    }
    await get(`/api/v1/projects/${project.id}/merge-queue?offset=3`).expect(400);
    await get(`/api/v1/projects/${MISSING}/merge-queue`).expect(404);
    await get('/api/v1/projects/not-a-uuid/merge-queue').expect(400);
    await request(http).get(`/api/v1/projects/${project.id}/merge-queue`).expect(401);
  });
});
