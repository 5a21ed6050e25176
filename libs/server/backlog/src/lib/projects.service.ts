import {
  CreateProjectInput,
  ListProjectsQuery,
  Page,
  ProjectDeletePreviewView,
  ProjectView,
  StatusCounts,
  UpdateProjectInput,
} from '@autocoder/shared-contracts';
import { Prisma, PrismaService, Project } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { conflict, isRecordMissing, isUniqueViolation, notFound } from './errors';
import { emptyCounts, NO_FIGURES, ProjectFigures, projectView } from './views';

/** Midnight UTC of the day holding `at`: where "spent today" begins. */
export function startOfUtcDay(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

@Injectable()
export class ProjectsService {
  constructor(private readonly prisma: PrismaService) {}

  /** `userId`: who creates it (their runs are attributed to them until someone starts the agents). */
  async create(input: CreateProjectInput, userId?: string): Promise<ProjectView> {
    try {
      const project = await this.prisma.project.create({
        data: {
          name: input.name,
          spec: input.spec,
          concurrency: input.concurrency,
          verifyCommand: input.verifyCommand,
          budgetUsd: input.budgetUsd,
          budgetWarnShare: input.budgetWarnShare,
          settings: (input.agents ?? {}) as Prisma.InputJsonValue,
          createdById: userId ?? null,
        },
      });
      return projectView(project, emptyCounts());
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a project named "${input.name}" already exists`);
      throw err;
    }
  }

  async list(query: ListProjectsQuery): Promise<Page<ProjectView>> {
    const where: Prisma.ProjectWhereInput = query.q
      ? { name: { contains: query.q, mode: 'insensitive' } }
      : {};
    const [rows, total] = await Promise.all([
      this.prisma.project.findMany({
        where,
        orderBy: { createdAt: 'desc' },
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.project.count({ where }),
    ]);
    const ids = rows.map((r) => r.id);
    const [counts, figures] = await Promise.all([this.countsFor(ids), this.figuresFor(ids)]);
    return {
      items: rows.map((r) =>
        projectView(r, counts.get(r.id) ?? emptyCounts(), figures.get(r.id) ?? NO_FIGURES),
      ),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(id: string): Promise<ProjectView> {
    const project = await this.require(id);
    const [counts, figures] = await Promise.all([this.countsFor([id]), this.figuresFor([id])]);
    return projectView(project, counts.get(id) ?? emptyCounts(), figures.get(id) ?? NO_FIGURES);
  }

  async update(id: string, input: UpdateProjectInput): Promise<ProjectView> {
    try {
      const { agents, ...fields } = input;
      await this.prisma.project.update({
        where: { id },
        data: agents ? { ...fields, settings: agents as Prisma.InputJsonValue } : fields,
      });
    } catch (err) {
      if (isRecordMissing(err)) throw notFound('project', id);
      if (isUniqueViolation(err)) throw conflict(`a project named "${input.name}" already exists`);
      throw err;
    }
    return this.get(id);
  }

  /** What deleting the project would remove, for the console's confirmation. */
  async deletePreview(id: string): Promise<ProjectDeletePreviewView> {
    const project = await this.require(id);
    const where = { projectId: id };
    const [features, runs, conversations, schedules, activeRuns] = await Promise.all([
      this.prisma.feature.count({ where }),
      this.prisma.run.count({ where }),
      this.prisma.conversation.count({ where }),
      this.prisma.schedule.count({ where }),
      this.prisma.run.count({ where: { ...where, status: { in: ['queued', 'running'] } } }),
    ]);
    return {
      projectId: id,
      name: project.name,
      features,
      runs,
      conversations,
      schedules,
      activeRuns,
    };
  }

  async remove(id: string): Promise<void> {
    await this.require(id);
    const active = await this.prisma.run.count({
      where: { projectId: id, status: { in: ['queued', 'running'] } },
    });
    if (active > 0)
      throw conflict(`project ${id} has ${active} queued or running run(s); stop them first`);
    await this.prisma.project.delete({ where: { id } });
  }

  async require(id: string): Promise<Project> {
    const project = await this.prisma.project.findUnique({ where: { id } });
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
    const where = { projectId: { in: projectIds } };
    const [spent, spentToday, sessions] = await Promise.all([
      this.prisma.usageRecord.groupBy({ by: ['projectId'], where, _sum: { costUsd: true } }),
      this.prisma.usageRecord.groupBy({
        by: ['projectId'],
        where: { ...where, createdAt: { gte: startOfUtcDay() } },
        _sum: { costUsd: true },
      }),
      this.prisma.run.groupBy({
        by: ['projectId', 'role'],
        where: {
          ...where,
          role: { in: ['coding', 'testing'] },
          status: { in: ['queued', 'running'] },
        },
        _count: { _all: true },
      }),
    ]);
    for (const g of spent) figures(g.projectId).spentUsd = Number(g._sum.costUsd ?? 0);
    for (const g of spentToday) figures(g.projectId).spentTodayUsd = Number(g._sum.costUsd ?? 0);
    for (const g of sessions) {
      const f = figures(g.projectId);
      if (g.role === 'coding') f.codingSessions = g._count._all;
      else f.testingSessions = g._count._all;
    }
    return result;
  }

  async countsFor(projectIds: string[]): Promise<Map<string, StatusCounts>> {
    const result = new Map<string, StatusCounts>();
    if (projectIds.length === 0) return result;
    const groups = await this.prisma.feature.groupBy({
      by: ['projectId', 'status'],
      where: { projectId: { in: projectIds } },
      _count: { _all: true },
    });
    for (const g of groups) {
      const counts = result.get(g.projectId) ?? emptyCounts();
      counts[g.status] = g._count._all;
      result.set(g.projectId, counts);
    }
    return result;
  }
}
