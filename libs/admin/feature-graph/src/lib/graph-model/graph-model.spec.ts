import type { FeatureStatus, GraphView } from '@autocoder/shared-contracts/plain';
import {
  buildGraphModel,
  countByStatus,
  highlightFor,
  inChain,
  sameTopology,
  searchFeatures,
} from './graph-model';

type Row = [id: string, status: FeatureStatus, name?: string];

function view(rows: Row[], edges: [from: string, to: string][]): GraphView {
  return {
    nodes: rows.map(([id, status, name], i) => ({
      id,
      name: name ?? `Feature ${id}`,
      category: 'ui',
      status,
      priority: i + 1,
    })),
    edges: edges.map(([from, to]) => ({ from, to })),
  };
}

/** a ← b ← c ← d (each depends on the one before), e independent, f depends on b and e. */
const CHAIN = view(
  [
    ['a', 'passing'],
    ['b', 'failing'],
    ['c', 'pending'],
    ['d', 'pending'],
    ['e', 'passing'],
    ['f', 'pending'],
  ],
  [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['f', 'b'],
    ['f', 'e'],
  ],
);

const ids = (model: ReturnType<typeof buildGraphModel>, set: ReadonlySet<number>) =>
  [...set].map((i) => model.nodes[i].id).sort();

describe('buildGraphModel', () => {
  it('indexes adjacency both ways and marks blocked features by their direct dependencies', () => {
    const m = buildGraphModel(CHAIN);
    expect(m.dependsOn[m.byId.get('f') ?? -1].map((i) => m.nodes[i].id).sort()).toEqual(['b', 'e']);
    expect(m.dependents[m.byId.get('b') ?? -1].map((i) => m.nodes[i].id).sort()).toEqual([
      'c',
      'f',
    ]);
    // b waits on a (passing): not blocked; c waits on b (failing): blocked; d waits on c
    // (pending): blocked; f waits on b: blocked although e passes.
    expect(m.nodes.filter((n) => m.blocked[n.index]).map((n) => n.id)).toEqual(['c', 'd', 'f']);
    // The edges that wait: every edge whose dependency is not passing.
    expect(
      m.edges
        .filter((_, e) => m.blocking[e])
        .map((e) => `${m.nodes[e.from].id}>${m.nodes[e.to].id}`),
    ).toEqual(['c>b', 'd>c', 'f>b']);
  });

  it('skips edges to unknown features, self-loops and repeats instead of failing', () => {
    const m = buildGraphModel(
      view(
        [
          ['a', 'passing'],
          ['b', 'pending'],
        ],
        [
          ['b', 'a'],
          ['b', 'a'],
          ['b', 'b'],
          ['b', 'gone'],
        ],
      ),
    );
    expect(m.edges).toEqual([{ from: 1, to: 0 }]);
    expect(m.blocked).toEqual([false, false]);
  });
});

describe('highlightFor', () => {
  it('lights up the whole upstream chain, the downstream dependents and the edges between them', () => {
    const m = buildGraphModel(CHAIN);
    const h = highlightFor(m, m.byId.get('c') ?? -1);
    expect(ids(m, h.upstream)).toEqual(['a', 'b']);
    expect(ids(m, h.downstream)).toEqual(['d']);
    // What actually holds c back: the upstream features that do not pass.
    expect(ids(m, h.blockers)).toEqual(['b']);
    const edgeNames = [...h.edges].map(
      (e) => `${m.nodes[m.edges[e].from].id}>${m.nodes[m.edges[e].to].id}`,
    );
    expect(edgeNames.sort()).toEqual(['b>a', 'c>b', 'd>c']);
    // f depends on b but is neither upstream nor downstream of c.
    expect(inChain(h, m.byId.get('f') ?? -1)).toBe(false);
    expect(inChain(h, m.byId.get('c') ?? -1)).toBe(true);
  });

  it('follows a feature with several dependencies and several dependents', () => {
    const m = buildGraphModel(CHAIN);
    const b = highlightFor(m, m.byId.get('b') ?? -1);
    expect(ids(m, b.downstream)).toEqual(['c', 'd', 'f']);
    expect(ids(m, b.blockers)).toEqual([]);
    const f = highlightFor(m, m.byId.get('f') ?? -1);
    expect(ids(m, f.upstream)).toEqual(['a', 'b', 'e']);
    expect(ids(m, f.blockers)).toEqual(['b']);
    expect(f.downstream.size).toBe(0);
  });

  it('terminates on a cycle (the api refuses them, but stored data could still hold one)', () => {
    const m = buildGraphModel(
      view(
        [
          ['a', 'pending'],
          ['b', 'pending'],
        ],
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
      ),
    );
    const h = highlightFor(m, 0);
    expect(ids(m, h.upstream)).toEqual(['b']);
    expect(ids(m, h.downstream)).toEqual(['b']);
  });
});

describe('searchFeatures', () => {
  const m = buildGraphModel(
    view(
      [
        ['1', 'pending', 'Export invoices'],
        ['2', 'pending', 'Checkout page'],
        ['3', 'pending', 'Invoice list'],
        ['4', 'pending', 'Pay an invoice'],
      ],
      [],
    ),
  );

  it('finds names holding the words, those starting with them first, case-insensitively', () => {
    expect(searchFeatures(m, 'INVOICE').map((n) => n.name)).toEqual([
      'Invoice list',
      'Export invoices',
      'Pay an invoice',
    ]);
    expect(searchFeatures(m, 'invoice', 1).map((n) => n.id)).toEqual(['3']);
  });

  it('finds nothing for an empty query or an unknown name', () => {
    expect(searchFeatures(m, '   ')).toEqual([]);
    expect(searchFeatures(m, 'refund')).toEqual([]);
  });
});

describe('countByStatus and sameTopology', () => {
  it('counts each status and the blocked features', () => {
    expect(countByStatus(buildGraphModel(CHAIN))).toEqual({
      pending: 3,
      in_progress: 0,
      needs_input: 0,
      passing: 2,
      failing: 1,
      blocked: 3,
    });
  });

  it('keeps the layout when only statuses change, not when features, order or edges do', () => {
    const moved = {
      ...CHAIN,
      nodes: CHAIN.nodes.map((n) => ({ ...n, status: 'passing' as const })),
    };
    expect(sameTopology(CHAIN, moved)).toBe(true);
    expect(sameTopology(CHAIN, { ...CHAIN, edges: CHAIN.edges.slice(1) })).toBe(false);
    expect(sameTopology(CHAIN, { ...CHAIN, nodes: [...CHAIN.nodes].reverse() })).toBe(false);
    const swapped = { ...CHAIN, edges: [...CHAIN.edges.slice(1), { from: 'a', to: 'e' }] };
    expect(sameTopology(CHAIN, swapped)).toBe(false);
  });
});
