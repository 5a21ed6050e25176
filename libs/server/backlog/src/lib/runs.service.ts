import {
  JobName,
  ListRunsQuery,
  Page,
  ProjectStatsView,
  RUN_STATUSES,
  RunDetailView,
  RunEventsPageView,
  RunEventsQuery,
  RunStatus,
  RunView,
} from '@autocoder/shared-contracts';
import { Prisma, PrismaService } from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { Injectable } from '@nestjs/common';
import { conflict, notFound } from './errors';
import { ProjectLifecycleService, RunLifecycleService } from './lifecycle';
import { ProjectsService } from './projects.service';
import { emptyCounts, progressOf, RUN_FEATURES_INCLUDE, runEventView, runView } from './views';

/** Most events returned with a run; the log of a long session is paged by id. */
const MAX_EVENTS = 500;

@Injectable()
export class RunsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
    private readonly queue: JobQueueService,
    private readonly runLifecycle: RunLifecycleService,
    private readonly projectLifecycle: ProjectLifecycleService,
  ) {}

  /**
   * Records an initializer run and enqueues it (job id = run id). When the queue is down the run
   * is marked failed with the reason and the caller gets 503: nothing is left half-started.
   */
  async startInitializer(projectId: string, requestId?: string, userId?: string): Promise<RunView> {
    const run = await this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
      if (locked.length === 0) throw notFound('project', projectId);
      const active = await tx.run.findFirst({
        where: { projectId, role: 'initializer', status: { in: ['queued', 'running'] } },
      });
      if (active)
        throw conflict(
          `an initializer run (${active.id}) is already ${active.status} for this project`,
        );
      const features = await tx.feature.count({ where: { projectId } });
      if (features > 0) {
        throw conflict(
          `the project already has a backlog of ${features} feature(s); the initializer only fills an empty one`,
        );
      }
      await this.projectLifecycle.apply(projectId, 'initialize', {}, tx);
      return tx.run.create({
        data: { projectId, role: 'initializer', requestId, startedById: userId },
        include: RUN_FEATURES_INCLUDE,
      });
    });
    try {
      await this.queue.enqueue({
        name: JobName.InitializerSession,
        data: { runId: run.id, projectId, requestId },
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await this.prisma.$transaction(async (tx) => {
        await this.runLifecycle.apply(run.id, 'fail', { error: reason }, tx);
        await this.projectLifecycle.apply(projectId, 'initialize_failed', {}, tx);
      });
      throw err;
    }
    return runView(run);
  }

  async list(projectId: string, query: ListRunsQuery): Promise<Page<RunView>> {
    await this.projects.require(projectId);
    const where: Prisma.RunWhereInput = {
      projectId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.role ? { role: query.role } : {}),
      ...(query.featureId ? { features: { some: { featureId: query.featureId } } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.run.findMany({
        where,
        include: RUN_FEATURES_INCLUDE,
        orderBy: [{ queuedAt: 'desc' }, { id: 'asc' }],
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.run.count({ where }),
    ]);
    return { items: rows.map(runView), total, limit: query.limit, offset: query.offset };
  }

  async get(runId: string): Promise<RunDetailView> {
    const run = await this.prisma.run.findUnique({
      where: { id: runId },
      include: { ...RUN_FEATURES_INCLUDE, events: { orderBy: { id: 'asc' }, take: MAX_EVENTS } },
    });
    if (!run) throw notFound('run', runId);
    return { ...runView(run), events: run.events.map(runEventView) };
  }

  /** The run's stored log after event `after`, oldest first, a page at a time. */
  async events(runId: string, query: RunEventsQuery): Promise<RunEventsPageView> {
    const run = await this.prisma.run.findUnique({ where: { id: runId }, select: { id: true } });
    if (!run) throw notFound('run', runId);
    const rows = await this.prisma.runEvent.findMany({
      where: { runId, ...(query.after ? { id: { gt: BigInt(query.after) } } : {}) },
      orderBy: { id: 'asc' },
      take: query.limit + 1,
    });
    return {
      items: rows.slice(0, query.limit).map(runEventView),
      hasMore: rows.length > query.limit,
    };
  }

  async stats(projectId: string): Promise<ProjectStatsView> {
    await this.projects.require(projectId);
    const counts = (await this.projects.countsFor([projectId])).get(projectId);
    const [byStatus, totals] = await Promise.all([
      this.prisma.run.groupBy({ by: ['status'], where: { projectId }, _count: { _all: true } }),
      this.prisma.run.aggregate({
        where: { projectId },
        _sum: { tokensIn: true, tokensOut: true, costUsd: true },
      }),
    ]);
    const runs = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    for (const g of byStatus) runs[g.status] = g._count._all;
    const c = counts ?? emptyCounts();
    return {
      projectId,
      counts: c,
      ...progressOf(c),
      runs,
      tokensIn: totals._sum.tokensIn ?? 0,
      tokensOut: totals._sum.tokensOut ?? 0,
      costUsd: Number(totals._sum.costUsd ?? 0),
    };
  }
}
