// Schedules over HTTP, in-process against the real Postgres (a fresh database) and Redis (a
// unique queue prefix): CRUD, the job scheduler each enabled schedule keeps in Redis, 400s with
// a reason per field, 404s, and a person's start/stop showing as an override.
import { localTime, startSchedulerId } from '@autocoder/server-schedules';
import { JobQueueService } from '@autocoder/server-queue';
import { ApiErrorBody, ProjectView, QueueName, ScheduleView } from '@autocoder/shared-contracts';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { startTestApi, TestApi } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('schedules (integration)', () => {
  let api: TestApi;
  let app: NestExpressApplication;
  let http: App;

  beforeAll(async () => {
    // Auth has its own tests; here every request is the local admin.
    api = await startTestApi({ AUTH_MODE: 'none' });
    app = api.app;
    http = app.getHttpServer() as App;
  });

  afterAll(async () => {
    const queues = app?.get(JobQueueService);
    await queues?.queue(QueueName.AgentSession).obliterate({ force: true });
    await queues?.queue(QueueName.Control).obliterate({ force: true });
    await api?.close();
  });

  const newProject = async (): Promise<ProjectView> => {
    const res = await request(http)
      .post('/api/v1/projects')
      .send({ name: `p-${randomBytes(3).toString('hex')}`, spec: 'A todo app.' });
    expect(res.status).toBe(201);
    return res.body as ProjectView;
  };
  const schedulerKeys = async () =>
    (await app.get(JobQueueService).queue(QueueName.Control).getJobSchedulers(0, -1)).map(
      (s) => s.key,
    );
  const valid = {
    daysOfWeek: [1, 3, 5],
    startTime: '22:00',
    durationMinutes: 240,
    timeZone: 'Europe/Berlin',
  };

  it('creates, lists, reads, changes and deletes a schedule, keeping its job scheduler', async () => {
    const project = await newProject();
    const base = `/api/v1/projects/${project.id}/schedules`;
    const created = await request(http).post(base).send(valid);
    expect(created.status).toBe(201);
    const view = created.body as ScheduleView;
    expect(view).toMatchObject({
      projectId: project.id,
      daysOfWeek: [1, 3, 5],
      startTime: '22:00',
      durationMinutes: 240,
      timeZone: 'Europe/Berlin',
      enabled: true,
      pattern: '0 22 * * 1,3,5',
      override: null,
      lastAction: null,
    });
    // The next start is a Monday, Wednesday or Friday at 22:00 in Berlin, within a week.
    const next = new Date(view.nextStart ?? '');
    expect(next.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(next.getTime()).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);
    expect(localTime(next, 'Europe/Berlin')).toMatchObject({ hour: 22, minute: 0 });
    expect([1, 3, 5]).toContain(localTime(next, 'Europe/Berlin').weekday);
    // The agents next stop when the window holding now ends or, outside the windows (most of
    // the week), when the next one does, 240 minutes after its start.
    expect(view.nextStop).toBe(
      view.activeWindow?.end ?? new Date(next.getTime() + 240 * 60_000).toISOString(),
    );
    expect(await schedulerKeys()).toContain(startSchedulerId(view.id));

    const list = await request(http).get(base);
    expect(list.status).toBe(200);
    expect((list.body as ScheduleView[]).map((s) => s.id)).toEqual([view.id]);
    const one = await request(http).get(`${base}/${view.id}`);
    expect(one.status).toBe(200);
    expect((one.body as ScheduleView).id).toBe(view.id);

    const changed = await request(http)
      .patch(`${base}/${view.id}`)
      .send({ startTime: '07:30', daysOfWeek: [0, 6] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ pattern: '30 7 * * 0,6', durationMinutes: 240 });

    const disabled = await request(http).patch(`${base}/${view.id}`).send({ enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({
      enabled: false,
      nextStart: null,
      nextStop: null,
      activeWindow: null,
    });
    expect(await schedulerKeys()).not.toContain(startSchedulerId(view.id));
    await request(http).patch(`${base}/${view.id}`).send({ enabled: true }).expect(200);
    expect(await schedulerKeys()).toContain(startSchedulerId(view.id));

    await request(http).delete(`${base}/${view.id}`).expect(204);
    expect(await schedulerKeys()).not.toContain(startSchedulerId(view.id));
    await request(http).get(`${base}/${view.id}`).expect(404);
    expect((await request(http).get(base)).body).toEqual([]);
  });

  it('answers 400 with a reason per field', async () => {
    const project = await newProject();
    const base = `/api/v1/projects/${project.id}/schedules`;
    const issues = async (body: unknown, method: 'post' | 'patch' = 'post', url = base) => {
      const res = await request(http)
        [method](url)
        .send(body as object);
      expect(res.status).toBe(400);
      return (res.body as ApiErrorBody).issues ?? [];
    };

    expect(await issues({ ...valid, startTime: '25:00' })).toEqual([
      { path: 'body.startTime', message: 'a time "HH:mm" from 00:00 to 23:59' },
    ]);
    expect(await issues({ ...valid, timeZone: 'Mars/Olympus' })).toEqual([
      { path: 'body.timeZone', message: 'an IANA time zone such as "Europe/Berlin" or "UTC"' },
    ]);
    expect(await issues({ ...valid, timeZone: '+05:30' })).toEqual([
      expect.objectContaining({ path: 'body.timeZone' }),
    ]);
    expect(await issues({ ...valid, daysOfWeek: [] })).toEqual([
      {
        path: 'body.daysOfWeek',
        message: 'at least one day of the week (0 = Sunday ... 6 = Saturday)',
      },
    ]);
    expect(await issues({ ...valid, daysOfWeek: [1, 1] })).toEqual([
      { path: 'body.daysOfWeek', message: 'each day at most once' },
    ]);
    expect(await issues({ ...valid, daysOfWeek: [7] })).toEqual([
      expect.objectContaining({ path: 'body.daysOfWeek.0' }),
    ]);
    expect(await issues({ ...valid, durationMinutes: 0 })).toEqual([
      expect.objectContaining({ path: 'body.durationMinutes' }),
    ]);
    expect(await issues({ ...valid, durationMinutes: 10081, daysOfWeek: [1] })).toEqual([
      expect.objectContaining({ path: 'body.durationMinutes' }),
    ]);
    // Windows of one schedule must not overlap: Monday and Tuesday leave 1440 minutes.
    expect(await issues({ ...valid, daysOfWeek: [1, 2], durationMinutes: 1441 })).toEqual([
      {
        path: 'body.durationMinutes',
        message:
          'a window of 1441 minutes runs into the next start 1440 minutes later; at most 1440 minutes for these days',
      },
    ]);
    expect(await issues({ ...valid, color: 'red' })).toEqual([
      { path: 'body.color', message: 'unknown field' },
    ]);

    // A change is checked against the whole schedule: longer than Mon-Wed-Fri allows.
    const created = await request(http).post(base).send(valid).expect(201);
    const url = `${base}/${(created.body as ScheduleView).id}`;
    expect(await issues({ durationMinutes: 2881 }, 'patch', url)).toEqual([
      expect.objectContaining({
        path: 'body.durationMinutes',
        message: expect.stringMatching(/at most 2880 minutes/),
      }),
    ]);
    expect(await issues({ daysOfWeek: [1, 2], durationMinutes: 1500 }, 'patch', url)).toEqual([
      expect.objectContaining({ path: 'body.durationMinutes' }),
    ]);
    expect(await issues({}, 'patch', url)).toEqual([
      { path: 'body', message: 'at least one field is required' },
    ]);
    const bad = await request(http).get(`${base}/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect((bad.body as ApiErrorBody).issues).toEqual([
      { path: 'params.scheduleId', message: 'must be a UUID' },
    ]);
  });

  it('answers 404 for an unknown project or a schedule of another project', async () => {
    const project = await newProject();
    const other = await newProject();
    const base = `/api/v1/projects/${project.id}/schedules`;
    const created = await request(http).post(base).send(valid).expect(201);
    const id = (created.body as ScheduleView).id;

    const missingProject = await request(http)
      .post(`/api/v1/projects/${MISSING}/schedules`)
      .send(valid);
    expect(missingProject.status).toBe(404);
    expect((missingProject.body as ApiErrorBody).message).toBe(`project ${MISSING} not found`);
    await request(http).get(`/api/v1/projects/${MISSING}/schedules`).expect(404);
    await request(http).get(`${base}/${MISSING}`).expect(404);
    await request(http).patch(`${base}/${MISSING}`).send({ enabled: false }).expect(404);
    await request(http).delete(`${base}/${MISSING}`).expect(404);
    // The schedule exists, but not in that project.
    const elsewhere = `/api/v1/projects/${other.id}/schedules/${id}`;
    await request(http).get(elsewhere).expect(404);
    await request(http).patch(elsewhere).send({ enabled: false }).expect(404);
    await request(http).delete(elsewhere).expect(404);
  });

  it('shows a person’s start and stop inside a window as an override until it ends', async () => {
    const project = await newProject();
    await request(http)
      .post(`/api/v1/projects/${project.id}/features`)
      .send({ category: 'c', name: 'f', description: 'd', steps: ['s'] })
      .expect(201);
    const base = `/api/v1/projects/${project.id}/schedules`;
    // Every day from 00:00 UTC for 24 hours: always inside a window.
    const created = await request(http)
      .post(base)
      .send({
        daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
        startTime: '00:00',
        durationMinutes: 1440,
        timeZone: 'UTC',
      })
      .expect(201);
    const window = (created.body as ScheduleView).activeWindow;
    expect(window).not.toBeNull();
    expect(window?.start.endsWith('T00:00:00.000Z')).toBe(true);
    // Inside a window the next stop is its end.
    expect((created.body as ScheduleView).nextStop).toBe(window?.end);

    await request(http).post(`/api/v1/projects/${project.id}/agents/start`).send({}).expect(202);
    const started = (await request(http).get(base)).body as ScheduleView[];
    expect(started[0].override).toMatchObject({ action: 'start', until: window?.end });
    expect(started[0].lastAction).toMatchObject({ outcome: 'manual_start' });

    await request(http).post(`/api/v1/projects/${project.id}/agents/stop`).expect(200);
    const stopped = (await request(http).get(base)).body as ScheduleView[];
    expect(stopped[0].override).toMatchObject({ action: 'stop', until: window?.end });
    expect(stopped[0].lastAction).toMatchObject({ outcome: 'manual_stop' });
  });
});
