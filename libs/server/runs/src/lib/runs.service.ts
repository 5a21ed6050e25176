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
  SessionView,
} from '@autocoder/shared-contracts';
import {
  FeaturesRepository,
  ProjectsRepository,
  RunsRepository,
  Transactions,
} from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { Injectable } from '@nestjs/common';
import {
  conflict,
  notFound,
  ProjectsService,
  emptyCounts,
  progressOf,
  runEventView,
  runView,
} from '@autocoder/server-projects';
import { ProjectLifecycleService, RunLifecycleService } from './lifecycle';
import { toolCallSummary } from './tool-call-summary';

/** Most events returned with a run; the log of a long session is paged by id. */
const MAX_EVENTS = 500;

@Injectable()
export class RunsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly runs: RunsRepository,
    private readonly projectRows: ProjectsRepository,
    private readonly features: FeaturesRepository,
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
    const run = await this.transactions.run(async (tx) => {
      if (!(await this.projectRows.lock(tx, projectId))) throw notFound('project', projectId);
      const active = await this.runs.initializerInFlight(projectId, tx);
      if (active)
        throw conflict(
          `an initializer run (${active.id}) is already ${active.status} for this project`,
        );
      const features = await this.features.count(projectId, undefined, tx);
      if (features > 0) {
        throw conflict(
          `the project already has a backlog of ${features} feature(s); the initializer only fills an empty one`,
        );
      }
      await this.projectLifecycle.apply(projectId, 'initialize', {}, tx);
      return this.runs.create(
        { projectId, role: 'initializer', requestId, startedById: userId },
        tx,
      );
    });
    try {
      await this.queue.enqueue({
        name: JobName.InitializerSession,
        data: { runId: run.id, projectId, requestId },
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await this.transactions.run(async (tx) => {
        await this.runLifecycle.apply(run.id, 'fail', { error: reason }, tx);
        await this.projectLifecycle.apply(projectId, 'initialize_failed', {}, tx);
      });
      throw err;
    }
    return runView(run);
  }

  async list(projectId: string, query: ListRunsQuery): Promise<Page<RunView>> {
    await this.projects.require(projectId);
    const { rows, total } = await this.runs.page(projectId, query, query.offset, query.limit);
    return { items: rows.map(runView), total, limit: query.limit, offset: query.offset };
  }

  /** The sessions of a project queued or running now, as the live sessions panel shows them. */
  async sessions(projectId: string): Promise<SessionView[]> {
    await this.projects.require(projectId);
    const runs = await this.runs.inFlight(projectId);
    if (runs.length === 0) return [];
    const rows = await this.runs.sessionProgress(runs.map((r) => r.id));
    const progress = new Map(rows.map((r) => [r.runId, r]));
    return runs.map((run) => {
      const p = progress.get(run.id);
      return {
        run: runView(run),
        turns: Number(p?.turns ?? 0),
        lastTool:
          p?.toolName && p.toolAt
            ? {
                name: p.toolName,
                summary: toolCallSummary(p.toolInput),
                at: p.toolAt.toISOString(),
              }
            : null,
      };
    });
  }

  async get(runId: string): Promise<RunDetailView> {
    const run = await this.runs.withEvents(runId, MAX_EVENTS);
    if (!run) throw notFound('run', runId);
    return { ...runView(run), events: run.events.map(runEventView) };
  }

  /** The run's stored log after event `after`, oldest first, a page at a time. */
  async events(runId: string, query: RunEventsQuery): Promise<RunEventsPageView> {
    if (!(await this.runs.find(runId))) throw notFound('run', runId);
    const after = query.after ? BigInt(query.after) : undefined;
    const rows = await this.runs.events(runId, after, query.limit + 1);
    return {
      items: rows.slice(0, query.limit).map(runEventView),
      hasMore: rows.length > query.limit,
    };
  }

  async stats(projectId: string): Promise<ProjectStatsView> {
    await this.projects.require(projectId);
    const counts = (await this.projects.countsFor([projectId])).get(projectId);
    const { byStatus, ...totals } = await this.runs.totals(projectId);
    const runs = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
    for (const g of byStatus) runs[g.status] = g.count;
    const c = counts ?? emptyCounts();
    return { projectId, counts: c, ...progressOf(c), runs, ...totals };
  }
}
