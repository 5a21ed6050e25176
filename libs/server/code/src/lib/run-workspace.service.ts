import { notFound, ProjectsService } from '@autocoder/server-projects';
import { RunsRepository } from '@autocoder/server-db';
import {
  ProjectRepository,
  SESSION_BRANCH_PREFIX,
  WorkspaceError,
} from '@autocoder/server-workspace';
import { Inject, Injectable } from '@nestjs/common';
import { PROJECT_REPOSITORY } from './tokens';
import { fromWorkspaceError } from './workspace-errors';

/** A run's changes as a diff, and a project's repository as a download. */
@Injectable()
export class RunWorkspaceService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly projects: ProjectsService,
    @Inject(PROJECT_REPOSITORY) private readonly repos: ProjectRepository,
  ) {}

  /**
   * What the run merged into main (previous main..merge commit); for a run not merged yet, what
   * its session branch holds over main. Empty when the run changed nothing.
   */
  async diff(runId: string): Promise<string> {
    const run = await this.runs.find(runId);
    if (!run) throw notFound('run', runId);
    const merged = await this.runs.lastMerge(runId);
    const data = (merged?.data ?? {}) as { commit?: unknown; previousMain?: unknown };
    const branch = `${SESSION_BRANCH_PREFIX}${run.id}`;
    try {
      if (typeof data.commit === 'string' && typeof data.previousMain === 'string') {
        await this.repos.sync(run.projectId, { need: data.commit });
        return await this.repos.diff(run.projectId, `${data.previousMain}..${data.commit}`);
      }
      if (merged) return '';
      await this.repos.sync(run.projectId, { need: branch });
      return await this.repos.diff(run.projectId, `main...${branch}`);
    } catch (err) {
      if (err instanceof WorkspaceError && err.code === 'REMOTE_UNAVAILABLE') {
        throw fromWorkspaceError(err);
      }
      if (err instanceof WorkspaceError || (err as Error).name === 'GitCommandError') return '';
      throw err;
    }
  }

  /** main of the project as tar.gz; 404 before the first session created the repository. */
  async archive(projectId: string): Promise<NodeJS.ReadableStream> {
    await this.projects.require(projectId);
    try {
      await this.repos.sync(projectId);
      await this.repos.mainCommit(projectId);
    } catch (err) {
      if (err instanceof WorkspaceError && err.code === 'REMOTE_UNAVAILABLE') {
        throw fromWorkspaceError(err);
      }
      throw notFound('repository of project', projectId);
    }
    return this.repos.archive(projectId);
  }
}
