import type { ListRunsQuery } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { Prisma, Run, RunEvent, RunRole, RunStatus } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { SESSION_PROGRESS_SQL, SESSIONS_PER_HOUR_SQL } from './sql/run.sql';
import { Db } from './transactions';

/** Prisma `include` giving a run's features, in one query with the runs. */
const RUN_FEATURES_INCLUDE = {
  features: { select: { feature: { select: { id: true, name: true, status: true } } } },
} satisfies Prisma.RunInclude;

/** A run with the features it worked on, as run views name them. */
export type RunWithFeatures = Prisma.RunGetPayload<{ include: typeof RUN_FEATURES_INCLUDE }>;

const IN_FLIGHT: RunStatus[] = ['queued', 'running'];

/** A row of SESSION_PROGRESS_SQL. */
export interface SessionProgressRow {
  runId: string;
  turns: bigint;
  toolName: string | null;
  toolInput: unknown;
  toolAt: Date | null;
}

/**
 * Runs (sessions), their event log and the features they worked on. Status moves only through
 * RunLifecycleService, whose compare-and-set is `move`.
 */
@Injectable()
export class RunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(id: string, db: Db = this.prisma): Promise<Run | null> {
    return db.run.findUnique({ where: { id } });
  }

  create(data: Prisma.RunUncheckedCreateInput, db: Db = this.prisma): Promise<RunWithFeatures> {
    return db.run.create({ data, include: RUN_FEATURES_INCLUDE });
  }

  /** Compare-and-set of the status: moves the runs matching `where` that are in one of `from`. */
  move(
    where: Prisma.RunWhereInput,
    from: readonly RunStatus[],
    data: Prisma.RunUncheckedUpdateManyInput,
    db: Db = this.prisma,
  ): Promise<Run[]> {
    return db.run.updateManyAndReturn({
      where: { AND: [where, { status: { in: [...from] } }] },
      data,
    });
  }

  /** A project's runs, newest first, with the total. */
  async page(
    projectId: string,
    filter: Pick<ListRunsQuery, 'status' | 'role' | 'featureId'>,
    offset: number,
    limit: number,
  ): Promise<{ rows: RunWithFeatures[]; total: number }> {
    const where: Prisma.RunWhereInput = {
      projectId,
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.role ? { role: filter.role } : {}),
      ...(filter.featureId ? { features: { some: { featureId: filter.featureId } } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.run.findMany({
        where,
        include: RUN_FEATURES_INCLUDE,
        orderBy: [{ queuedAt: 'desc' }, { id: 'asc' }],
        skip: offset,
        take: limit,
      }),
      this.prisma.run.count({ where }),
    ]);
    return { rows, total };
  }

  /** A run with its first `maxEvents` events. */
  withEvents(id: string, maxEvents: number) {
    return this.prisma.run.findUnique({
      where: { id },
      include: { ...RUN_FEATURES_INCLUDE, events: { orderBy: { id: 'asc' }, take: maxEvents } },
    });
  }

  /** Up to `take` events of a run after event `after`, oldest first. */
  events(runId: string, after: bigint | undefined, take: number): Promise<RunEvent[]> {
    return this.prisma.runEvent.findMany({
      where: { runId, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take,
    });
  }

  /** Appends to the run's log; when it was stored. */
  async addEvent(
    runId: string,
    event: { type: string; level: string; message: string; data: unknown },
  ): Promise<Date> {
    const row = await this.prisma.runEvent.create({
      data: {
        runId,
        type: event.type,
        level: event.level,
        message: event.message,
        data: event.data === undefined ? Prisma.JsonNull : (event.data as Prisma.InputJsonValue),
      },
      select: { createdAt: true },
    });
    return row.createdAt;
  }

  /** The newest "workspace.merged" event of a run: what it merged into main. */
  lastMerge(runId: string): Promise<RunEvent | null> {
    return this.prisma.runEvent.findFirst({
      where: { runId, type: 'workspace.merged' },
      orderBy: { id: 'desc' },
    });
  }

  /** Links features to the run (a link already there is kept). */
  async addFeatures(runId: string, featureIds: string[], db: Db = this.prisma): Promise<void> {
    await db.runFeature.createMany({
      data: featureIds.map((featureId) => ({ runId, featureId })),
      skipDuplicates: true,
    });
  }

  featureCount(runId: string, db: Db = this.prisma): Promise<number> {
    return db.runFeature.count({ where: { runId } });
  }

  /** Runs by status and the project's token and cost totals. */
  async totals(projectId: string) {
    const [byStatus, totals] = await Promise.all([
      this.prisma.run.groupBy({ by: ['status'], where: { projectId }, _count: { _all: true } }),
      this.prisma.run.aggregate({
        where: { projectId },
        _sum: {
          tokensIn: true,
          cacheReadTokens: true,
          cacheWriteTokens: true,
          tokensOut: true,
          costUsd: true,
        },
      }),
    ]);
    const sum = totals._sum;
    return {
      byStatus: byStatus.map((g) => ({ status: g.status, count: g._count._all })),
      // Every prompt token, fresh or through the cache (see runView).
      tokensIn: (sum.tokensIn ?? 0) + (sum.cacheReadTokens ?? 0) + (sum.cacheWriteTokens ?? 0),
      tokensOut: sum.tokensOut ?? 0,
      costUsd: Number(sum.costUsd ?? 0),
    };
  }

  /** Queued or running runs of a project (any role). */
  countInFlight(projectId: string): Promise<number> {
    return this.prisma.run.count({ where: { projectId, status: { in: IN_FLIGHT } } });
  }

  countQueued(): Promise<number> {
    return this.prisma.run.count({ where: { status: 'queued' } });
  }

  /** The project's initializer run queued or running, if any. */
  initializerInFlight(projectId: string, db: Db = this.prisma): Promise<Run | null> {
    return db.run.findFirst({
      where: { projectId, role: 'initializer', status: { in: IN_FLIGHT } },
    });
  }

  /** Coding and testing sessions queued or running, per project, role and status. */
  async sessionsInFlight(
    projectIds: string[],
    db: Db = this.prisma,
  ): Promise<{ projectId: string; role: RunRole; status: RunStatus; count: number }[]> {
    const groups = await db.run.groupBy({
      by: ['projectId', 'role', 'status'],
      where: {
        projectId: { in: projectIds },
        role: { in: ['coding', 'testing'] },
        status: { in: IN_FLIGHT },
      },
      _count: { _all: true },
    });
    return groups.map((g) => ({
      projectId: g.projectId,
      role: g.role,
      status: g.status,
      count: g._count._all,
    }));
  }

  /** Coding and testing runs in flight without an update since `before` (at most `take`). */
  async quietSessionIds(before: Date, take: number): Promise<string[]> {
    const runs = await this.prisma.run.findMany({
      where: {
        role: { in: ['coding', 'testing'] },
        status: { in: IN_FLIGHT },
        updatedAt: { lt: before },
      },
      select: { id: true },
      take,
    });
    return runs.map((r) => r.id);
  }

  /** A project's queued and running runs, oldest first. */
  inFlight(projectId: string): Promise<RunWithFeatures[]> {
    return this.prisma.run.findMany({
      where: { projectId, status: { in: IN_FLIGHT } },
      include: RUN_FEATURES_INCLUDE,
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Turns and newest tool call of each run (SESSION_PROGRESS_SQL). */
  sessionProgress(runIds: string[]): Promise<SessionProgressRow[]> {
    return this.prisma.$queryRawUnsafe<SessionProgressRow[]>(SESSION_PROGRESS_SQL, runIds);
  }

  /** Every running run with its project's name and features, oldest start first. */
  running() {
    return this.prisma.run.findMany({
      where: { status: 'running' },
      include: {
        ...RUN_FEATURES_INCLUDE,
        project: { select: { name: true } },
      },
      orderBy: [{ startedAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Sessions started in each of the last 24 hours (SESSIONS_PER_HOUR_SQL). */
  async sessionsPerHour(): Promise<{ hour: string; sessions: number }[]> {
    const rows =
      await this.prisma.$queryRawUnsafe<{ hour: string; sessions: number }[]>(
        SESSIONS_PER_HOUR_SQL,
      );
    return rows.map((h) => ({ hour: h.hour, sessions: Number(h.sessions) }));
  }

  /** The newest `take` runs of a project that worked on a feature. */
  forFeature(projectId: string, featureId: string, take: number): Promise<RunWithFeatures[]> {
    return this.prisma.run.findMany({
      where: { projectId, features: { some: { featureId } } },
      include: RUN_FEATURES_INCLUDE,
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      take,
    });
  }

  /**
   * The merge that made a feature pass: the newest coding run on it that merged its work to main
   * (workspace.merged) and then succeeded.
   */
  async mergedFor(projectId: string, featureId: string): Promise<string | null> {
    const run = await this.prisma.run.findFirst({
      where: {
        projectId,
        role: 'coding',
        status: 'succeeded',
        features: { some: { featureId } },
        events: { some: { type: 'workspace.merged' } },
      },
      orderBy: [{ finishedAt: 'desc' }, { queuedAt: 'desc' }],
      select: { id: true },
    });
    return run?.id ?? null;
  }

  /** The project's runs among `ids` with the first feature each worked on. */
  async firstFeatures(projectId: string, ids: string[]): Promise<Map<string, string | undefined>> {
    const runs = await this.prisma.run.findMany({
      where: { projectId, id: { in: ids } },
      select: { id: true, features: { select: { featureId: true }, take: 1 } },
    });
    return new Map(runs.map((r) => [r.id, r.features[0]?.featureId]));
  }
}
