// Pure rules about feature dependencies, shared by the REST api and the initializer's tool.
import {
  ApiErrorIssue,
  CreateFeaturesToolInput,
  MAX_DEPENDENCIES_PER_FEATURE,
} from '@autocoder/shared-contracts';

/** An edge "from depends on to". */
export type DependencyEdge = readonly [from: string, to: string];

/**
 * A cycle in the graph, as the list of nodes walked (first node repeated at the end), or null.
 * Iterative DFS so a 10,000-feature chain does not overflow the stack.
 */
export function findCycle(edges: Iterable<DependencyEdge>): string[] | null {
  const out = new Map<string, string[]>();
  for (const [from, to] of edges) {
    const list = out.get(from);
    if (list) list.push(to);
    else out.set(from, [to]);
  }
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  for (const start of out.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 1);
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const targets = out.get(top.node) ?? [];
      if (top.next < targets.length) {
        const target = targets[top.next++];
        const s = state.get(target);
        if (s === 1) return [...path.slice(path.indexOf(target)), target];
        if (s === undefined) {
          state.set(target, 1);
          path.push(target);
          stack.push({ node: target, next: 0 });
        }
      } else {
        state.set(top.node, 2);
        path.pop();
        stack.pop();
      }
    }
  }
  return null;
}

/** Would giving `featureId` exactly `dependsOn` (replacing its current ones) close a cycle? */
export function cycleIfReplaced(
  existing: Iterable<DependencyEdge>,
  featureId: string,
  dependsOn: readonly string[],
): string[] | null {
  const edges: DependencyEdge[] = [];
  for (const edge of existing) if (edge[0] !== featureId) edges.push(edge);
  for (const to of dependsOn) edges.push([featureId, to]);
  return findCycle(edges);
}

/**
 * Checks a backlog from the initializer's create_features tool beyond its schema: dependency
 * indexes in range, no self-reference, no duplicates, no cycles.
 */
export function checkBacklogDependencies(input: CreateFeaturesToolInput): ApiErrorIssue[] {
  const issues: ApiErrorIssue[] = [];
  const n = input.features.length;
  const edges: DependencyEdge[] = [];
  input.features.forEach((feature, i) => {
    const seen = new Set<number>();
    if (feature.dependsOn.length > MAX_DEPENDENCIES_PER_FEATURE) {
      issues.push({
        path: `features.${i}.dependsOn`,
        message: `at most ${MAX_DEPENDENCIES_PER_FEATURE} dependencies`,
      });
    }
    feature.dependsOn.forEach((dep, j) => {
      const path = `features.${i}.dependsOn.${j}`;
      if (dep >= n) issues.push({ path, message: `index ${dep} is out of range (0-${n - 1})` });
      else if (dep === i) issues.push({ path, message: 'a feature cannot depend on itself' });
      else if (seen.has(dep)) issues.push({ path, message: `duplicate dependency ${dep}` });
      else edges.push([String(i), String(dep)]);
      seen.add(dep);
    });
  });
  if (issues.length === 0) {
    const cycle = findCycle(edges);
    if (cycle)
      issues.push({ path: 'features', message: `dependency cycle: ${cycle.join(' -> ')}` });
  }
  return issues;
}
