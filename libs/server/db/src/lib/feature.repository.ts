import type { CreateFeaturesToolInput } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { Feature, FeatureStatus, Prisma } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { Db } from './transactions';

/** A feature as lists and links name it. */
export type FeatureRef = Pick<Feature, 'id' | 'name' | 'status'>;

/** A feature of a backlog written at once; dependsOn holds indexes into the same list. */
export type BacklogEntry = CreateFeaturesToolInput['features'][number];

const REF = { id: true, name: true, status: true } as const;

/**
 * Features and their dependency edges. Claims and leases are FeatureClaimsRepository's, the board's
 * pages FeatureBoardRepository's; writes that must see each other run under the project's lock
 * (ProjectsRepository.lock) in the caller's transaction.
 */
@Injectable()
export class FeaturesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findInProject(projectId: string, id: string, db: Db = this.prisma): Promise<Feature | null> {
    return db.feature.findFirst({ where: { id, projectId } });
  }

  get(id: string, db: Db = this.prisma): Promise<Feature> {
    return db.feature.findUniqueOrThrow({ where: { id } });
  }

  create(data: Prisma.FeatureUncheckedCreateInput, db: Db = this.prisma): Promise<Feature> {
    return db.feature.create({ data });
  }

  async update(
    id: string,
    data: Prisma.FeatureUncheckedUpdateInput,
    db: Db = this.prisma,
  ): Promise<void> {
    await db.feature.update({ where: { id }, data });
  }

  /**
   * Compare-and-set: updates the feature only while its status is one of `statuses` (and, given
   * `updatedAt`, while it is unchanged since that read); whether it did.
   */
  async updateIf(
    id: string,
    statuses: readonly FeatureStatus[],
    data: Prisma.FeatureUncheckedUpdateManyInput,
    updatedAt?: Date,
  ): Promise<boolean> {
    const { count } = await this.prisma.feature.updateMany({
      where: { id, status: { in: [...statuses] }, ...(updatedAt ? { updatedAt } : {}) },
      data,
    });
    return count > 0;
  }

  async delete(id: string): Promise<void> {
    await this.prisma.feature.delete({ where: { id } });
  }

  /** Features of a project, in any of `statuses` when given. */
  count(
    projectId: string,
    statuses?: readonly FeatureStatus[],
    db: Db = this.prisma,
  ): Promise<number> {
    return db.feature.count({
      where: { projectId, ...(statuses ? { status: { in: [...statuses] } } : {}) },
    });
  }

  /** Pending features whose dependencies pass, with attempts left: what claims can take. */
  countReady(projectId: string, maxAttempts: number, db: Db = this.prisma): Promise<number> {
    return db.feature.count({
      where: {
        projectId,
        status: 'pending',
        unmetDependencyCount: 0,
        attempts: { lt: maxAttempts },
      },
    });
  }

  /** Features per project and status, in one grouped query. */
  async countByStatus(
    projectIds: string[],
  ): Promise<{ projectId: string; status: FeatureStatus; count: number }[]> {
    const groups = await this.prisma.feature.groupBy({
      by: ['projectId', 'status'],
      where: { projectId: { in: projectIds } },
      _count: { _all: true },
    });
    return groups.map((g) => ({ projectId: g.projectId, status: g.status, count: g._count._all }));
  }

  /** The priority after the project's last, i.e. the end of its queue. */
  async nextPriority(projectId: string, db: Db = this.prisma): Promise<number> {
    const max = await db.feature.aggregate({ where: { projectId }, _max: { priority: true } });
    return (max._max.priority ?? 0) + 1;
  }

  /** Names and statuses of `ids`, only in a project or only those not passing when asked. */
  refs(
    ids: string[],
    only: { projectId?: string; notPassing?: boolean } = {},
    db: Db = this.prisma,
  ): Promise<FeatureRef[]> {
    return db.feature.findMany({
      where: {
        id: { in: ids },
        ...(only.projectId ? { projectId: only.projectId } : {}),
        ...(only.notPassing ? { status: { not: 'passing' } } : {}),
      },
      select: REF,
    });
  }

  /** Ready features (as claims order them) for the agents' tools. */
  ready(projectId: string, limit: number) {
    return this.prisma.feature.findMany({
      where: { projectId, status: 'pending', unmetDependencyCount: 0 },
      orderBy: [{ blockedDependentCount: 'desc' }, { priority: 'asc' }, { id: 'asc' }],
      take: limit,
      select: { id: true, name: true, category: true, priority: true, attempts: true },
    });
  }

  /** Pending features waiting for dependencies, with the dependencies not passing yet. */
  async blocked(
    projectId: string,
    limit: number,
  ): Promise<{ id: string; name: string; waitingFor: FeatureRef[] }[]> {
    const rows = await this.prisma.feature.findMany({
      where: { projectId, status: 'pending', unmetDependencyCount: { gt: 0 } },
      orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      take: limit,
      select: {
        id: true,
        name: true,
        dependsOn: {
          where: { dependsOn: { status: { not: 'passing' } } },
          select: { dependsOn: { select: REF } },
        },
      },
    });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      waitingFor: r.dependsOn.map((d) => d.dependsOn),
    }));
  }

  /** Questions agents wait on across every project: how many, and the oldest `limit`. */
  async pendingQuestions(limit: number) {
    const where = { status: 'needs_input' } as const;
    const [total, rows] = await Promise.all([
      this.prisma.feature.count({ where }),
      this.prisma.feature.findMany({
        where,
        // needs_input is entered by the request, so its last update is when the agent asked.
        orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
        take: limit,
        select: {
          id: true,
          name: true,
          updatedAt: true,
          humanInputRequest: true,
          project: { select: { id: true, name: true } },
        },
      }),
    ]);
    return { total, rows };
  }

  // ---- Dependencies ----------------------------------------------------------------------

  /** The dependencies of `featureIds` with their status, oldest edge first. */
  dependencyRefs(
    featureIds: string[],
    db: Db = this.prisma,
  ): Promise<{ featureId: string; dependsOn: { id: string; status: FeatureStatus } }[]> {
    return db.featureDependency.findMany({
      where: { featureId: { in: featureIds } },
      select: { featureId: true, dependsOn: { select: { id: true, status: true } } },
      orderBy: { createdAt: 'asc' },
    });
  }

  /** What a feature depends on and what depends on it. */
  async neighbours(id: string): Promise<{ dependencies: FeatureRef[]; dependents: FeatureRef[] }> {
    const edges = await this.prisma.feature.findUniqueOrThrow({
      where: { id },
      select: {
        dependsOn: { select: { dependsOn: { select: REF } } },
        dependents: { select: { feature: { select: REF } } },
      },
    });
    return {
      dependencies: edges.dependsOn.map((e) => e.dependsOn),
      dependents: edges.dependents.map((e) => e.feature),
    };
  }

  /** The project's features as graph nodes (by priority) and its edges. */
  async graph(projectId: string) {
    const [nodes, edges] = await Promise.all([
      this.prisma.feature.findMany({
        where: { projectId },
        select: { id: true, name: true, category: true, status: true, priority: true },
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      }),
      this.edges(projectId),
    ]);
    return { nodes, edges };
  }

  /** Every dependency edge of a project. */
  edges(
    projectId: string,
    db: Db = this.prisma,
  ): Promise<{ featureId: string; dependsOnId: string }[]> {
    return db.featureDependency.findMany({
      where: { projectId },
      select: { featureId: true, dependsOnId: true },
    });
  }

  /** Replaces the feature's dependencies with `dependsOn` (checked by the caller). */
  async setDependencies(
    projectId: string,
    featureId: string,
    dependsOn: string[],
    db: Db,
  ): Promise<void> {
    await db.featureDependency.deleteMany({ where: { featureId } });
    if (dependsOn.length > 0) {
      await db.featureDependency.createMany({
        data: dependsOn.map((dependsOnId) => ({ projectId, featureId, dependsOnId })),
      });
    }
  }

  /**
   * Writes `entries` with priorities after `base` and their dependencies (indexes within the
   * list); the new ids in input order and the number of edges.
   */
  async createBacklog(
    projectId: string,
    base: number,
    entries: readonly BacklogEntry[],
    db: Db,
  ): Promise<{ ids: string[]; dependencies: number }> {
    const rows = await db.feature.createManyAndReturn({
      data: entries.map((f, i) => ({
        projectId,
        priority: base + i + 1,
        category: f.category,
        name: f.name,
        description: f.description,
        steps: f.steps,
      })),
      select: { id: true, priority: true },
    });
    const ids = rows.sort((a, b) => a.priority - b.priority).map((r) => r.id);
    const deps = entries.flatMap((f, i) =>
      f.dependsOn.map((d) => ({ projectId, featureId: ids[i], dependsOnId: ids[d] })),
    );
    if (deps.length > 0) await db.featureDependency.createMany({ data: deps });
    return { ids, dependencies: deps.length };
  }
}
