import { type Viewport, visibleRect } from '../graph-layout/viewport';

/** A tile's side in device pixels. */
export const TILE_PX = 512;
/** Level 0 draws the whole graph in at most this many pixels a side (4 × 4 tiles). */
const LEVEL0_PX = 2048;
/** Tiles kept beyond level 0 (each 1 MB): a 2880 × 1800 screen needs about 35. */
const MAX_TILES = 64;
/** Time a frame may spend drawing missing tiles; the rest show a coarser level until drawn. */
const FRAME_BUDGET_MS = 8;

/** How much a tile shows: 0 plain boxes, 1 rounded boxes with borders, 2 with names too. */
export type TileDetail = 0 | 1 | 2;

export interface TileCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): unknown;
}

/** The part of CanvasRenderingContext2D the cache uses on the screen's canvas. */
export interface TileTarget {
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  drawImage(
    image: never,
    sx: number,
    sy: number,
    sw: number,
    sh: number,
    dx: number,
    dy: number,
    dw: number,
    dh: number,
  ): void;
}

/**
 * Draws one tile: the layout seen through `view` (k = the level's device pixels per layout unit)
 * on a `TILE_PX` square canvas.
 */
export type TilePainter = (tile: TileCanvas, view: Viewport, detail: TileDetail) => void;

interface Tile {
  level: number;
  detail: TileDetail;
  tx: number;
  ty: number;
  canvas: TileCanvas;
}

/**
 * The graph as a pyramid of cached tiles, the way map viewers draw: level L holds the whole
 * graph at `base · 2^L` device pixels per layout unit, cut into 512 px squares drawn on first
 * need. A frame shows the level at least as sharp as the view (scaled down at most 2×), draws
 * missing tiles within a time budget, nearest the centre first, and fills the rest from a
 * coarser level until they exist. A frame is then a few dozen drawImage calls whatever the zoom,
 * where drawing 2,000 boxes and 3,000 edges one by one took 50-270 ms on these machines.
 */
export class TileCache {
  /** Insertion order is use order (a Map re-inserted on use): the first entries are evicted. */
  private readonly tiles = new Map<string, Tile>();
  /** The tiles from before the last `clear`, kept as a fallback until level 0 is redrawn. */
  private stale?: Map<string, Tile>;
  private level0Complete = false;
  private worldKey = '';
  /** Tiles still missing after the last frame: the caller asks for another frame. */
  pending = false;

