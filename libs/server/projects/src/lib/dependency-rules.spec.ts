import { CreateFeaturesToolInput } from '@autocoder/shared-contracts';
import {
  checkBacklogDependencies,
  cycleIfReplaced,
  DependencyEdge,
  findCycle,
} from './dependency-rules';

describe('findCycle', () => {
  it('returns null for a DAG', () => {
    expect(
      findCycle([
        ['a', 'b'],
        ['b', 'c'],
        ['a', 'c'],
      ]),
    ).toBeNull();
  });

  it('finds a two-node cycle with its path', () => {
    expect(
      findCycle([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    ).toEqual(['a', 'b', 'a']);
  });

  it('finds a long cycle reached from outside it', () => {
    const cycle = findCycle([
      ['x', 'a'],
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'a'],
    ]);
    expect(cycle).toEqual(['a', 'b', 'c', 'a']);
  });

  it('handles a 20,000-node chain without overflowing the stack', () => {
    const edges: DependencyEdge[] = [];
    for (let i = 0; i < 20_000; i++) edges.push([`n${i}`, `n${i + 1}`]);
    expect(findCycle(edges)).toBeNull();
    edges.push(['n20000', 'n0']);
    expect(findCycle(edges)?.length).toBe(20_002);
  });
});

describe('cycleIfReplaced', () => {
  const existing: DependencyEdge[] = [
    ['b', 'a'],
    ['c', 'b'],
  ];

  it('refuses a dependency that closes a loop', () => {
    const cycle = cycleIfReplaced(existing, 'a', ['c']);
    expect(cycle?.[0]).toBe(cycle?.[cycle.length - 1]);
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('accepts a replacement that removes the old edge first', () => {
    // c currently depends on b; replacing c's deps with [a] keeps the graph acyclic.
    expect(cycleIfReplaced(existing, 'c', ['a'])).toBeNull();
  });
});

describe('checkBacklogDependencies', () => {
  const feature = (dependsOn: number[]) => ({
    category: 'c',
    name: 'n',
    description: 'd',
    steps: ['s'],
    dependsOn,
  });
  const backlog = (...deps: number[][]): CreateFeaturesToolInput => ({
    features: deps.map(feature),
  });

  it('accepts valid indexes in any order', () => {
    expect(checkBacklogDependencies(backlog([], [0], [0, 1], [2]))).toEqual([]);
  });

  it('reports out-of-range, self and duplicate indexes with their paths', () => {
    expect(checkBacklogDependencies(backlog([5], [1], [0, 0]))).toEqual([
      { path: 'features.0.dependsOn.0', message: 'index 5 is out of range (0-2)' },
      { path: 'features.1.dependsOn.0', message: 'a feature cannot depend on itself' },
      { path: 'features.2.dependsOn.1', message: 'duplicate dependency 0' },
    ]);
  });

  it('reports a cycle', () => {
    expect(checkBacklogDependencies(backlog([2], [0], [1]))).toEqual([
      { path: 'features', message: 'dependency cycle: 0 -> 2 -> 1 -> 0' },
    ]);
  });
});
