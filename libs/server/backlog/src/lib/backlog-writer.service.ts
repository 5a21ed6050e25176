import {
  ApiErrorIssue,
  CreateFeaturesToolInput,
  CreateFeaturesToolInputSchema,
} from '@autocoder/shared-contracts';
import { PrismaService } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { checkBacklogDependencies } from './dependency-rules';

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
  constructor(private readonly prisma: PrismaService) {}

  validate(
    raw: unknown,
  ): { ok: true; input: CreateFeaturesToolInput } | { ok: false; issues: ApiErrorIssue[] } {
    const parsed = CreateFeaturesToolInputSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        issues: parsed.error.issues.map((i) => ({
          path: i.path.join('.') || '(input)',
          message: i.message,
        })),
      };
    }
    const issues = checkBacklogDependencies(parsed.data);
    return issues.length > 0 ? { ok: false, issues } : { ok: true, input: parsed.data };
  }

  async write(runId: string, projectId: string, raw: unknown): Promise<BacklogWriteResult> {
    const checked = this.validate(raw);
    if (!checked.ok) return checked;
    const { features } = checked.input;
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
      // A retried session whose first attempt already committed the backlog must not double it.
      const already = await tx.runFeature.count({ where: { runId } });
      if (already > 0)
        return { ok: true as const, created: already, dependencies: 0, alreadyWritten: true };
      const existing = await tx.feature.count({ where: { projectId } });
      if (existing > 0) {
        return {
          ok: false as const,
          issues: [
            { path: '(project)', message: `the project already has ${existing} feature(s)` },
          ],
        };
      }
      const rows = await tx.feature.createManyAndReturn({
        data: features.map((f, i) => ({
          projectId,
          priority: i + 1,
          category: f.category,
          name: f.name,
          description: f.description,
          steps: f.steps,
        })),
        select: { id: true, priority: true },
      });
      const idByIndex = new Map(rows.map((r) => [r.priority - 1, r.id]));
      const deps = features.flatMap((f, i) =>
        f.dependsOn.map((d) => ({
          projectId,
          featureId: idByIndex.get(i) as string,
          dependsOnId: idByIndex.get(d) as string,
        })),
      );
      if (deps.length > 0) await tx.featureDependency.createMany({ data: deps });
      await tx.runFeature.createMany({ data: rows.map((r) => ({ runId, featureId: r.id })) });
      return {
        ok: true as const,
        created: rows.length,
        dependencies: deps.length,
        alreadyWritten: false,
      };
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
    return this.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
      const last = await tx.feature.aggregate({ where: { projectId }, _max: { priority: true } });
      const base = last._max.priority ?? 0;
      const rows = await tx.feature.createManyAndReturn({
        data: features.map((f, i) => ({
          projectId,
          priority: base + i + 1,
          category: f.category,
          name: f.name,
          description: f.description,
          steps: f.steps,
        })),
        select: { id: true, priority: true },
      });
      const idByIndex = new Map(rows.map((r) => [r.priority - base - 1, r.id]));
      const deps = features.flatMap((f, i) =>
        f.dependsOn.map((d) => ({
          projectId,
          featureId: idByIndex.get(i) as string,
          dependsOnId: idByIndex.get(d) as string,
        })),
      );
      if (deps.length > 0) await tx.featureDependency.createMany({ data: deps });
      return {
        ok: true as const,
        created: rows.length,
        dependencies: deps.length,
        alreadyWritten: false,
        ids: rows.sort((a, b) => a.priority - b.priority).map((r) => r.id),
      };
    });
  }
}
