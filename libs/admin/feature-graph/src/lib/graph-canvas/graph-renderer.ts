import type { StatusTone } from '@autocoder/admin-ui';
import { type GraphModel, type Highlight, inChain } from '../graph-model/graph-model';
import {
  type GraphLayout,
  NODE_HEIGHT,
  NODE_WIDTH,
  type SpatialIndex,
} from '../graph-layout/layout';
import { type Viewport, visibleRect } from '../graph-layout/viewport';
import { type Palette, toneOf } from './palette';
import { type TileCanvas, TileCache, type TileDetail } from './tile-cache';

/** Below this zoom names are unreadable: nodes are drawn as coloured boxes only. */
export const TEXT_MIN_ZOOM = 0.42;
/** Below this zoom corners and borders are invisible: plain rectangles, one path per colour. */
const DETAIL_MIN_ZOOM = 0.18;
const RADIUS = 8;
const BAR = 5;
const PAD = 12;
const NAME_FONT = 13;
const META_FONT = 11;
/** Smaller graphs are drawn directly every frame: that is fast enough and always sharp. */
const TILED_MIN_NODES = 300;
/** Above this zoom few features are on screen: drawn directly, names sharp. */
const TILED_MAX_ZOOM = 1;

/** How a frame is drawn: `px` layout units per CSS pixel (line widths), and the detail shown. */
interface Look {
  px: number;
  detail: boolean;
  text: boolean;
}

export interface Scene {
  model: GraphModel;
  layout: GraphLayout;
  index: SpatialIndex;
  /** Per edge: minX, minY, maxX, maxY of its polyline, for skipping edges off screen. */
  edgeBoxes: Float64Array;
  highlight: Highlight | null;
  selected: number;
  /** 1 where a node is filtered out (drawn faint). */
  dimmed: Uint8Array | null;
}

export function edgeBoxes(layout: GraphLayout): Float64Array {
  const boxes = new Float64Array(layout.edgePoints.length * 4);
  layout.edgePoints.forEach((p, e) => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < p.length; i += 2) {
      x0 = Math.min(x0, p[i]);
      x1 = Math.max(x1, p[i]);
      y0 = Math.min(y0, p[i + 1]);
      y1 = Math.max(y1, p[i + 1]);
    }
    boxes.set([x0, y0, x1, y1], e * 4);
  });
  return boxes;
}

/**
 * Draws the graph on a 2D canvas: only what is on screen, batched by colour (a canvas state
 * change costs more than a rectangle), with less detail as the zoom goes down. SVG was measured
 * first and could not pan 2,000 nodes smoothly (bench/graph-svg-vs-canvas.mjs).
 */
export class GraphRenderer {
  private labels: (string | undefined)[] = [];
  private labelFont = '';
  /** Widths of the status words (five of them), measured once per font. */
  private readonly metaWidths = new Map<string, number>();
  /** The picture cut into cached tiles for big graphs (undefined: draw directly). */
  private readonly tiles?: TileCache;
  /** Paints tiles: the same drawing on each tile's canvas at its level's scale. */
  private tilePainter?: GraphRenderer;
  /** What the tile painter draws: the frame being drawn. */
  private frameScene?: { scene: Scene; palette: Palette; dpr: number };
  /** Nodes on screen this frame, found through the spatial index (stamp avoids a Set). */
  private stamp = new Uint32Array(0);
  private frame = 0;

  /** `createTile` undefined: the renderer that paints tiles, or one for small screens in tests. */
  constructor(
    private ctx: CanvasRenderingContext2D,
    createTile?: (width: number, height: number) => TileCanvas,
  ) {
    if (createTile)
      this.tiles = new TileCache(createTile, (tile, view, detail) =>
        this.paintTile(tile, view, detail),
      );
  }

  /** Tiles are still missing after the last frame: draw another to finish them. */
  get pending(): boolean {
    return this.tiles?.pending ?? false;
  }

  /** Forget cut-down names (new features or a new font). */
  resetLabels(): void {
    this.labels = [];
    this.metaWidths.clear();
    this.invalidate();
  }

