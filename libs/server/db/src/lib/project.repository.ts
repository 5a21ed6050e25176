import { Injectable } from '@nestjs/common';
import { Prisma, Project, ProjectStatus } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { LOCK_DISPATCH_SQL, LOCK_PROJECT_SQL } from './sql/project.sql';
import {
  CATEGORY_PROGRESS_SQL,
  DAILY_PROGRESS_SQL,
  FEATURE_TIMES_SQL,
} from './sql/project-timeline.sql';
import { Db } from './transactions';

/** A day of DAILY_PROGRESS_SQL (counts come back as bigint or number). */
export interface ProjectDayRow {
  day: string;
  total: number;
  passing: number;
  sessions: number;
}
export interface FeatureTimeRow {
  featureId: string;
  name: string;
  category: string;
  sessions: number;
  seconds: number;
}
/** The git remote columns of a project (gitRemoteCredential sealed, never in clear). */
export interface ProjectRemoteRow {
  id: string;
  status: ProjectStatus;
  gitRemoteUrl: string | null;
  gitRemoteUsername: string | null;
  gitRemoteCredential: string | null;
  gitRemoteUpdatedAt: Date | null;
}
export interface CategoryProgressRow {
  category: string;
  passing: number;
  total: number;
}

/** Projects: the rows, their locks and what hangs off them. Status moves via ProjectLifecycleService. */
@Injectable()
export class ProjectsRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.ProjectUncheckedCreateInput): Promise<Project> {
    return this.prisma.project.create({ data });
  }

  find(id: string, db: Db = this.prisma): Promise<Project | null> {
    return db.project.findUnique({ where: { id } });
  }

  /** Every project with a budget and its limit in dollars (the budget metric). */
  async budgets(): Promise<{ id: string; budgetUsd: number }[]> {
    const rows = await this.prisma.project.findMany({
      where: { budgetUsd: { not: null } },
      select: { id: true, budgetUsd: true },
    });
    return rows.map((r) => ({ id: r.id, budgetUsd: Number(r.budgetUsd) }));
  }

  async statusOf(id: string, db: Db = this.prisma): Promise<ProjectStatus | null> {
    const row = await db.project.findUnique({ where: { id }, select: { status: true } });
    return row?.status ?? null;
  }

  /** The project's git remote settings and status, or null when it does not exist. */
  remoteOf(id: string): Promise<ProjectRemoteRow | null> {
    return this.prisma.project.findUnique({
      where: { id },
      select: {
        id: true,
        status: true,
        gitRemoteUrl: true,
        gitRemoteUsername: true,
        gitRemoteCredential: true,
        gitRemoteUpdatedAt: true,
      },
    });
  }

  /**
   * Points the project at another canonical repository, unless its status meanwhile became one
   * of `busy` (agents started while the repository moved); false then, or when it is gone.
   */
  async setRemote(
    id: string,
    remote: Pick<
      ProjectRemoteRow,
      'gitRemoteUrl' | 'gitRemoteUsername' | 'gitRemoteCredential' | 'gitRemoteUpdatedAt'
    >,
    busy: readonly ProjectStatus[],
  ): Promise<boolean> {
    const { count } = await this.prisma.project.updateMany({
      where: { id, status: { notIn: [...busy] } },
      data: remote,
    });
    return count > 0;
  }

  /** Compare-and-set of the status (ProjectLifecycleService's): moves it only from one of `from`. */
  move(
    id: string,
    from: readonly ProjectStatus[],
    data: Prisma.ProjectUncheckedUpdateManyInput,
    db: Db = this.prisma,
  ): Promise<Project[]> {
    return db.project.updateManyAndReturn({ where: { id, status: { in: [...from] } }, data });
  }

  /** Newest first, optionally by a case-insensitive part of the name, with the total. */
  async page(
    q: string | undefined,
    offset: number,
    limit: number,
  ): Promise<{ rows: Project[]; total: number }> {
    const where: Prisma.ProjectWhereInput = q ? { name: { contains: q, mode: 'insensitive' } } : {};
    const [rows, total] = await Promise.all([
      this.prisma.project.findMany({
        where,
        orderBy: { createdAt: 'desc' },
        skip: offset,
        take: limit,
      }),
      this.prisma.project.count({ where }),
    ]);
    return { rows, total };
  }

  async idsWithStatus(status: ProjectStatus): Promise<string[]> {
    const rows = await this.prisma.project.findMany({ where: { status }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** Fields other than the status; a missing project is Prisma's P2025. */
  update(id: string, data: Omit<Prisma.ProjectUncheckedUpdateInput, 'status'>): Promise<Project> {
    return this.prisma.project.update({ where: { id }, data });
  }

  /** Deletes the project and (by cascade) everything it holds. */
  async delete(id: string): Promise<void> {
    await this.prisma.project.delete({ where: { id } });
  }

  /** What deleting the project removes with it. */
  async contents(id: string): Promise<{
    features: number;
    runs: number;
    conversations: number;
    schedules: number;
  }> {
    const where = { projectId: id };
    const [features, runs, conversations, schedules] = await Promise.all([
      this.prisma.feature.count({ where }),
      this.prisma.run.count({ where }),
      this.prisma.conversation.count({ where }),
      this.prisma.schedule.count({ where }),
    ]);
    return { features, runs, conversations, schedules };
  }

  /** Row lock until `tx` ends (LOCK_PROJECT_SQL); false when the project does not exist. */
  async lock(tx: Db, id: string): Promise<boolean> {
    return (await tx.$queryRawUnsafe<{ id: string }[]>(LOCK_PROJECT_SQL, id)).length > 0;
  }

  /** The dispatcher's advisory lock of the project until `tx` ends (LOCK_DISPATCH_SQL). */
  async lockDispatch(tx: Db, id: string): Promise<void> {
    await tx.$executeRawUnsafe(LOCK_DISPATCH_SQL, id);
  }

  /** The stats page's time series (sql/project-timeline.sql.ts), side by side. */
  timeline(
    id: string,
    days: number,
  ): Promise<[ProjectDayRow[], FeatureTimeRow[], CategoryProgressRow[]]> {
    return Promise.all([
      this.prisma.$queryRawUnsafe<ProjectDayRow[]>(DAILY_PROGRESS_SQL, id, days),
      this.prisma.$queryRawUnsafe<FeatureTimeRow[]>(FEATURE_TIMES_SQL, id),
      this.prisma.$queryRawUnsafe<CategoryProgressRow[]>(CATEGORY_PROGRESS_SQL, id),
    ]);
  }
}
