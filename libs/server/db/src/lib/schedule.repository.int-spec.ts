// ScheduleRepository against the real Postgres (own database): schedule changes commit only with
// the caller's step, the per-project lock makes lockers take turns, and the reads the reconciler
// judges by (settings, owned projects, project status, runs).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { PrismaService } from './prisma.service';
import { ScheduleRepository, ScheduleRule } from './schedule.repository';

const rule = (over: Partial<ScheduleRule> = {}): ScheduleRule => ({
  daysOfWeek: [1, 3],
  startTime: '09:00',
  durationMinutes: 60,
  timeZone: 'UTC',
  enabled: true,
  ...over,
});

/** The step beside a change when there is nothing to do but commit. */
const nothing = (): Promise<void> => Promise.resolve();

describe('ScheduleRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let schedules: ScheduleRepository;

  beforeAll(async () => {
    t = await startDbTestModule(8);
    prisma = t.get(PrismaService);
    schedules = t.get(ScheduleRepository);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const project = async (): Promise<string> =>
    (await prisma.project.create({ data: { name: `s-${randomUUID()}`, spec: '-' } })).id;

  it('creates, changes and deletes a schedule only together with the step beside it', async () => {
    const projectId = await project();
    const seen: string[] = [];
    const created = await schedules.create(projectId, rule(), async (row) => {
      seen.push(row.id);
    });
    expect(seen).toEqual([created.id]);
    expect(created).toMatchObject({ projectId, daysOfWeek: [1, 3], enabled: true });

    await expect(
      schedules.create(projectId, rule({ startTime: '10:00' }), () =>
        Promise.reject(new Error('redis down')),
      ),
    ).rejects.toThrow('redis down');
    await expect(
      schedules.update(created.id, rule({ enabled: false }), () =>
        Promise.reject(new Error('redis down')),
      ),
    ).rejects.toThrow('redis down');
    await expect(
      schedules.delete(created.id, () => Promise.reject(new Error('redis down'))),
    ).rejects.toThrow('redis down');
    // Nothing of the three failed changes stayed.
    expect(await schedules.listOf(projectId)).toEqual([created]);

    const changed = await schedules.update(created.id, rule({ enabled: false }), nothing);
    expect(changed?.enabled).toBe(false);
    await schedules.delete(created.id, nothing);
    expect(await schedules.findById(created.id)).toBeNull();
    // Missing: update answers null, delete changes nothing.
    expect(await schedules.update(created.id, rule(), nothing)).toBeNull();
    await expect(schedules.delete(created.id, nothing)).resolves.toBeUndefined();
  });

  it('lists a project’s schedules oldest first, finds one only in its project, filters enabled', async () => {
    const [a, b] = [await project(), await project()];
    const first = await schedules.create(a, rule(), nothing);
    const off = await schedules.create(a, rule({ enabled: false }), nothing);
    const other = await schedules.create(b, rule(), nothing);
    expect((await schedules.listOf(a)).map((s) => s.id)).toEqual([first.id, off.id]);
    expect(await schedules.findInProject(a, other.id)).toBeNull();
    expect((await schedules.findInProject(b, other.id))?.id).toBe(other.id);
    expect((await schedules.enabled(a)).map((s) => s.id)).toEqual([first.id]);
    const all = (await schedules.enabled()).map((s) => s.id);
    expect(all).toEqual(expect.arrayContaining([first.id, other.id]));
    expect(all).not.toContain(off.id);
  });

  it('keeps state and override per project in Setting, and forgets them with the project', async () => {
    const [a, b] = [await project(), await project()];
    const none = randomUUID();
    await schedules.saveState(a, { owned: true, outcome: 'started' });
    await schedules.saveState(b, { owned: false, outcome: 'ended' });
    await schedules.saveOverride(a, { action: 'stop', until: 'x' });
    const settings = await schedules.settings([a, b, none]);
    expect(settings.get(a)).toEqual({
      state: { owned: true, outcome: 'started' },
      override: { action: 'stop', until: 'x' },
    });
    expect(settings.get(b)).toEqual({ state: { owned: false, outcome: 'ended' }, override: null });
    expect(settings.get(none)).toEqual({ state: null, override: null });

    const owned = await schedules.ownedProjectIds();
    expect(owned).toContain(a);
    expect(owned).not.toContain(b);

    await schedules.saveOverride(a, null);
    expect((await schedules.settings([a])).get(a)?.override).toBeNull();
    await prisma.setting.create({ data: { scope: `project:${a}`, key: 'other', value: 1 } });
    await schedules.forgetProject(a);
    expect(await prisma.setting.count({ where: { scope: `project:${a}` } })).toBe(0);
    expect((await schedules.settings([b])).get(b)?.state).not.toBeNull();
  });

  it('reads project status and the runs a crash is judged by', async () => {
    const projectId = await project();
    expect(await schedules.projectStatus(projectId)).toBe('idle');
    expect(await schedules.projectStatus(randomUUID())).toBeNull();
    expect(await schedules.projectStatuses([projectId, randomUUID()])).toEqual(
      new Map([[projectId, 'idle']]),
    );
    expect(await schedules.newestRunAt(projectId)).toBeNull();
    expect(await schedules.lastFinishedSessionRun(projectId, null)).toBeNull();

    const t = (m: number) => new Date(Date.UTC(2025, 0, 1, 9, m));
    const run = (role: 'coding' | 'testing' | 'initializer', queued: number, finished?: number) =>
      prisma.run.create({
        data: {
          projectId,
          role,
          status: finished === undefined ? 'running' : 'failed',
          error: 'boom',
          queuedAt: t(queued),
          finishedAt: finished === undefined ? null : t(finished),
        },
      });
    const early = await run('coding', 0, 30);
    const late = await run('testing', 10, 20);
    await run('initializer', 15, 40); // not a session run
    await run('coding', 20); // still running
    expect(await schedules.newestRunAt(projectId)).toEqual(t(20));
    // Finished last, whenever queued.
    expect(await schedules.lastFinishedSessionRun(projectId, null)).toEqual({
      id: early.id,
      status: 'failed',
      error: 'boom',
    });
    // Only runs queued after the start count.
    expect((await schedules.lastFinishedSessionRun(projectId, t(5)))?.id).toBe(late.id);
    expect(await schedules.lastFinishedSessionRun(projectId, t(10))).toBeNull();
  });

  it('makes lockers of one project take turns, and the second sees what the first wrote', async () => {
    const [a, b] = [await project(), await project()];
    const order: string[] = [];
    const first = schedules.withProjectLock(a, async (store) => {
      order.push('first in');
      await sleep(300);
      await store.saveState(a, { n: 1 });
      order.push('first out');
    });
    await sleep(50);
    // Another project's lock is not held up by it.
    await schedules.withProjectLock(b, async () => {
      order.push('other project');
    });
    const second = schedules.withProjectLock(a, async (store) => {
      order.push('second in');
      return (await store.settings([a])).get(a)?.state;
    });
    await first;
    expect(await second).toEqual({ n: 1 });
    expect(order).toEqual(['first in', 'other project', 'first out', 'second in']);

    // A failure inside the lock undoes its writes.
    await expect(
      schedules.withProjectLock(a, async (store) => {
        await store.saveState(a, { n: 2 });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await schedules.settings([a])).get(a)?.state).toEqual({ n: 1 });
  });
});
