import {
  CreateProjectInput,
  ListProjectsQuery,
  Page,
  ProjectView,
  StatusCounts,
  UpdateProjectInput,
} from '@autocoder/shared-contracts';
import { Prisma, PrismaService, Project } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { conflict, isRecordMissing, isUniqueViolation, notFound } from './errors';
import { emptyCounts, projectView } from './views';

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
    const counts = await this.countsFor(rows.map((r) => r.id));
    return {
      items: rows.map((r) => projectView(r, counts.get(r.id) ?? emptyCounts())),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(id: string): Promise<ProjectView> {
    const project = await this.require(id);
    return projectView(project, (await this.countsFor([id])).get(id) ?? emptyCounts());
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