  /** Something other than the view changed (statuses, highlight, filter, theme). */
  invalidate(): void {
    this.tiles?.clear();
    this.tilePainter?.resetLabels();
  }

  draw(
    scene: Scene,
    view: Viewport,
    width: number,
    height: number,
    dpr: number,
    palette: Palette,
  ): number {
    const { ctx } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, width * dpr, height * dpr);
    if (this.tiles && scene.model.nodes.length >= TILED_MIN_NODES && view.k <= TILED_MAX_ZOOM) {
      this.frameScene = { scene, palette, dpr };
      const detail: TileDetail = view.k >= TEXT_MIN_ZOOM ? 2 : view.k >= DETAIL_MIN_ZOOM ? 1 : 0;
      this.tiles.draw(ctx, view, width, height, dpr, scene.layout, detail);
      this.frameScene = undefined;
      ctx.setTransform(dpr * view.k, 0, 0, dpr * view.k, dpr * view.x, dpr * view.y);
      this.selectionRing(scene, 1 / view.k, palette);
      return this.visibleNodes(scene, visibleRect(view, width, height)).length;
    }
    ctx.setTransform(dpr * view.k, 0, 0, dpr * view.k, dpr * view.x, dpr * view.y);
    const look: Look = {
      px: 1 / view.k,
      detail: view.k >= DETAIL_MIN_ZOOM,
      text: view.k >= TEXT_MIN_ZOOM,
    };
    const visible = this.drawScene(scene, visibleRect(view, width, height), palette, look);
    this.selectionRing(scene, look.px, palette);
    return visible.length;
  }

  private paintTile(tile: TileCanvas, view: Viewport, detail: TileDetail): void {
    const frame = this.frameScene;
    const ctx = tile.getContext('2d') as CanvasRenderingContext2D | null;
    if (!frame || !ctx) return;
    this.tilePainter ??= new GraphRenderer(ctx);
    const painter = this.tilePainter;
    painter.ctx = ctx;
    ctx.setTransform(view.k, 0, 0, view.k, view.x, view.y);
    // A tile is shown from its own scale down to half of it: lines sized for three quarters.
    const look: Look = { px: frame.dpr / (0.75 * view.k), detail: detail >= 1, text: detail === 2 };
    painter.drawScene(frame.scene, visibleRect(view, tile.width, tile.height), frame.palette, look);
  }

  /** Edges, boxes and names inside `r` (layout units), on a context already transformed. */
  private drawScene(
    scene: Scene,
    r: { x0: number; y0: number; x1: number; y1: number },
    palette: Palette,
    look: Look,
  ): number[] {
    const { ctx } = this;
    const { model, layout } = scene;
    const visible = this.visibleNodes(scene, r);
    const px = look.px;
    const hl = scene.highlight;

    // Edges: plain, then waiting on a dependency (warning colour), then the highlighted chain on
    // top. Solid lines: dashing long edges cost more than everything else together (measured:
    // 2,000 features panned at 50-80 ms a frame with dashed edges).
    const boxes = scene.edgeBoxes;
    const plain: number[] = [];
    const blocking: number[] = [];
    const lit: number[] = [];
    for (let e = 0; e < model.edges.length; e++) {
      const b = e * 4;
      if (boxes[b + 2] < r.x0 || boxes[b] > r.x1 || boxes[b + 3] < r.y0 || boxes[b + 1] > r.y1)
        continue;
      if (hl?.edges.has(e)) lit.push(e);
      else if (model.blocking[e]) blocking.push(e);
      else plain.push(e);
    }
    const faint = hl ? 0.18 : 1;
    this.strokeEdges(layout, plain, palette.edge, 1.25 * px, faint, null);
    this.strokeEdges(layout, blocking, palette.blockingEdge, 1.5 * px, faint, null);
    if (lit.length > 0) this.strokeEdges(layout, lit, palette.accent, 2.5 * px, 1, null);
    if (look.text) this.arrowHeads(layout, [...plain, ...blocking, ...lit], palette, hl);

    // Nodes, grouped by colour and by whether they are faded.
    const groups = new Map<string, number[]>();
    for (const i of visible) {
      const faded = this.isFaded(scene, hl, i) ? 'f' : 'n';
      const key = `${toneOf(model.nodes[i].status)}:${faded}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(i);
    }
    const detail = look.detail;
    for (const [key, list] of groups) {
      const [tone, faded] = key.split(':') as [StatusTone, string];
      const colours = palette.tones[tone];
      ctx.globalAlpha = faded === 'f' ? 0.25 : 1;
      ctx.beginPath();
      for (const i of list) {
        if (detail) ctx.roundRect(layout.x[i], layout.y[i], NODE_WIDTH, NODE_HEIGHT, RADIUS);
        else ctx.rect(layout.x[i], layout.y[i], NODE_WIDTH, NODE_HEIGHT);
      }
      ctx.fillStyle = colours.bg;
      ctx.fill();
      if (detail) {
        // The status bar on the left, as on the board's columns.
        ctx.beginPath();
        for (const i of list)
          ctx.rect(layout.x[i], layout.y[i] + RADIUS / 2, BAR, NODE_HEIGHT - RADIUS);
        ctx.fillStyle = colours.strong;
        ctx.fill();
        // Borders: solid, or dashed for a blocked feature (the board's marker too).
        for (const blocked of [false, true]) {
          ctx.beginPath();
          for (const i of list) {
            if (model.blocked[i] !== blocked) continue;
            ctx.roundRect(layout.x[i], layout.y[i], NODE_WIDTH, NODE_HEIGHT, RADIUS);
          }
          ctx.setLineDash(blocked ? [5 * px, 3 * px] : []);
          ctx.lineWidth = (blocked ? 1.5 : 1) * px;
          ctx.strokeStyle = blocked ? palette.blockingEdge : colours.border;
          ctx.stroke();
        }
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = colours.strong;
        ctx.globalAlpha *= 0.55;
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;

    if (look.text) this.text(scene, visible, palette, hl);
    return visible;
  }

  /** The selected feature: a ring in the focus colour, thick enough to see at any zoom. */
  private selectionRing(scene: Scene, px: number, palette: Palette): void {
    if (scene.selected < 0) return;
    const { ctx } = this;
    const { layout } = scene;
    const i = scene.selected;
    ctx.beginPath();
    ctx.roundRect(
      layout.x[i] - 3 * px,
      layout.y[i] - 3 * px,
      NODE_WIDTH + 6 * px,
      NODE_HEIGHT + 6 * px,
      RADIUS + 3 * px,
    );
    ctx.lineWidth = 3 * px;
    ctx.strokeStyle = palette.focus;
    ctx.stroke();
  }

  private visibleNodes(
    scene: Scene,
    r: { x0: number; y0: number; x1: number; y1: number },
  ): number[] {
    const { index, layout } = scene;
    const n = layout.x.length;
    if (this.stamp.length !== n) this.stamp = new Uint32Array(n);
    this.frame = (this.frame + 1) >>> 0 || 1;
    const c0 = Math.max(0, Math.floor(r.x0 / index.cell));
    const c1 = Math.min(index.cols - 1, Math.floor(r.x1 / index.cell));
    const r0 = Math.max(0, Math.floor(r.y0 / index.cell));
    const r1 = Math.min(index.rows - 1, Math.floor(r.y1 / index.cell));
    const out: number[] = [];
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        for (const i of index.cells[row * index.cols + col]) {
          if (this.stamp[i] === this.frame) continue;
          this.stamp[i] = this.frame;
          const x = layout.x[i];
          const y = layout.y[i];
          if (x + NODE_WIDTH < r.x0 || x > r.x1 || y + NODE_HEIGHT < r.y0 || y > r.y1) continue;
          out.push(i);
        }
      }
    }
    return out;
  }

  private strokeEdges(
    layout: GraphLayout,
    edges: number[],
    colour: string,
    width: number,
    alpha: number,
    dash: number[] | null,
  ): void {
    if (edges.length === 0) return;
    const { ctx } = this;
    ctx.beginPath();
    for (const e of edges) {
      const p = layout.edgePoints[e];
      if (p.length < 4) continue;
      ctx.moveTo(p[0], p[1]);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1]);
    }
    ctx.globalAlpha = alpha;
    ctx.setLineDash(dash ?? []);
    ctx.lineWidth = width;
    ctx.strokeStyle = colour;
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }

  /** A small arrowhead where each edge reaches the feature that needs the dependency. */
  private arrowHeads(
    layout: GraphLayout,
    edges: number[],
    palette: Palette,
    hl: Highlight | null,
  ): void {
    const { ctx } = this;
    const size = 7;
    for (const lit of [false, true]) {
      ctx.beginPath();
      for (const e of edges) {
        if ((hl?.edges.has(e) ?? false) !== lit) continue;
        const p = layout.edgePoints[e];
        const n = p.length;
        if (n < 4) continue;
        const tx = p[n - 2];
        const ty = p[n - 1];
        const angle = Math.atan2(ty - p[n - 3], tx - p[n - 4]);
        ctx.moveTo(tx, ty);
        ctx.lineTo(tx - size * Math.cos(angle - 0.45), ty - size * Math.sin(angle - 0.45));
        ctx.lineTo(tx - size * Math.cos(angle + 0.45), ty - size * Math.sin(angle + 0.45));
        ctx.closePath();
      }
      ctx.globalAlpha = lit || !hl ? 1 : 0.18;
      ctx.fillStyle = lit ? palette.accent : palette.edge;
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }

  private text(scene: Scene, visible: number[], palette: Palette, hl: Highlight | null): void {
    const { ctx } = this;
    const { model, layout } = scene;
    const nameFont = `600 ${NAME_FONT}px ${palette.font}`;
    if (nameFont !== this.labelFont) {
      this.labelFont = nameFont;
      this.labels = [];
    }
    ctx.textBaseline = 'alphabetic';
    ctx.font = nameFont;
    for (const faded of [false, true]) {
      ctx.globalAlpha = faded ? 0.35 : 1;
      ctx.fillStyle = palette.text;
      for (const i of visible) {
        if (this.isFaded(scene, hl, i) !== faded) continue;
        ctx.fillText(this.label(i, model.nodes[i].name), layout.x[i] + PAD, layout.y[i] + 22);
      }
    }
    ctx.font = `${META_FONT}px ${palette.font}`;
    for (const faded of [false, true]) {
      ctx.globalAlpha = faded ? 0.35 : 1;
      for (const i of visible) {
        if (this.isFaded(scene, hl, i) !== faded) continue;
        const node = model.nodes[i];
        const tone = palette.tones[toneOf(node.status)];
        const status = node.status.replace(/_/g, ' ');
        const x = layout.x[i] + PAD;
        const y = layout.y[i] + 40;
        ctx.fillStyle = tone.fg;
        ctx.fillText(status, x, y);
        let width = this.metaWidths.get(status);
        if (width === undefined)
          this.metaWidths.set(status, (width = ctx.measureText(status).width));
        const after = x + width + 8;
        if (model.blocked[i]) {
          ctx.fillStyle = palette.tones.warning.fg;
          ctx.fillText('· blocked', after, y);
        } else {
          ctx.fillStyle = palette.muted;
          ctx.fillText(`· ${node.category}`.slice(0, 24), after, y);
        }
      }
    }
    ctx.globalAlpha = 1;
  }

  private isFaded(scene: Scene, hl: Highlight | null, i: number): boolean {
    return scene.dimmed?.[i] === 1 || (hl !== null && !inChain(hl, i));
  }

  /** The name cut with an ellipsis to fit the node, measured once per name and font. */
  private label(i: number, name: string): string {
    const cached = this.labels[i];
    if (cached !== undefined) return cached;
    const max = NODE_WIDTH - PAD * 2;
    let text = name;
    if (this.ctx.measureText(text).width > max) {
      let lo = 0;
      let hi = name.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.ctx.measureText(`${name.slice(0, mid)}…`).width <= max) lo = mid;
        else hi = mid - 1;
      }
      text = `${name.slice(0, lo).trimEnd()}…`;
    }
    this.labels[i] = text;
    return text;
  }
}
