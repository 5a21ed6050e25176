import { Db, Prisma, Project, ProjectsRepository } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { PROJECT_TRANSITIONS, ProjectEvent } from './project-transitions';
import { IllegalTransitionError } from './transition-table';

/** What a transition may record beside the status (who started the agents, their settings). */
export type ProjectFields = Omit<Prisma.ProjectUncheckedUpdateManyInput, 'status'>;

/**
 * The one writer of Project.status (the agents' state). Each transition is a single
 * compare-and-set statement, so a stop racing the dispatcher's "finished" cannot make a jump
 * PROJECT_TRANSITIONS forbids.
 */
@Injectable()
export class ProjectLifecycleService {
  constructor(private readonly projects: ProjectsRepository) {}

  /** IllegalTransitionError when the project is missing or not in a state the event leaves. */
  async apply(
    projectId: string,
    event: ProjectEvent,
    fields: ProjectFields = {},
    db?: Db,
  ): Promise<Project> {
    const { from, to } = PROJECT_TRANSITIONS[event];
    const [project] = await this.projects.move(projectId, from, { ...fields, status: to }, db);
    if (project) return project;
    const status = await this.projects.statusOf(projectId, db);
    throw new IllegalTransitionError('project', projectId, event, status);
  }

  /** The same where losing a race is fine (someone else moved it first): whether it moved. */
  tryApply(projectId: string, event: ProjectEvent, fields?: ProjectFields, db?: Db) {
    return this.apply(projectId, event, fields, db).then(
      () => true,
      (err: unknown) => {
        if (err instanceof IllegalTransitionError) return false;
        throw err;
      },
    );
  }
}
