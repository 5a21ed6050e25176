import { Injectable } from '@nestjs/common';
import type { Prisma, ProjectStatus, Run, Schedule } from '../generated/prisma/client';
import { isPrismaError } from './prisma-errors';
import { PrismaService } from './prisma.service';
import { SCHEDULE_LOCK_SQL } from './sql/schedules.sql';
import { Db } from './transactions';

/** Setting keys (scope `project:<id>`) of what the schedules did to a project and an override. */
export const SCHEDULE_STATE_KEY = 'schedule.state';
export const SCHEDULE_OVERRIDE_KEY = 'schedule.override';

/** The fields of a schedule that a person sets (validated by the caller). */
export type ScheduleRule = Pick<
  Schedule,
  'daysOfWeek' | 'startTime' | 'durationMinutes' | 'timeZone' | 'enabled'
>;

/** A project's schedule settings as stored (JSON; their shape belongs to the schedules' policy). */
export interface StoredScheduleSettings {
  state: Prisma.JsonValue | null;
  override: Prisma.JsonValue | null;
}

/** The newest session run that ended, as the reconciler judges a crash by it. */
export type FinishedRun = Pick<Run, 'id' | 'status' | 'error'>;

function projectScope(projectId: string): string {
  return `project:${projectId}`;
}

/**
 * The reads and writes of schedules and their per-project state, on a connection or inside a
 * transaction holding the project's schedule lock (ScheduleRepository.withProjectLock).
 */
export class ScheduleStore {
  constructor(protected readonly db: Db) {}

  /** Enabled schedules of one project, or of every project. */
  enabled(projectId?: string): Promise<Schedule[]> {
    return this.db.schedule.findMany({
      where: { enabled: true, ...(projectId ? { projectId } : {}) },
    });
  }

  /** Stored state and override per project id (nulls for a project without them). */
  async settings(projectIds: string[]): Promise<Map<string, StoredScheduleSettings>> {
    const rows = await this.db.setting.findMany({
      where: {
        scope: { in: projectIds.map(projectScope) },
        key: { in: [SCHEDULE_STATE_KEY, SCHEDULE_OVERRIDE_KEY] },
      },
    });
    const out = new Map<string, StoredScheduleSettings>(
      projectIds.map((id) => [id, { state: null, override: null }]),
    );
    for (const row of rows) {
      const entry = out.get(row.scope.slice('project:'.length));
      if (!entry) continue;
      if (row.key === SCHEDULE_STATE_KEY) entry.state = row.value;
      else entry.override = row.value;
    }
    return out;
  }

  async saveState(projectId: string, state: object): Promise<void> {
    await this.put(projectId, SCHEDULE_STATE_KEY, state);
  }

  /** Stores the override, or removes it (null). */
  async saveOverride(projectId: string, override: object | null): Promise<void> {
    if (override) await this.put(projectId, SCHEDULE_OVERRIDE_KEY, override);
    else {
      await this.db.setting.deleteMany({
        where: { scope: projectScope(projectId), key: SCHEDULE_OVERRIDE_KEY },
      });
    }
  }

  /** Drops everything kept for a project (it was deleted). */
  async forgetProject(projectId: string): Promise<void> {
    await this.db.setting.deleteMany({ where: { scope: projectScope(projectId) } });
  }

  /** The project's status, or null when it is gone. */
  async projectStatus(projectId: string): Promise<ProjectStatus | null> {
    const project = await this.db.project.findUnique({
      where: { id: projectId },
      select: { status: true },
    });
    return project?.status ?? null;
  }

  /** queuedAt of the project's newest run (Postgres time), or null. */
  async newestRunAt(projectId: string): Promise<Date | null> {
    const run = await this.db.run.findFirst({
      where: { projectId },
      orderBy: { queuedAt: 'desc' },
      select: { queuedAt: true },
    });
    return run?.queuedAt ?? null;
  }

