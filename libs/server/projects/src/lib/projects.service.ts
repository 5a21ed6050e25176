import {
  CreateProjectInput,
  ListProjectsQuery,
  Page,
  ProjectDeletePreviewView,
  ProjectView,
  StatusCounts,
  UpdateProjectInput,
} from '@autocoder/shared-contracts';
import {
  FeaturesRepository,
  isPrismaError,
  Prisma,
  Project,
  ProjectsRepository,
  RunsRepository,
  UsageRepository,
} from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { conflict, notFound } from './errors';
import { emptyCounts, NO_FIGURES, ProjectFigures, projectView } from './views';

/** Midnight UTC of the day holding `at`: where "spent today" begins. */
export function startOfUtcDay(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly features: FeaturesRepository,
    private readonly runs: RunsRepository,
    private readonly usage: UsageRepository,
  ) {}

  /** `userId`: who creates it (their runs are attributed to them until someone starts the agents). */
  async create(input: CreateProjectInput, userId?: string): Promise<ProjectView> {
    try {
      const project = await this.projects.create({
        name: input.name,
        spec: input.spec,
        concurrency: input.concurrency,
        verifyCommand: input.verifyCommand,
        budgetUsd: input.budgetUsd,
        budgetWarnShare: input.budgetWarnShare,
        settings: (input.agents ?? {}) as Prisma.InputJsonValue,
        createdById: userId ?? null,
      });
      return projectView(project, emptyCounts());
    } catch (err) {
      if (isPrismaError(err, 'unique'))
        throw conflict(`a project named "${input.name}" already exists`);
      throw err;
    }
  }

  async list(query: ListProjectsQuery): Promise<Page<ProjectView>> {
    const { rows, total } = await this.projects.page(query.q, query.offset, query.limit);
    return { items: await this.views(rows), total, limit: query.limit, offset: query.offset };
  }

  async get(id: string): Promise<ProjectView> {
    const [view] = await this.views([await this.require(id)]);
    return view;
  }

  /** Views of a page of projects, with their counts and figures in grouped queries. */
  private async views(rows: Project[]): Promise<ProjectView[]> {
    const ids = rows.map((r) => r.id);
    const [counts, figures] = await Promise.all([this.countsFor(ids), this.figuresFor(ids)]);
    return rows.map((r) =>
      projectView(r, counts.get(r.id) ?? emptyCounts(), figures.get(r.id) ?? NO_FIGURES),
    );
  }

  async update(id: string, input: UpdateProjectInput): Promise<ProjectView> {
    try {
      const { agents, ...fields } = input;
      await this.projects.update(
        id,
        agents ? { ...fields, settings: agents as Prisma.InputJsonValue } : fields,
      );
    } catch (err) {
      if (isPrismaError(err, 'missing')) throw notFound('project', id);
      if (isPrismaError(err, 'unique'))
        throw conflict(`a project named "${input.name}" already exists`);
      throw err;
    }
    return this.get(id);
  }

  /** What deleting the project would remove, for the console's confirmation. */
  async deletePreview(id: string): Promise<ProjectDeletePreviewView> {
    const project = await this.require(id);
    const [contents, activeRuns] = await Promise.all([
      this.projects.contents(id),
      this.runs.countInFlight(id),
    ]);
    return { projectId: id, name: project.name, ...contents, activeRuns };
  }

  async remove(id: string): Promise<void> {
    await this.require(id);
    const active = await this.runs.countInFlight(id);
    if (active > 0)
      throw conflict(`project ${id} has ${active} queued or running run(s); stop them first`);
    await this.projects.delete(id);
  }

  async require(id: string): Promise<Project> {
    const project = await this.projects.find(id);
    if (!project) throw notFound('project', id);
    return project;
  }

  /**
   * Spend (all and since midnight UTC) and sessions in flight for a page of projects: three
   * grouped queries whatever the page size.
   */
  async figuresFor(projectIds: string[]): Promise<Map<string, ProjectFigures>> {
    const result = new Map<string, ProjectFigures>();
    if (projectIds.length === 0) return result;
    const figures = (id: string): ProjectFigures => {
      let f = result.get(id);
      if (!f) result.set(id, (f = { ...NO_FIGURES }));
      return f;
    };
    const [spent, spentToday, sessions] = await Promise.all([
      this.usage.spentPerProject(projectIds),
      this.usage.spentPerProject(projectIds, startOfUtcDay()),
      this.runs.sessionsInFlight(projectIds),
    ]);
    for (const [id, usd] of spent) figures(id).spentUsd = usd;
    for (const [id, usd] of spentToday) figures(id).spentTodayUsd = usd;
    for (const g of sessions) {
      const f = figures(g.projectId);
      if (g.role === 'coding') f.codingSessions += g.count;
      else f.testingSessions += g.count;
    }
    return result;
  }

  async countsFor(projectIds: string[]): Promise<Map<string, StatusCounts>> {
    const result = new Map<string, StatusCounts>();
    if (projectIds.length === 0) return result;
    for (const g of await this.features.countByStatus(projectIds)) {
      const counts = result.get(g.projectId) ?? emptyCounts();
      counts[g.status] = g.count;
      result.set(g.projectId, counts);
    }
    return result;
  }
}
