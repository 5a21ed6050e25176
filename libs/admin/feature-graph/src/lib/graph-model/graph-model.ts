import type { FeatureStatus, GraphView } from '@autocoder/shared-contracts/plain';

type GraphViewNode = GraphView['nodes'][number];

/** A feature as the api's graph sends it; `index` is its position in `GraphModel.nodes`. */
export interface GraphNode extends GraphViewNode {
  index: number;
}

/** An edge by node index: `from` depends on `to` (so `to` must pass first). */
export interface GraphEdge {
  from: number;
  to: number;
}

/**
 * The api's graph turned into indexed adjacency, the shape every other step (layout, drawing,
 * highlighting, search) reads. Built once per answer; everything here is plain data.
 */
export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  byId: ReadonlyMap<string, number>;
  /** dependsOn[i]: the nodes i depends on; dependents[i]: the nodes depending on i. */
  dependsOn: number[][];
  dependents: number[][];
  /** Edge indexes leaving / entering a node, for highlighting a chain's edges. */
  edgesFrom: number[][];
  edgesTo: number[][];
  /** blocked[i]: some dependency of i is not passing, the rule the board's "blocked" marker uses. */
  blocked: boolean[];
  /** blocking[e]: edge e waits on a dependency that is not passing. */
  blocking: boolean[];
}

export function buildGraphModel(view: GraphView): GraphModel {
  const nodes: GraphNode[] = view.nodes.map((n, index) => ({ index, ...n }));
  const byId = new Map(nodes.map((n) => [n.id, n.index]));
  const dependsOn: number[][] = nodes.map(() => []);
  const dependents: number[][] = nodes.map(() => []);
  const edgesFrom: number[][] = nodes.map(() => []);
  const edgesTo: number[][] = nodes.map(() => []);
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of view.edges) {
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    // An edge naming a feature deleted between the two queries, a self-loop or a repeat: skip.
    if (from === undefined || to === undefined || from === to) continue;
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const index = edges.length;
    edges.push({ from, to });
    dependsOn[from].push(to);
    dependents[to].push(from);
    edgesFrom[from].push(index);
    edgesTo[to].push(index);
  }
  const blocking = edges.map((e) => nodes[e.to].status !== 'passing');
  const blocked = nodes.map((n) => dependsOn[n.index].some((d) => nodes[d].status !== 'passing'));
  return { nodes, edges, byId, dependsOn, dependents, edgesFrom, edgesTo, blocked, blocking };
}

/** Every node reachable from `start` through `next` (not `start` itself), breadth first. */
function reach(start: number, next: number[][]): Set<number> {
  const found = new Set<number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const n of next[queue[head]]) {
      if (n === start || found.has(n)) continue;
      found.add(n);
      queue.push(n);
    }
  }
  return found;
}

/** What a selected or hovered feature lights up: what it waits on and what waits on it. */
export interface Highlight {
  focus: number;
  /** Every feature it depends on, directly or not. */
  upstream: ReadonlySet<number>;
  /** Every feature depending on it, directly or not. */
  downstream: ReadonlySet<number>;
  /** The upstream features that are not passing: what actually holds it back. */
  blockers: ReadonlySet<number>;
  /** Edges inside the chain (upstream edges and downstream edges). */
  edges: ReadonlySet<number>;
}

export function highlightFor(model: GraphModel, focus: number): Highlight {
  const upstream = reach(focus, model.dependsOn);
  const downstream = reach(focus, model.dependents);
  const blockers = new Set([...upstream].filter((i) => model.nodes[i].status !== 'passing'));
  const edges = new Set<number>();
  // An upstream edge leaves the focus or an upstream node; a downstream edge enters one.
  for (const i of [focus, ...upstream]) for (const e of model.edgesFrom[i]) edges.add(e);
  for (const i of [focus, ...downstream]) for (const e of model.edgesTo[i]) edges.add(e);
  return { focus, upstream, downstream, blockers, edges };
}

/** Whether node i belongs to the highlighted chain (the focus, upstream or downstream). */
export function inChain(h: Highlight, i: number): boolean {
  return i === h.focus || h.upstream.has(i) || h.downstream.has(i);
}

/**
 * Features whose name holds the query (case-insensitive), names starting with it first, then by
 * priority; at most `limit`. An empty query finds nothing.
 */
export function searchFeatures(model: GraphModel, query: string, limit = 8): GraphNode[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: { node: GraphNode; rank: number }[] = [];
  for (const node of model.nodes) {
    const at = node.name.toLowerCase().indexOf(q);
    if (at < 0) continue;
    hits.push({ node, rank: at === 0 ? 0 : 1 });
  }
  hits.sort((a, b) => a.rank - b.rank || a.node.priority - b.node.priority);
  return hits.slice(0, limit).map((h) => h.node);
}

/** Features per status, and how many are blocked, for the legend. */
export function countByStatus(model: GraphModel): Record<FeatureStatus, number> & {
  blocked: number;
} {
  const counts = { pending: 0, in_progress: 0, needs_input: 0, passing: 0, failing: 0, blocked: 0 };
  for (const n of model.nodes) {
    counts[n.status]++;
    if (model.blocked[n.index]) counts.blocked++;
  }
  return counts;
}

/**
 * Whether two answers have the same features in the same order and the same edges, so the drawn
 * layout (indexed by position) still holds and only colours change (a status moved); otherwise
 * the graph is laid out again.
 */
export function sameTopology(a: GraphView, b: GraphView): boolean {
  if (a.nodes.length !== b.nodes.length || a.edges.length !== b.edges.length) return false;
  if (!a.nodes.every((n, i) => n.id === b.nodes[i].id)) return false;
  const edges = new Set(a.edges.map((e) => `${e.from}>${e.to}`));
  return b.edges.every((e) => edges.has(`${e.from}>${e.to}`));
}
