import {
  ApiErrorIssue,
  CreateFeaturesToolInput,
  CreateFeaturesToolInputSchema,
} from '@autocoder/shared-contracts';
import {
  Db,
  FeaturesRepository,
  ProjectsRepository,
  RunsRepository,
  Transactions,
} from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { checkBacklogDependencies } from './dependency-rules';
import { issuesOf } from './errors';

export type BacklogWriteResult =
  | {
      ok: true;
      created: number;
      dependencies: number;
      alreadyWritten: boolean;
      /** Ids of the new features, in input order (append only). */
      ids?: string[];
    }
  | { ok: false; issues: ApiErrorIssue[] };

/**
 * Writes the initializer's backlog: validated first, then all features and dependencies in one
 * transaction, so a bad tool call leaves nothing behind.
 */
@Injectable()
export class BacklogWriter {
  constructor(
    private readonly transactions: Transactions,
    private readonly projects: ProjectsRepository,
    private readonly features: FeaturesRepository,
    private readonly runs: RunsRepository,
  ) {}

  validate(
    raw: unknown,
  ): { ok: true; input: CreateFeaturesToolInput } | { ok: false; issues: ApiErrorIssue[] } {
    const parsed = CreateFeaturesToolInputSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
    const issues = checkBacklogDependencies(parsed.data);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, input: parsed.data };
  }

  async write(runId: string, projectId: string, raw: unknown): Promise<BacklogWriteResult> {
    return this.locked(projectId, raw, async (features, tx) => {
      // A retried session whose first attempt already committed the backlog must not double it.
      const already = await this.runs.featureCount(runId, tx);
      if (already > 0) return { ok: true, created: already, dependencies: 0, alreadyWritten: true };
      const existing = await this.features.count(projectId, undefined, tx);
      if (existing > 0) {
        const message = `the project already has ${existing} feature(s)`;
        return { ok: false, issues: [{ path: '(project)', message }] };
      }
      const { ids, dependencies } = await this.features.createBacklog(projectId, 0, features, tx);
      await this.runs.addFeatures(runId, ids, tx);
      return { ok: true, created: ids.length, dependencies, alreadyWritten: false };
    });
  }

  /**
   * Appends features to a project's backlog (the bulk feature tool): the same input and checks as
   * the initializer's, dependencies as indexes within the call, priorities after the last one.
   */
  async append(projectId: string, raw: unknown): Promise<BacklogWriteResult> {
    return this.locked(projectId, raw, async (features, tx) => {
      const base = (await this.features.nextPriority(projectId, tx)) - 1;
      const { ids, dependencies } = await this.features.createBacklog(
        projectId,
        base,
        features,
        tx,
      );
      return { ok: true, created: ids.length, dependencies, alreadyWritten: false, ids };
    });
  }

  /** Validates `raw`, then runs `work` in a transaction holding the project's lock. */
  private async locked(
    projectId: string,
    raw: unknown,
    work: (features: CreateFeaturesToolInput['features'], tx: Db) => Promise<BacklogWriteResult>,
  ): Promise<BacklogWriteResult> {
    const checked = this.validate(raw);
    if (!checked.ok) return checked;
    return this.transactions.run(async (tx) => {
      await this.projects.lock(tx, projectId);
      return work(checked.input.features, tx);
    });
  }
}
