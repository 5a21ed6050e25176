// The lifecycle services against the real Postgres (own database): a transition is one
// compare-and-set, so of two writers racing on the same record exactly one moves it and the
// other is refused with IllegalTransitionError; sweeps skip what already moved on.
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { ProjectLifecycleService } from './project-lifecycle.service';
import { RunLifecycleService } from './run-lifecycle.service';
import { IllegalTransitionError } from './transition-table';

describe('run and project lifecycles (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let runs: RunLifecycleService;
  let projects: ProjectLifecycleService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [DbModule.forRoot({ databaseUrl: db.url })],
      providers: [RunLifecycleService, ProjectLifecycleService],
    }).compile();
    app = await moduleRef.init();
    prisma = app.get(PrismaService);
    runs = app.get(RunLifecycleService);
    projects = app.get(ProjectLifecycleService);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const newProject = () =>
    prisma.project.create({ data: { name: `p-${randomBytes(4).toString('hex')}`, spec: 'x' } });
  const newRun = (projectId: string) => prisma.run.create({ data: { projectId, role: 'coding' } });

  it('moves a run through its life, recording the fields and when it ended', async () => {
    const p = await newProject();
    const run = await newRun(p.id);
    expect(run.status).toBe('queued');
    const started = await runs.apply(run.id, 'start', { attempt: 1, runnerId: 'r1' });
    expect(started).toMatchObject({ status: 'running', attempt: 1, runnerId: 'r1' });
    expect(started.finishedAt).toBeNull();
    const done = await runs.apply(run.id, 'succeed', { error: null });
    expect(done.status).toBe('succeeded');
    expect(done.finishedAt).toBeInstanceOf(Date);
  });

  it('refuses an illegal transition and leaves the run as it was', async () => {
    const p = await newProject();
    const run = await newRun(p.id);
    await runs.apply(run.id, 'cancel', { error: 'project stopped' });
    const refused = runs.apply(run.id, 'start', { runnerId: 'late' });
    await expect(refused).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(refused).rejects.toMatchObject({ entity: 'run', from: 'cancelled' });
    expect(await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: 'cancelled',
      runnerId: null,
    });
    await expect(runs.apply('00000000-0000-4000-8000-000000000000', 'fail')).rejects.toMatchObject({
      from: null,
    });
  });

  it('of concurrent writers to one run, exactly one wins', async () => {
    const p = await newProject();
    for (let round = 0; round < 10; round++) {
      const run = await newRun(p.id);
      await runs.apply(run.id, 'start');
      const outcomes = await Promise.allSettled([
        runs.apply(run.id, 'succeed'),
        runs.apply(run.id, 'cancel', { error: 'stopped' }),
        runs.apply(run.id, 'get_stuck'),
        runs.apply(run.id, 'fail', { error: 'lost' }),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(IllegalTransitionError);
      }
      const final = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      expect(final.status).toBe(
        (won[0] as PromiseFulfilledResult<{ status: string }>).value.status,
      );
    }
  });

  it('a sweep moves only the runs the event may leave', async () => {
    const p = await newProject();
    const [queued, running, finished] = await Promise.all([
      newRun(p.id),
      newRun(p.id),
      newRun(p.id),
    ]);
    await runs.apply(running.id, 'start');
    await runs.apply(finished.id, 'start');
    await runs.apply(finished.id, 'succeed');
    const cancelled = await runs.applyMany({ projectId: p.id, status: 'queued' }, 'cancel', {
      error: 'project paused',
    });
    expect(cancelled.map((r) => r.id)).toEqual([queued.id]);
    const failed = await runs.applyMany({ projectId: p.id }, 'fail', { error: 'job lost' });
    expect(failed.map((r) => r.id)).toEqual([running.id]);
    expect((await prisma.run.findUniqueOrThrow({ where: { id: finished.id } })).status).toBe(
      'succeeded',
    );
  });

  it('moves a project only along its table, inside a caller transaction too', async () => {
    const p = await newProject();
    expect(p.status).toBe('idle');
    await expect(projects.apply(p.id, 'pause')).rejects.toMatchObject({
      entity: 'project',
      from: 'idle',
    });
    await prisma.$transaction(async (tx) => {
      await projects.apply(p.id, 'start', { concurrency: 3 }, tx);
    });
    expect(await prisma.project.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({
      status: 'running',
      concurrency: 3,
    });
    expect(await projects.tryApply(p.id, 'resume')).toBe(false);
    expect(await projects.tryApply(p.id, 'await_answers')).toBe(true);
    expect(await projects.tryApply(p.id, 'wake')).toBe(true);
  });

  it('writers racing on a running project: exactly one moves it', async () => {
    // Events that all leave only running, so no serial order lets two of them succeed.
    const events = ['finish', 'await_answers', 'budget_spent', 'pause'] as const;
    const reached = {
      finish: 'ready',
      await_answers: 'waiting',
      budget_spent: 'idle',
      pause: 'paused',
    };
    for (let round = 0; round < 10; round++) {
      const p = await newProject();
      await projects.apply(p.id, 'start');
      const moved = await Promise.all(events.map((e) => projects.tryApply(p.id, e)));
      expect(moved.filter(Boolean)).toHaveLength(1);
      const winner = events[moved.indexOf(true)];
      const status = (await prisma.project.findUniqueOrThrow({ where: { id: p.id } })).status;
      expect(status).toBe(reached[winner]);
    }
  });
});