  /** The coding or testing run that finished last, among those queued after `queuedAfter`. */
  lastFinishedSessionRun(projectId: string, queuedAfter: Date | null): Promise<FinishedRun | null> {
    return this.db.run.findFirst({
      where: {
        projectId,
        role: { in: ['coding', 'testing'] },
        finishedAt: { not: null },
        ...(queuedAfter ? { queuedAt: { gt: queuedAfter } } : {}),
      },
      orderBy: { finishedAt: 'desc' },
      select: { id: true, status: true, error: true },
    });
  }

  private async put(projectId: string, key: string, value: object): Promise<void> {
    const json = value as Prisma.InputJsonValue;
    await this.db.setting.upsert({
      where: { scope_key: { scope: projectScope(projectId), key } },
      create: { scope: projectScope(projectId), key, value: json },
      update: { value: json },
    });
  }
}

/**
 * Schedules (weekly windows of a project) and what the schedules keep per project in Setting.
 * Changes to a schedule run a caller's step inside their transaction (the BullMQ job scheduler
 * sync), so a schedule is not changed when that step fails.
 */
@Injectable()
export class ScheduleRepository extends ScheduleStore {
  constructor(private readonly prisma: PrismaService) {
    super(prisma);
  }

  /** Runs `fn` in a transaction holding the project's schedule lock (see SCHEDULE_LOCK_SQL). */
  withProjectLock<T>(projectId: string, fn: (store: ScheduleStore) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(SCHEDULE_LOCK_SQL, `schedule:${projectId}`);
      return fn(new ScheduleStore(tx));
    });
  }

  /** Creates a schedule; `alongside` runs before the commit and undoes the insert by throwing. */
  create(
    projectId: string,
    rule: ScheduleRule,
    alongside: (row: Schedule) => Promise<void>,
  ): Promise<Schedule> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.schedule.create({ data: { projectId, ...rule } });
      await alongside(row);
      return row;
    });
  }

  /** Changes a schedule as `create` does; null when it does not exist (any more). */
  async update(
    scheduleId: string,
    rule: ScheduleRule,
    alongside: (row: Schedule) => Promise<void>,
  ): Promise<Schedule | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.schedule.update({ where: { id: scheduleId }, data: rule });
        await alongside(row);
        return row;
      });
    } catch (err) {
      if (isPrismaError(err, 'missing')) return null;
      throw err;
    }
  }

  /** Deletes a schedule (none: no change); `alongside` runs before the commit. */
  async delete(scheduleId: string, alongside: () => Promise<void>): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await tx.schedule.deleteMany({ where: { id: scheduleId } });
      await alongside();
    });
  }

  /** A project's schedules, oldest first. */
  listOf(projectId: string): Promise<Schedule[]> {
    return this.prisma.schedule.findMany({
      where: { projectId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** The schedule if it belongs to the project. */
  findInProject(projectId: string, scheduleId: string): Promise<Schedule | null> {
    return this.prisma.schedule.findFirst({ where: { id: scheduleId, projectId } });
  }

  findById(scheduleId: string): Promise<Schedule | null> {
    return this.prisma.schedule.findUnique({ where: { id: scheduleId } });
  }

  /** Status per project id, for those that exist. */
  async projectStatuses(projectIds: string[]): Promise<Map<string, ProjectStatus>> {
    const rows = await this.prisma.project.findMany({
      where: { id: { in: projectIds } },
      select: { id: true, status: true },
    });
    return new Map(rows.map((p) => [p.id, p.status]));
  }

  /** Projects whose agents the schedules are in charge of (state.owned is true). */
  async ownedProjectIds(): Promise<string[]> {
    const rows = await this.prisma.setting.findMany({
      where: { key: SCHEDULE_STATE_KEY, value: { path: ['owned'], equals: true } },
      select: { scope: true },
    });
    return rows.map((r) => r.scope.slice('project:'.length));
  }
}
