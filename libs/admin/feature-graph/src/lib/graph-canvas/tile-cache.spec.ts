import type { Viewport } from '../graph-layout/viewport';
import {
  TILE_PX,
  TileCache,
  type TileCanvas,
  type TileDetail,
  type TileTarget,
} from './tile-cache';

interface Painted {
  view: Viewport;
  detail: TileDetail;
}
interface Blit {
  source: TileCanvas;
  s: number[];
  d: number[];
}

/** A cache over fake canvases; every paint advances the fake clock by `paintMs`. */
function setup(paintMs = 1) {
  let clock = 0;
  const painted: Painted[] = [];
  const blits: Blit[] = [];
  const cache = new TileCache(
    (width, height) => ({ width, height, getContext: () => null }),
    (_tile, view, detail) => {
      clock += paintMs;
      painted.push({ view, detail });
    },
    () => clock,
  );
  const target: TileTarget = {
    setTransform: () => undefined,
    drawImage: (image: never, ...rest: number[]) =>
      blits.push({ source: image as TileCanvas, s: rest.slice(0, 4), d: rest.slice(4) }),
  };
  return { cache, painted, blits, target };
}

// 4096 × 2048 layout units: level 0 is 0.5 device px a unit, 2048 × 1024 px, 4 × 2 tiles.
const WORLD = { width: 4096, height: 2048 };

describe('TileCache', () => {
  it('picks the coarsest level at least as sharp as the view', () => {
    expect(TileCache.baseScale(4096, 2048)).toBe(0.5);
    expect(TileCache.levelFor(0.2, 0.5)).toBe(0);
    expect(TileCache.levelFor(0.5, 0.5)).toBe(0);
    expect(TileCache.levelFor(0.51, 0.5)).toBe(1);
    expect(TileCache.levelFor(1, 0.5)).toBe(1);
    expect(TileCache.levelFor(1.01, 0.5)).toBe(2);
  });

  it('draws level 0 whole on the first frame and shows it from then on without painting', () => {
    const { cache, painted, blits, target } = setup();
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, WORLD, 0);
    expect(painted).toHaveLength(8);
    expect(painted.every((p) => p.view.k === 0.5)).toBe(true);
    expect(cache.pending).toBe(false);
    expect(blits.length).toBeGreaterThan(0);
    painted.length = 0;
    cache.draw(target, { x: -100, y: -50, k: 0.25 }, 1440, 900, 1, WORLD, 0);
    expect(painted).toHaveLength(0);
  });

  it('paints missing tiles within the frame budget, centre first, and fills the rest from a coarser level', () => {
    const { cache, painted, blits, target } = setup(5);
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, WORLD, 0); // level 0
    painted.length = 0;
    blits.length = 0;
    // k = 1.8: level 2 (2 px a unit), tiles of 256 units; the view shows 800 × 500 units.
    const view = { x: -1800, y: -900, k: 1.8 };
    cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    // 8 ms budget at 5 ms a tile: the first tile, then a second started at 5 ms, then stop.
    expect(painted).toHaveLength(2);
    expect(cache.pending).toBe(true);
    // The centre (1400, 750 units) is in tile (5, 2) of level 2.
    expect(painted[0].view).toEqual({ x: -5 * TILE_PX, y: -2 * TILE_PX, k: 2 });
    expect(painted[0].detail).toBe(2);
    // Every visible tile is covered: the rest by a part of a level-0 tile.
    const visibleTiles = 5 * 3; // units 1000-1800 × 500-1000: columns 3-7, rows 1-3 of level 2
    expect(blits).toHaveLength(visibleTiles);
    const fromLevel0 = blits.filter((b) => b.s[2] === TILE_PX / 4);
    expect(fromLevel0).toHaveLength(visibleTiles - 2);

    let frames = 0;
    while (cache.pending && frames < 20) {
      cache.draw(target, view, 1440, 900, 1, WORLD, 2);
      frames++;
    }
    expect(cache.pending).toBe(false);
    expect(painted).toHaveLength(visibleTiles);
  });

  it('meets neighbouring tiles on whole pixels, without gaps or overlaps', () => {
    const { cache, blits, target } = setup();
    cache.draw(target, { x: 0.3, y: 0.7, k: 0.37 }, 1440, 900, 1.5, WORLD, 1);
    const byRow = new Map<number, Blit[]>();
    for (const b of blits) byRow.set(b.d[1], [...(byRow.get(b.d[1]) ?? []), b]);
    for (const row of byRow.values()) {
      row.sort((a, b) => a.d[0] - b.d[0]);
      for (let i = 1; i < row.length; i++)
        expect(row[i].d[0]).toBe(row[i - 1].d[0] + row[i - 1].d[2]);
      for (const b of row) expect(Number.isInteger(b.d[0]) && Number.isInteger(b.d[2])).toBe(true);
    }
  });

  it('after a change keeps the old tiles as the fallback instead of repainting level 0 at once', () => {
    const { cache, painted, target } = setup(5);
    const view = { x: -1800, y: -900, k: 1.8 };
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, WORLD, 0);
    for (let i = 0; i < 20 && (i === 0 || cache.pending); i++)
      cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    painted.length = 0;
    cache.clear();
    cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    expect(painted).toHaveLength(2); // the budget, not 8 level-0 tiles first
    cache.clear(); // a second change before level 0 is back: the first fallback stays
    painted.length = 0;
    cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    expect(painted).toHaveLength(2);
    for (let i = 0; i < 40 && cache.pending; i++) cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    expect(cache.pending).toBe(false);
    // Level 0 is whole again: the next change falls back on it.
    expect(painted.filter((p) => p.view.k === 0.5)).toHaveLength(8);
  });

  it('keeps at most 64 tiles beyond level 0, dropping the least recently used', () => {
    const { cache, target } = setup(0);
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, WORLD, 0);
    for (let x = 0; x < 4096 * 4; x += 400) {
      const view = { x: -x, y: -2000, k: 4 }; // level 3, 64 units a tile
      for (let i = 0; i < 10 && (i === 0 || cache.pending); i++)
        cache.draw(target, view, 1440, 900, 1, WORLD, 2);
    }
    expect(cache.size).toBeLessThanOrEqual(64 + 8);
  });

  it('starts again when the layout changes size', () => {
    const { cache, painted, target } = setup();
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, WORLD, 0);
    painted.length = 0;
    cache.draw(target, { x: 0, y: 0, k: 0.25 }, 1440, 900, 1, { width: 2048, height: 2048 }, 0);
    expect(painted.map((p) => p.view.k)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
