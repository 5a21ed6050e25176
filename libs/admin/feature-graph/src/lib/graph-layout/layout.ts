import type { GraphModel } from '../graph-model/graph-model';

/** Every node is drawn at the same size: the layout needs it and the names are cut to fit. */
export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 52;

/** The subset of ELK's JSON graph the layout sends and reads (elkjs's own types stay in the worker). */
export interface LayoutInputNode {
  id: string;
  width: number;
  height: number;
}
export interface LayoutInputEdge {
  id: string;
  sources: [string];
  targets: [string];
}
export interface LayoutInput {
  id: string;
  layoutOptions: Record<string, string>;
  children: LayoutInputNode[];
  edges: LayoutInputEdge[];
}
export interface LayoutPoint {
  x: number;
  y: number;
}
export interface LayoutOutput {
  width?: number;
  height?: number;
  children?: { id: string; x?: number; y?: number }[];
  edges?: {
    id: string;
    sections?: { startPoint: LayoutPoint; endPoint: LayoutPoint; bendPoints?: LayoutPoint[] }[];
  }[];
}

/**
 * Layered layout, dependencies on the left of what depends on them. Chosen by timing ELK on the
 * benchmark's 2,000-feature backlog (2,939 edges) in Node on a loaded 2-core machine: one
 * crossing-minimisation pass ("thoroughness" 1) and SIMPLE node placement took 21 s where the
 * default placement took 34-40 s (and drew a graph twice as tall); keeping the api's order
 * (considerModelOrder) took 219 s and network-simplex placement did not finish in minutes.
 * Polyline edges: cheap to route and to draw.
 */
export const LAYOUT_OPTIONS: Readonly<Record<string, string>> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.spacing.nodeNode': '20',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.spacing.componentComponent': '48',
};

/**
 * ELK's input for the model: node ids are indexes (short strings keep the message to the worker
 * small), each edge goes from the dependency to the feature that needs it, so the flow reads
 * left to right.
 */
export function buildLayoutInput(model: GraphModel): LayoutInput {
  return {
    id: 'root',
    layoutOptions: { ...LAYOUT_OPTIONS },
    children: model.nodes.map((n) => ({
      id: `n${n.index}`,
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    })),
    edges: model.edges.map((e, i) => ({
      id: `e${i}`,
      sources: [`n${e.to}`],
      targets: [`n${e.from}`],
    })),
  };
}

/** Where everything ended up, in flat arrays indexed like the model (cheap to draw and hit-test). */
export interface GraphLayout {
  width: number;
  height: number;
  /** Top-left corner of node i. */
  x: Float64Array;
  y: Float64Array;
  /** Edge i's polyline as x0,y0,x1,y1,… from the dependency to the dependent. */
  edgePoints: Float64Array[];
  /** Milliseconds ELK took, measured where it ran. */
  layoutMs: number;
}

const indexOf = (id: string, prefix: string): number =>
  id.startsWith(prefix) ? Number(id.slice(prefix.length)) : Number.NaN;

/** Reads ELK's answer back into a GraphLayout for a model with `nodeCount` nodes and `edgeCount` edges. */
export function readLayout(
  out: LayoutOutput,
  nodeCount: number,
  edgeCount: number,
  layoutMs: number,
): GraphLayout {
  const x = new Float64Array(nodeCount);
  const y = new Float64Array(nodeCount);
  for (const child of out.children ?? []) {
    const i = indexOf(child.id, 'n');
    if (!(i >= 0 && i < nodeCount)) continue;
    x[i] = child.x ?? 0;
    y[i] = child.y ?? 0;
  }
  const edgePoints: Float64Array[] = Array.from({ length: edgeCount }, () => new Float64Array(0));
  for (const edge of out.edges ?? []) {
    const i = indexOf(edge.id, 'e');
    const section = edge.sections?.[0];
    if (!(i >= 0 && i < edgeCount) || !section) continue;
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
    edgePoints[i] = Float64Array.from(points.flatMap((p) => [p.x, p.y]));
  }
  return { width: out.width ?? 0, height: out.height ?? 0, x, y, edgePoints, layoutMs };
}

/**
 * A uniform grid over the layout, so finding the node under the pointer (and the nodes on
 * screen) looks at a few cells instead of every node.
 */
export interface SpatialIndex {
  cell: number;
  cols: number;
  rows: number;
  cells: number[][];
}

export function buildSpatialIndex(layout: GraphLayout, cell = 256): SpatialIndex {
  const cols = Math.max(1, Math.ceil(layout.width / cell));
  const rows = Math.max(1, Math.ceil(layout.height / cell));
  const cells: number[][] = Array.from({ length: cols * rows }, () => []);
  const clampCol = (v: number) => Math.min(cols - 1, Math.max(0, Math.floor(v / cell)));
  const clampRow = (v: number) => Math.min(rows - 1, Math.max(0, Math.floor(v / cell)));
  for (let i = 0; i < layout.x.length; i++) {
    const c0 = clampCol(layout.x[i]);
    const c1 = clampCol(layout.x[i] + NODE_WIDTH);
    const r0 = clampRow(layout.y[i]);
    const r1 = clampRow(layout.y[i] + NODE_HEIGHT);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells[r * cols + c].push(i);
  }
  return { cell, cols, rows, cells };
}

/** The node under a point in layout coordinates, or -1. */
export function nodeAt(layout: GraphLayout, index: SpatialIndex, px: number, py: number): number {
  const c = Math.floor(px / index.cell);
  const r = Math.floor(py / index.cell);
  if (c < 0 || r < 0 || c >= index.cols || r >= index.rows) return -1;
  for (const i of index.cells[r * index.cols + c]) {
    const x = layout.x[i];
    const y = layout.y[i];
    if (px >= x && px <= x + NODE_WIDTH && py >= y && py <= y + NODE_HEIGHT) return i;
  }
  return -1;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

/**
 * The nearest node from `from` in a direction, for moving the selection with the arrow keys:
 * candidates must lie in that half-plane, and sideways distance counts double so "right" prefers
 * the node straight across over a closer one far above.
 */
export function nearestInDirection(layout: GraphLayout, from: number, dir: Direction): number {
  const cx = layout.x[from] + NODE_WIDTH / 2;
  const cy = layout.y[from] + NODE_HEIGHT / 2;
  let best = -1;
  let bestScore = Infinity;
  for (let i = 0; i < layout.x.length; i++) {
    if (i === from) continue;
    const dx = layout.x[i] + NODE_WIDTH / 2 - cx;
    const dy = layout.y[i] + NODE_HEIGHT / 2 - cy;
    const [along, across] =
      dir === 'right'
        ? [dx, dy]
        : dir === 'left'
          ? [-dx, dy]
          : dir === 'down'
            ? [dy, dx]
            : [-dy, dx];
    if (along <= 0) continue;
    const score = along + 2 * Math.abs(across);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