  constructor(
    private readonly createCanvas: (width: number, height: number) => TileCanvas,
    private readonly paint: TilePainter,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The picture changed (statuses, highlight, filter, theme): every tile is redrawn, and until
   * then the old ones stand in as the coarse fallback, so a hover costs no full redraw at once.
   */
  clear(): void {
    // A second change before level 0 was redrawn keeps the older, complete fallback.
    if (this.level0Complete) this.stale = new Map(this.tiles);
    this.tiles.clear();
    this.level0Complete = false;
  }

  get size(): number {
    return this.tiles.size;
  }

  /** Level 0's scale: the whole graph fits `LEVEL0_PX` on its longest side. */
  static baseScale(worldW: number, worldH: number): number {
    return LEVEL0_PX / Math.max(1, worldW, worldH);
  }

  /** The level sharp enough for `pixelsPerUnit`: the coarsest whose scale is at least it. */
  static levelFor(pixelsPerUnit: number, base: number): number {
    if (pixelsPerUnit <= base) return 0;
    return Math.ceil(Math.log2(pixelsPerUnit / base) - 1e-9);
  }

  /**
   * Draws the view on `target` (device pixels, cleared by the caller) from tiles; returns the
   * number of tiles drawn fresh this frame.
   */
  draw(
    target: TileTarget,
    view: Viewport,
    viewW: number,
    viewH: number,
    dpr: number,
    world: { width: number; height: number },
    detail: TileDetail,
  ): number {
    const key = `${world.width}x${world.height}`;
    if (key !== this.worldKey) {
      this.worldKey = key;
      this.tiles.clear();
      this.stale = undefined;
    }
    const base = TileCache.baseScale(world.width, world.height);
    const level = TileCache.levelFor(view.k * dpr, base);
    const r = visibleRect(view, viewW, viewH);
    const range = this.range(level, base, world, r);
    // Level 0 is the fallback for everything: drawn whole at once when there is nothing older.
    const all = this.range(0, base, world, { x0: 0, y0: 0, x1: world.width, y1: world.height });
    if (!this.stale) {
      this.ensureLevel0(all, base, detail);
      this.level0Complete = true;
    }

    const missing: [number, number][] = [];
    target.setTransform(1, 0, 0, 1, 0, 0);
    for (let ty = range.ty0; ty <= range.ty1; ty++)
      for (let tx = range.tx0; tx <= range.tx1; tx++) {
        const tile = level === 0 ? this.find(0, tx, ty) : this.get(level, detail, tx, ty);
        if (tile) this.blit(target, tile, base, view, dpr, tx, ty, level);
        else missing.push([tx, ty]);
      }

    // Nearest the centre first: that is where the person looks.
    const perTile = TILE_PX / (base * 2 ** level);
    const cx = (r.x0 + r.x1) / 2 / perTile;
    const cy = (r.y0 + r.y1) / 2 / perTile;
    const distance = (t: [number, number]) => Math.hypot(t[0] + 0.5 - cx, t[1] + 0.5 - cy);
    missing.sort((a, b) => distance(a) - distance(b));
    const start = this.now();
    let fresh = 0;
    const due = () => fresh === 0 || this.now() - start <= FRAME_BUDGET_MS;
    const left: [number, number][] = [];
    for (const [tx, ty] of missing) {
      // At least one tile a frame, so a slow machine still gets there.
      if (!due()) {
        left.push([tx, ty]);
        continue;
      }
      const tile = this.render(level, level === 0 ? level0Detail(detail) : detail, tx, ty, base);
      fresh++;
      this.blit(target, tile, base, view, dpr, tx, ty, level);
    }
    for (const [tx, ty] of left) this.blitFallback(target, base, view, dpr, level, tx, ty);
    // Then the rest of level 0, off screen, so the old tiles can go.
    let level0Left = false;
    if (this.stale) {
      for (let ty = all.ty0; ty <= all.ty1; ty++)
        for (let tx = all.tx0; tx <= all.tx1; tx++) {
          if (this.find(0, tx, ty)) continue;
          if (!due() || left.length > 0) {
            level0Left = true;
            continue;
          }
          this.render(0, level0Detail(detail), tx, ty, base);
          fresh++;
        }
      if (!level0Left) {
        this.stale = undefined;
        this.level0Complete = true;
      }
    }
    this.pending = left.length > 0 || level0Left;
    this.evict(range, level);
    return fresh;
  }

  private range(
    level: number,
    base: number,
    world: { width: number; height: number },
    r: { x0: number; y0: number; x1: number; y1: number },
  ): { tx0: number; ty0: number; tx1: number; ty1: number } {
    const perTile = TILE_PX / (base * 2 ** level); // layout units a tile covers
    const cols = Math.max(1, Math.ceil(world.width / perTile));
    const rows = Math.max(1, Math.ceil(world.height / perTile));
    return {
      tx0: Math.max(0, Math.floor(r.x0 / perTile)),
      ty0: Math.max(0, Math.floor(r.y0 / perTile)),
      tx1: Math.min(cols - 1, Math.floor(r.x1 / perTile)),
      ty1: Math.min(rows - 1, Math.floor(r.y1 / perTile)),
    };
  }

  private ensureLevel0(
    all: { tx0: number; ty0: number; tx1: number; ty1: number },
    base: number,
    detail: TileDetail,
  ): void {
    for (let ty = all.ty0; ty <= all.ty1; ty++)
      for (let tx = all.tx0; tx <= all.tx1; tx++)
        if (!this.find(0, tx, ty)) this.render(0, level0Detail(detail), tx, ty, base);
  }

  private render(level: number, detail: TileDetail, tx: number, ty: number, base: number): Tile {
    const canvas = this.createCanvas(TILE_PX, TILE_PX);
    this.paint(canvas, { x: -tx * TILE_PX, y: -ty * TILE_PX, k: base * 2 ** level }, detail);
    const tile = { level, detail, tx, ty, canvas };
    this.tiles.set(`${level}:${detail}:${tx}:${ty}`, tile);
    return tile;
  }

  private get(level: number, detail: TileDetail, tx: number, ty: number): Tile | undefined {
    const key = `${level}:${detail}:${tx}:${ty}`;
    const tile = this.tiles.get(key);
    if (tile) {
      this.tiles.delete(key);
      this.tiles.set(key, tile);
    }
    return tile;
  }

  /** A tile of `level` in any detail. */
  private find(level: number, tx: number, ty: number): Tile | undefined {
    return find(this.tiles, level, tx, ty);
  }

  /**
   * Draws the part of tile (tx, ty) of `level` that covers the tile (ax, ay) of `at` (the same
   * or a finer level). Edges are rounded to whole device pixels so neighbours meet without seams.
   */
  private blit(
    target: TileTarget,
    tile: Tile,
    base: number,
    view: Viewport,
    dpr: number,
    ax: number,
    ay: number,
    at: number,
  ): void {
    const perTile = TILE_PX / (base * 2 ** at);
    const x0 = Math.round(dpr * (view.x + ax * perTile * view.k));
    const y0 = Math.round(dpr * (view.y + ay * perTile * view.k));
    const x1 = Math.round(dpr * (view.x + (ax + 1) * perTile * view.k));
    const y1 = Math.round(dpr * (view.y + (ay + 1) * perTile * view.k));
    const shrink = 2 ** (at - tile.level); // how many `at` tiles fit along one side of `tile`
    const side = TILE_PX / shrink;
    const sx = (ax - tile.tx * shrink) * side;
    const sy = (ay - tile.ty * shrink) * side;
    target.drawImage(tile.canvas as never, sx, sy, side, side, x0, y0, x1 - x0, y1 - y0);
  }

  /** A coarser fresh tile, or the same or a coarser one from before the last `clear`. */
  private blitFallback(
    target: TileTarget,
    base: number,
    view: Viewport,
    dpr: number,
    level: number,
    tx: number,
    ty: number,
  ): void {
    for (const source of [this.tiles, this.stale]) {
      if (!source) continue;
      for (let l = source === this.tiles ? level - 1 : level; l >= 0; l--) {
        const shift = level - l;
        const tile = find(source, l, tx >> shift, ty >> shift);
        if (tile) return this.blit(target, tile, base, view, dpr, tx, ty, level);
      }
    }
  }

  /** Drops the least recently used tiles beyond the limit; level 0 and this frame's stay. */
  private evict(
    range: { tx0: number; ty0: number; tx1: number; ty1: number },
    level: number,
  ): void {
    let extra = this.tiles.size - MAX_TILES;
    if (extra <= 0) return;
    for (const [key, tile] of this.tiles) {
      if (extra <= 0) break;
      if (tile.level === 0) continue;
      const onScreen =
        tile.level === level &&
        tile.tx >= range.tx0 &&
        tile.tx <= range.tx1 &&
        tile.ty >= range.ty0 &&
        tile.ty <= range.ty1;
      if (onScreen) continue;
      this.tiles.delete(key);
      extra--;
    }
  }
}

function find(tiles: Map<string, Tile>, level: number, tx: number, ty: number): Tile | undefined {
  for (const d of [2, 1, 0] as const) {
    const tile = tiles.get(`${level}:${d}:${tx}:${ty}`);
    if (tile) return tile;
  }
  return undefined;
}

/** Level 0 shows the graph zoomed far out: names there would be unreadable specks. */
function level0Detail(detail: TileDetail): TileDetail {
  return detail === 2 ? 1 : detail;
}
