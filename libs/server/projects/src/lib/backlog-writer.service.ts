import {
  ApiErrorIssue,
  CreateFeaturesToolInput,
  CreateFeaturesToolInputSchema,
} from '@autocoder/shared-contracts';
import {
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
    const checked = this.validate(raw);
    if (!checked.ok) return checked;
    const { features } = checked.input;
    return this.transactions.run(async (tx) => {
      await this.projects.lock(tx, projectId);
      // A retried session whose first attempt already committed the backlog must not double it.
      const already = await this.runs.featureCount(runId, tx);
      if (already > 0)
        return { ok: true as const, created: already, dependencies: 0, alreadyWritten: true };
      const existing = await this.features.count(projectId, undefined, tx);
      if (existing > 0) {
        return {
          ok: false as const,
          issues: [
            { path: '(project)', message: `the project already has ${existing} feature(s)` },
          ],
        };
      }
      const { ids, dependencies } = await this.features.createBacklog(projectId, 0, features, tx);
      await this.runs.addFeatures(runId, ids, tx);
      return { ok: true as const, created: ids.length, dependencies, alreadyWritten: false };
    });
  }

  /**
   * Appends features to a project's backlog (the bulk feature tool): the same input and checks as
   * the initializer's, dependencies as indexes within the call, priorities after the last one.
   */
  async append(projectId: string, raw: unknown): Promise<BacklogWriteResult> {
    const checked = this.validate(raw);
    if (!checked.ok) return checked;
    const { features } = checked.input;
    return this.transactions.run(async (tx) => {
      await this.projects.lock(tx, projectId);
      const base = (await this.features.nextPriority(projectId, tx)) - 1;
      const { ids, dependencies } = await this.features.createBacklog(
        projectId,
        base,
        features,
        tx,
      );
      return { ok: true as const, created: ids.length, dependencies, alreadyWritten: false, ids };
    });
  }
}
