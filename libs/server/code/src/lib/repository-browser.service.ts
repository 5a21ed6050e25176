import { ProjectsService } from '@autocoder/server-projects';
import { FeaturesRepository, RunsRepository } from '@autocoder/server-db';
import {
  ProjectRepository,
  RepositoryBrowser,
  WorkspaceError,
  type MergeCommit,
} from '@autocoder/server-workspace';
import type {
  FeatureRefView,
  RepositoryFileQuery,
  RepositoryFileView,
  RepositoryHistoryQuery,
  RepositoryHistoryView,
  RepositoryMergeView,
  RepositoryTreeQuery,
  RepositoryTreeView,
} from '@autocoder/shared-contracts';
import { DomainError } from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';
import { PROJECT_REPOSITORY } from './tokens';
import { parseMergeMessage } from './merge-message';
import { fromWorkspaceError } from './workspace-errors';

/**
 * main of a project for people (the console's Code page): its tree and files, the merges that
 * built it with the features they were for, and each merge's diff. Bad paths and refs are
 * refused as DomainErrors (INVALID_PATH, INVALID_REF: invalid; PATH_NOT_FOUND, REF_NOT_FOUND:
 * not found; see workspace-errors.ts).
 */
@Injectable()
export class RepositoryBrowserService {
  private readonly browser: RepositoryBrowser;

  constructor(
    private readonly runs: RunsRepository,
    private readonly features: FeaturesRepository,
    private readonly projects: ProjectsService,
    @Inject(PROJECT_REPOSITORY) private readonly repos: ProjectRepository,
  ) {
    this.browser = new RepositoryBrowser(repos);
  }

  tree(projectId: string, query: RepositoryTreeQuery): Promise<RepositoryTreeView> {
    return this.read(
      projectId,
      () => this.browser.tree(projectId, query.path, query.ref),
      query.ref,
    );
  }

  file(projectId: string, query: RepositoryFileQuery): Promise<RepositoryFileView> {
    return this.read(
      projectId,
      () => this.browser.file(projectId, query.path, query.ref),
      query.ref,
    );
  }

  /** What one commit changed against its first parent, as a unified diff. */
  async commitDiff(projectId: string, sha: string): Promise<string> {
    return (await this.read(projectId, () => this.browser.commitDiff(projectId, sha), sha)).diff;
  }

  async history(projectId: string, query: RepositoryHistoryQuery): Promise<RepositoryHistoryView> {
    const history = await this.read(projectId, () => this.browser.mergeHistory(projectId, query));
    return {
      commit: history.commit,
      total: history.total,
      limit: query.limit,
      offset: query.offset,
      items: await this.withFeatures(projectId, history.items),
    };
  }

  /** The feature each merge was for: named by the message, or through the run it names. */
  private async withFeatures(
    projectId: string,
    merges: MergeCommit[],
  ): Promise<RepositoryMergeView[]> {
    const parts = merges.map((m) => parseMergeMessage(m.message));
    const runIds = [...new Set(parts.flatMap((p) => (p.runId ? [p.runId] : [])))];
    const runById = runIds.length
      ? await this.runs.firstFeatures(projectId, runIds)
      : new Map<string, string | undefined>();
    const featureIdOf = parts.map(
      (p) => p.featureId ?? (p.runId ? runById.get(p.runId) : undefined),
    );
    const featureIds = [...new Set(featureIdOf.filter((id): id is string => !!id))];
    const features = featureIds.length ? await this.features.refs(featureIds, { projectId }) : [];
    const featureById = new Map<string, FeatureRefView>(features.map((f) => [f.id, f]));
    return merges.map((merge, i) => ({
      ...merge,
      runId: parts[i].runId && runById.has(parts[i].runId) ? parts[i].runId : null,
      feature: featureById.get(featureIdOf[i] ?? '') ?? null,
      featureName: parts[i].featureName,
    }));
  }

  /** 404 for a missing project, and for one whose repository no session has created yet. */
  private async read<T>(projectId: string, work: () => Promise<T>, need?: string): Promise<T> {
    await this.projects.require(projectId);
    try {
      // Read from this host's cache of the remote, fetched when older than a second or when it
      // lacks the commit asked for.
      await this.repos.sync(projectId, { need });
      return await work();
    } catch (err) {
      if (err instanceof WorkspaceError && err.code === 'NOT_A_REPOSITORY') {
        throw new DomainError(
          'not_found',
          `project ${projectId} has no repository yet: the first coding session creates it`,
        );
      }
      throw fromWorkspaceError(err);
    }
  }
}
