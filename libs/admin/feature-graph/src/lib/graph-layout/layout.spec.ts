import type { GraphView } from '@autocoder/shared-contracts/plain';
import { buildGraphModel } from '../graph-model/graph-model';
import {
  buildLayoutInput,
  buildSpatialIndex,
  LAYOUT_OPTIONS,
  nearestInDirection,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodeAt,
  readLayout,
} from './layout';
import { centreOn, fitViewport, minZoom, zoomAt } from './viewport';

const VIEW: GraphView = {
  nodes: [
    { id: 'a', name: 'A', category: 'ui', status: 'passing', priority: 1 },
    { id: 'b', name: 'B', category: 'ui', status: 'pending', priority: 2 },
    { id: 'c', name: 'C', category: 'ui', status: 'pending', priority: 3 },
  ],
  // b depends on a; c depends on a and b; one edge names a feature that is gone.
  edges: [
    { from: 'b', to: 'a' },
    { from: 'c', to: 'a' },
    { from: 'c', to: 'b' },
    { from: 'c', to: 'zz' },
  ],
};

describe('buildLayoutInput', () => {
  it('sends every node at the drawn size and each edge from the dependency to its dependent', () => {
    const input = buildLayoutInput(buildGraphModel(VIEW));
    expect(input.layoutOptions).toEqual(LAYOUT_OPTIONS);
    expect(input.layoutOptions['elk.direction']).toBe('RIGHT');
    expect(input.children).toEqual(
      ['n0', 'n1', 'n2'].map((id) => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    );
    // Dependencies flow left to right: a (n0) → b (n1), a → c, b → c; the dangling edge is gone.
    expect(input.edges).toEqual([
      { id: 'e0', sources: ['n0'], targets: ['n1'] },
      { id: 'e1', sources: ['n0'], targets: ['n2'] },
      { id: 'e2', sources: ['n1'], targets: ['n2'] },
    ]);
  });
});

describe('readLayout and hit testing', () => {
  const layout = readLayout(
    {
      width: 800,
      height: 300,
      children: [
        { id: 'n0', x: 0, y: 100 },
        { id: 'n1', x: 300, y: 0 },
        { id: 'n2', x: 600, y: 200 },
        { id: 'bogus', x: 5, y: 5 },
      ],
      edges: [
        {
          id: 'e2',
          sections: [
            {
              startPoint: { x: 520, y: 26 },
              bendPoints: [{ x: 560, y: 26 }],
              endPoint: { x: 600, y: 226 },
            },
          ],
        },
      ],
    },
    3,
    3,
    12,
  );

  it('reads positions and polylines by index, ignoring ids it does not know', () => {
    expect([...layout.x]).toEqual([0, 300, 600]);
    expect([...layout.y]).toEqual([100, 0, 200]);
    expect([...layout.edgePoints[2]]).toEqual([520, 26, 560, 26, 600, 226]);
    expect(layout.edgePoints[0].length).toBe(0);
    expect(layout.layoutMs).toBe(12);
  });

  it('finds the node under a point through the grid, and none between nodes', () => {
    const index = buildSpatialIndex(layout, 128);
    expect(nodeAt(layout, index, 10, 110)).toBe(0);
    expect(nodeAt(layout, index, 300 + NODE_WIDTH - 1, NODE_HEIGHT - 1)).toBe(1);
    expect(nodeAt(layout, index, 650, 230)).toBe(2);
    expect(nodeAt(layout, index, 250, 250)).toBe(-1);
    expect(nodeAt(layout, index, -5, 110)).toBe(-1);
  });

  it('moves the keyboard selection to the nearest node in a direction', () => {
    expect(nearestInDirection(layout, 0, 'right')).toBe(1);
    expect(nearestInDirection(layout, 1, 'down')).toBe(0);
    // From c, a is straighter across but b is nearer overall (300 along + 2×200 aside < 600 + 2×100).
    expect(nearestInDirection(layout, 2, 'left')).toBe(1);
    expect(nearestInDirection(layout, 0, 'left')).toBe(-1);
  });
});

describe('viewport maths', () => {
  it('fits a large graph into the view, centred, and never enlarges a small one', () => {
    const big = fitViewport(10_000, 2_000, 1_000, 500);
    expect(big.k).toBeCloseTo((1_000 - 48) / 10_000);
    expect(big.x + (10_000 * big.k) / 2).toBeCloseTo(500);
    expect(fitViewport(100, 100, 1_000, 500).k).toBe(1);
    expect(minZoom(10_000, 2_000, 1_000, 500)).toBeCloseTo(big.k / 2);
  });

  it('zooms around a point, keeping the layout point under it, within the limits', () => {
    const v = zoomAt({ x: 0, y: 0, k: 1 }, 2, 100, 50, 0.1);
    expect(v).toEqual({ k: 2, x: -100, y: -50 });
    expect(zoomAt({ x: 0, y: 0, k: 1 }, 100, 0, 0, 0.1).k).toBe(2.5);
    expect(zoomAt({ x: 0, y: 0, k: 1 }, 0.001, 0, 0, 0.1).k).toBe(0.1);
    expect(centreOn(50, 50, 2, 400, 200)).toEqual({ k: 2, x: 100, y: 0 });
  });
});
