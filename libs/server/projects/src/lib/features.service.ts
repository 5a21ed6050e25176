import {
  BoardQuery,
  BoardView,
  CreateFeatureInput,
  FEATURE_STATUSES,
  FeatureStatus,
  FeatureView,
  UpdateFeatureInput,
} from '@autocoder/shared-contracts';
import {
  Feature,
  FeatureBoardRepository,
  FeaturesRepository,
  Transactions,
} from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { DependenciesService } from './dependencies.service';
import { conflict, notFound } from './errors';
import { ProjectsService } from './projects.service';
import { featureView } from './views';

/** Statuses from which a person may send a feature back to the agents with fresh attempts. */
const RETRYABLE: readonly FeatureStatus[] = ['failing', 'pending'];

/** Why a feature in another status is not retried. */
const NOT_RETRYABLE: Partial<Record<FeatureStatus, string>> = {
  passing: 'passes already; mark it pending to have it done again',
  in_progress: 'is in progress in a session; stop the agents or wait for it',
  needs_input: 'waits for an answer to its question; answer it instead',
};

@Injectable()
export class FeaturesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly rows: FeaturesRepository,
    private readonly projects: ProjectsService,
    private readonly dependencies: DependenciesService,
    private readonly boards: FeatureBoardRepository,
  ) {}

  /**
   * Features grouped by status, each column paged and filtered alike: the totals and every
   * column's page with its dependencies, in two statements side by side.
   */
  async board(projectId: string, query: BoardQuery): Promise<BoardView> {
    const statuses: readonly FeatureStatus[] = query.status ? [query.status] : FEATURE_STATUSES;
    const page = await this.boards.page(projectId, statuses, query);
    // An empty board may be a project that does not exist: only then is it worth a look.
    if (page.every((c) => c.total === 0)) await this.projects.require(projectId);
    const columns = page.map((c) => ({
      status: c.status,
      total: c.total,
      items: c.rows.map((r) => featureView(r.feature, r.dependencies)),
    }));
    return { projectId, limit: query.limit, offset: query.offset, columns };
  }

  async get(projectId: string, featureId: string): Promise<FeatureView> {
    const feature = await this.require(projectId, featureId);
    const edges = await this.rows.dependencyRefs([featureId]);
    return featureView(
      feature,
      edges.map((e) => e.dependsOn),
    );
  }

  async create(projectId: string, input: CreateFeatureInput): Promise<FeatureView> {
    await this.projects.require(projectId);
    const feature = await this.transactions.run(async (tx) => {
      await this.dependencies.lockProject(tx, projectId);
      const { dependsOn, priority, ...fields } = input;
      const created = await this.rows.create(
        {
          ...fields,
          projectId,
          priority: priority ?? (await this.rows.nextPriority(projectId, tx)),
        },
        tx,
      );
      if (dependsOn && dependsOn.length > 0) {
        await this.dependencies.replaceIn(tx, projectId, created.id, dependsOn);
      }
      return created;
    });
    return this.get(projectId, feature.id);
  }

  async update(
    projectId: string,
    featureId: string,
    input: UpdateFeatureInput,
  ): Promise<FeatureView> {
    const current = await this.require(projectId, featureId);
    await this.rows.update(featureId, {
      ...input,
      // Leaving in_progress by hand ends any lease on it.
      ...(input.status && input.status !== 'in_progress'
        ? { leaseOwner: null, leaseExpiresAt: null }
        : {}),
      ...(input.status === 'passing' && current.status !== 'passing'
        ? { passedAt: new Date() }
        : {}),
    });
    return this.get(projectId, featureId);
  }

  async remove(projectId: string, featureId: string): Promise<void> {
    await this.require(projectId, featureId);
    await this.rows.delete(featureId);
  }

  /** Moves a feature to the end of the queue (and back to pending if it was in progress). */
  async skip(projectId: string, featureId: string): Promise<FeatureView> {
    await this.require(projectId, featureId);
    await this.transactions.run(async (tx) => {
      await this.dependencies.lockProject(tx, projectId);
      const current = await this.rows.get(featureId, tx);
      await this.rows.update(
        featureId,
        {
          priority: await this.rows.nextPriority(projectId, tx),
          ...(current.status === 'in_progress'
            ? { status: 'pending', leaseOwner: null, leaseExpiresAt: null }
            : {}),
        },
        tx,
      );
    });
    return this.get(projectId, featureId);
  }

  /**
   * Sends a failing feature (or a pending one with attempts used) back to pending with its
   * attempts and last error cleared, for the agents to try afresh. A passing feature, one a
   * session holds or one waiting for an answer is refused with the reason.
   */
  async retry(projectId: string, featureId: string): Promise<FeatureView> {
    await this.require(projectId, featureId);
    // Only from the states read as retryable: a session claiming it meanwhile wins.
    const retried = await this.rows.updateIf(featureId, RETRYABLE, {
      status: 'pending',
      attempts: 0,
      lastError: null,
    });
    if (!retried) {
      const { status } = await this.require(projectId, featureId);
      // Retryable again by now: it changed between the update and this read.
      const why = NOT_RETRYABLE[status] ?? 'changed while retrying; reload and try again';
      throw conflict(`feature ${featureId} ${why}`);
    }
    return this.get(projectId, featureId);
  }

  async require(projectId: string, featureId: string): Promise<Feature> {
    const feature = await this.rows.findInProject(projectId, featureId);
    if (!feature) {
      await this.projects.require(projectId);
      throw notFound('feature', featureId);
    }
    return feature;
  }
}
