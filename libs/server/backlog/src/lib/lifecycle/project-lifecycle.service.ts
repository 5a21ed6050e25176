import { Prisma, PrismaService, Project } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { PROJECT_TRANSITIONS, ProjectEvent } from './project-transitions';
import { IllegalTransitionError } from './transition-table';

type Db = Prisma.TransactionClient | PrismaService;
/** What a transition may record beside the status (who started the agents, their settings). */
export type ProjectFields = Omit<Prisma.ProjectUncheckedUpdateManyInput, 'status'>;

/**
 * The one writer of Project.status (the agents' state). Each transition is a single
 * compare-and-set statement, so a stop racing the dispatcher's "finished" cannot make a jump
 * PROJECT_TRANSITIONS forbids.
 */
@Injectable()
export class ProjectLifecycleService {
  constructor(private readonly prisma: PrismaService) {}

  /** IllegalTransitionError when the project is missing or not in a state the event leaves. */
  async apply(
    projectId: string,
    event: ProjectEvent,
    fields: ProjectFields = {},
    db: Db = this.prisma,
  ): Promise<Project> {
    const [project] = await this.move(projectId, event, fields, db);
    if (project) return project;
    const found = await db.project.findUnique({
      where: { id: projectId },
      select: { status: true },
    });
    throw new IllegalTransitionError('project', projectId, event, found?.status ?? null);
  }

  /** The same where losing a race is fine (someone else moved it first): whether it moved. */
  async tryApply(
    projectId: string,
    event: ProjectEvent,
    fields: ProjectFields = {},
    db: Db = this.prisma,
  ): Promise<boolean> {
    return (await this.move(projectId, event, fields, db)).length > 0;
  }

  private move(
    projectId: string,
    event: ProjectEvent,
    fields: ProjectFields,
    db: Db,
  ): Promise<Project[]> {
    const { from, to } = PROJECT_TRANSITIONS[event];
    return db.project.updateManyAndReturn({
      where: { id: projectId, status: { in: [...from] } },
      data: { ...fields, status: to },
    });
  }
}
