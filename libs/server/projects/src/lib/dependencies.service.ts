import { GraphView, MAX_DEPENDENCIES_PER_FEATURE } from '@autocoder/shared-contracts';
import { Db, FeaturesRepository, ProjectsRepository, Transactions } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { cycleIfReplaced, DependencyEdge } from './dependency-rules';
import { conflict, invalid, notFound } from './errors';
import { ProjectsService } from './projects.service';

/** Adds, removes and replaces dependencies, refusing unknown ids, self-references and cycles. */
@Injectable()
export class DependenciesService {
  constructor(
    private readonly transactions: Transactions,
    private readonly features: FeaturesRepository,
    private readonly projectRows: ProjectsRepository,
    private readonly projects: ProjectsService,
  ) {}

  add(projectId: string, featureId: string, dependsOnId: string): Promise<string[]> {
    return this.change(projectId, featureId, (current) =>
      current.includes(dependsOnId) ? null : [...current, dependsOnId],
    );
  }

  remove(projectId: string, featureId: string, dependsOnId: string): Promise<string[]> {
    return this.change(projectId, featureId, (current) => {
      if (!current.includes(dependsOnId)) {
        throw notFound(`dependency of feature ${featureId} on`, dependsOnId);
      }
      return current.filter((id) => id !== dependsOnId);
    });
  }

  replace(projectId: string, featureId: string, dependsOn: string[]): Promise<string[]> {
    return this.change(projectId, featureId, () => dependsOn);
  }

  async graph(projectId: string): Promise<GraphView> {
    await this.projects.require(projectId);
    const { nodes, edges } = await this.features.graph(projectId);
    return { nodes, edges: edges.map((e) => ({ from: e.featureId, to: e.dependsOnId })) };
  }

  /**
   * Serialises dependency changes of one project, so two concurrent edits cannot each pass the
   * cycle check and together close a cycle.
   */
  async lockProject(tx: Db, projectId: string): Promise<void> {
    if (!(await this.projectRows.lock(tx, projectId))) throw notFound('project', projectId);
  }

  /** Sets exactly these dependencies inside a transaction that holds the project lock. */
  async replaceIn(
    tx: Db,
    projectId: string,
    featureId: string,
    dependsOn: string[],
  ): Promise<string[]> {
    const wanted = [...new Set(dependsOn)];
    if (wanted.length > MAX_DEPENDENCIES_PER_FEATURE) {
      throw invalid(`a feature may have at most ${MAX_DEPENDENCIES_PER_FEATURE} dependencies`, [
        {
          path: 'dependsOn',
          message: `${wanted.length} given, at most ${MAX_DEPENDENCIES_PER_FEATURE} allowed`,
        },
      ]);
    }
    if (wanted.includes(featureId)) {
      throw invalid('a feature cannot depend on itself', [
        { path: 'dependsOn', message: `${featureId} is the feature itself` },
      ]);
    }
    const known = await this.features.refs(wanted, { projectId }, tx);
    const missing = wanted.filter((id) => !known.some((f) => f.id === id));
    if (missing.length > 0) {
      throw invalid(
        `unknown feature id(s) in this project: ${missing.join(', ')}`,
        missing.map((id) => ({
          path: `dependsOn.${wanted.indexOf(id)}`,
          message: `feature ${id} does not exist in project ${projectId}`,
        })),
      );
    }
    const edges = await this.features.edges(projectId, tx);
    const cycle = cycleIfReplaced(
      edges.map((e): DependencyEdge => [e.featureId, e.dependsOnId]),
      featureId,
      wanted,
    );
    if (cycle) {
      // The ids for programs (the agents' tools act on ids), the names for people.
      const named = await this.features.refs(cycle, {}, tx);
      const names = new Map(named.map((f) => [f.id, f.name]));
      const walk = startingAt(cycle, featureId)
        .map((id) => JSON.stringify(names.get(id) ?? id))
        .join(' -> ');
      throw conflict(`these dependencies would create a cycle: ${cycle.join(' -> ')}`, [
        { path: 'dependsOn', message: `cycle ${walk}` },
      ]);
    }
    await this.features.setDependencies(projectId, featureId, wanted, tx);
    return wanted;
  }

  /** Under the project's lock: the feature's dependencies become `next(current)` (null: as they are). */
  private change(
    projectId: string,
    featureId: string,
    next: (current: string[]) => string[] | null,
  ): Promise<string[]> {
    return this.transactions.run(async (tx) => {
      await this.lockProject(tx, projectId);
      if (!(await this.features.findInProject(projectId, featureId, tx))) {
        throw notFound('feature', featureId);
      }
      const edges = await this.features.dependencyRefs([featureId], tx);
      const current = edges.map((e) => e.dependsOn.id);
      const wanted = next(current);
      return wanted ? this.replaceIn(tx, projectId, featureId, wanted) : current;
    });
  }
}

/**
 * A cycle (first node repeated at the end) walked from `node` when it is on it: the feature
 * being changed reads first ("a" -> "c" -> "b" -> "a": a would wait for c, which waits for b...).
 */
function startingAt(cycle: readonly string[], node: string): string[] {
  const ring = cycle.slice(0, -1);
  const at = ring.indexOf(node);
  if (at <= 0) return [...cycle];
  const turned = [...ring.slice(at), ...ring.slice(0, at)];
  return [...turned, node];
}
