import { DOCUMENT } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  type ElementRef,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { type GraphModel, type Highlight, highlightFor } from '../graph-model/graph-model';
import {
  buildSpatialIndex,
  type Direction,
  type GraphLayout,
  nearestInDirection,
  NODE_HEIGHT,
  NODE_WIDTH,
  nodeAt,
} from '../graph-layout/layout';
import {
  centreOn,
  clampZoom,
  fitViewport,
  minZoom,
  type Viewport,
  ZOOM_STEP,
  zoomAt,
} from '../graph-layout/viewport';
import { edgeBoxes, GraphRenderer, type Scene } from './graph-renderer';
import { type Palette, resolvePalette } from './palette';

/** A press that moves less than this (CSS px) is a click, not a drag. */
const CLICK_SLOP = 5;
const KEY_PAN = 80;

interface Pointer {
  x: number;
  y: number;
}

/**
 * The graph on a canvas: drag or swipe to pan, wheel or pinch to zoom, click or tap a feature to
 * open it; hovering or selecting one lights up what it waits on and what waits on it. With the
 * keyboard (the canvas is one tab stop): arrows move between features, Enter opens, + − 0 zoom
 * and fit, Shift+arrows pan, Esc clears the selection.
 */
@Component({
  selector: 'ac-graph-canvas',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<canvas
    #canvas
    tabindex="0"
    role="application"
    aria-roledescription="dependency graph"
    [attr.aria-label]="label()"
    aria-describedby="graph-keys"
    data-testid="graph-canvas"
    [attr.data-zoom]="zoom().toFixed(3)"
    [attr.data-selected]="selectedId()"
    [attr.data-drawn]="drawnNodes()"
    [class.grabbing]="grabbing()"
    [class.over-node]="hovered() >= 0"
    (pointerdown)="onPointerDown($event)"
    (pointermove)="onPointerMove($event)"
    (pointerup)="onPointerUp($event)"
    (pointercancel)="onPointerCancel($event)"
    (pointerleave)="onPointerLeave($event)"
    (wheel)="onWheel($event)"
    (keydown)="onKey($event)"
  ></canvas>`,
  styles: `
    :host {
      display: block;
      position: relative;
      width: 100%;
      height: 100%;
      overflow: hidden;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
      touch-action: none;
      cursor: grab;
    }
    canvas.over-node {
      cursor: pointer;
    }
    canvas.grabbing {
      cursor: grabbing;
    }
    canvas:focus-visible {
      outline: 2px solid var(--ac-focus);
      outline-offset: -2px;
    }
  `,
})
export class GraphCanvas {
  readonly model = input.required<GraphModel>();
  readonly layout = input.required<GraphLayout>();
  /** The selected feature (a node index), or -1. */
  readonly selected = input(-1);
  /** 1 where a feature is filtered out. */
  readonly dimmed = input<Uint8Array | null>(null);

  /** A feature chosen with the pointer or the keyboard, or -1 when the selection is cleared. */
  readonly selectedChange = output<number>();
  /** A feature clicked, tapped or opened with Enter. */
  readonly activated = output<number>();
  /** The first frame drawn after a new layout (for the page's performance mark). */
  readonly firstDraw = output<void>();

  private readonly canvas = viewChild.required<ElementRef<HTMLCanvasElement>>('canvas');
  private readonly doc = inject(DOCUMENT);

  protected readonly zoom = signal(1);
  protected readonly hovered = signal(-1);
  protected readonly grabbing = signal(false);
  protected readonly drawnNodes = signal(0);
  protected readonly selectedId = computed(() => {
    const i = this.selected();
    return i >= 0 ? (this.model().nodes[i]?.id ?? null) : null;
  });
  protected readonly label = computed(
    () => `Dependency graph of ${this.model().nodes.length} features`,
  );

  private renderer?: GraphRenderer;
  private palette?: Palette;
  private view: Viewport = { x: 0, y: 0, k: 1 };
  private width = 0;
  private height = 0;
  private dpr = 1;
  private frame = 0;
  private pendingFirstDraw = false;
  private scene?: Omit<Scene, 'highlight' | 'selected' | 'dimmed'>;
  private chain?: { model: GraphModel; focus: number; highlight: Highlight | null };
  private readonly pointers = new Map<number, Pointer>();
  private drag?: { start: Pointer; view: Viewport; moved: boolean };
  private pinch?: { dist: number; mid: Pointer; view: Viewport };

  constructor() {
    const destroyRef = inject(DestroyRef);
    afterNextRender(() => {
      const canvas = this.canvas().nativeElement;
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      // Tiles on OffscreenCanvas where there is one (no DOM node per tile).
      const doc = this.doc;
      this.renderer = new GraphRenderer(ctx, (w, h) => {
        if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
        const tile = doc.createElement('canvas');
        tile.width = w;
        tile.height = h;
        return tile;
      });
      this.palette = resolvePalette(canvas);
      const observer = new ResizeObserver(() => this.resize());
      observer.observe(canvas);
      // The theme can change under the canvas (the toggle, or the system's setting).
      const themeObserver = new MutationObserver(() => this.themeChanged());
      themeObserver.observe(this.doc.documentElement, {
        attributes: true,
        attributeFilter: ['data-theme'],
      });
      const media = this.doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
      const onMedia = () => this.themeChanged();
      media?.addEventListener('change', onMedia);
      destroyRef.onDestroy(() => {
        observer.disconnect();
        themeObserver.disconnect();
        media?.removeEventListener('change', onMedia);
        cancelAnimationFrame(this.frame);
      });
      this.resize();
    });

    // A new layout: index it and fit it to the view. Same layout, new statuses: just redraw.
    effect(() => {
      const layout = this.layout();
      untracked(() => {
        this.scene = undefined;
        this.renderer?.resetLabels();
        this.pendingFirstDraw = true;
        if (this.width > 0) this.fit();
        else this.view = { x: 0, y: 0, k: 1 };
        void layout;
      });
    });
    effect(() => {
      this.model();
      this.selected();
      this.dimmed();
      this.hovered();
      untracked(() => {
        this.renderer?.invalidate();
        this.requestDraw();
      });
    });
  }

  // ---- Commands from the page's toolbar ----

  zoomBy(factor: number): void {
    this.setView(zoomAt(this.view, factor, this.width / 2, this.height / 2, this.minK()));
  }

  fit(): void {
    const l = this.layout();
    this.setView(fitViewport(l.width, l.height, this.width, this.height));
  }

  /** Centres a feature, zooming in until its name can be read. */
  centreOnNode(i: number): void {
    const l = this.layout();
    if (i < 0 || i >= l.x.length) return;
    const k = clampZoom(Math.max(this.view.k, 1), this.minK());
    this.setView(
      centreOn(l.x[i] + NODE_WIDTH / 2, l.y[i] + NODE_HEIGHT / 2, k, this.width, this.height),
    );
  }

  focus(): void {
    this.canvas().nativeElement.focus();
  }

  // ---- Pointer, wheel and keys ----

  protected onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 && event.pointerType === 'mouse') return;
    const canvas = this.canvas().nativeElement;
    try {
      canvas.setPointerCapture(event.pointerId);
    } catch {
      // A synthetic pointer (tests, the benchmark) cannot be captured; dragging still works.
    }
    const p = this.local(event);
    this.pointers.set(event.pointerId, p);
    if (this.pointers.size === 1) {
      this.drag = { start: p, view: this.view, moved: false };
    } else if (this.pointers.size === 2) {
      this.drag = undefined;
      this.pinch = this.pinchState();
    }
  }

  protected onPointerMove(event: PointerEvent): void {
    const p = this.local(event);
    if (!this.pointers.has(event.pointerId)) {
      if (event.pointerType === 'mouse') this.hovered.set(this.hit(p));
      return;
    }
    this.pointers.set(event.pointerId, p);
    if (this.pinch && this.pointers.size >= 2) {
      const now = this.pinchState();
      if (!now) return;
      const start = this.pinch;
      const k = clampZoom(start.view.k * (now.dist / start.dist), this.minK());
      const wx = (start.mid.x - start.view.x) / start.view.k;
      const wy = (start.mid.y - start.view.y) / start.view.k;
      this.setView({ k, x: now.mid.x - wx * k, y: now.mid.y - wy * k });
      return;
    }
    const drag = this.drag;
    if (!drag) return;
    const dx = p.x - drag.start.x;
    const dy = p.y - drag.start.y;
    if (!drag.moved && Math.hypot(dx, dy) < CLICK_SLOP) return;
    drag.moved = true;
    this.grabbing.set(true);
    this.setView({ k: drag.view.k, x: drag.view.x + dx, y: drag.view.y + dy });
  }

  protected onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    const wasPinch = !!this.pinch;
    this.pointers.delete(event.pointerId);
    this.grabbing.set(false);
    if (this.pointers.size < 2) this.pinch = undefined;
    if (this.pointers.size === 0) this.drag = undefined;
    if (!drag || drag.moved || wasPinch) return;
    const i = this.hit(this.local(event));
    this.selectedChange.emit(i);
    if (i >= 0) this.activated.emit(i);
  }

  protected onPointerCancel(event: PointerEvent): void {
    this.pointers.delete(event.pointerId);
    this.grabbing.set(false);
    this.drag = undefined;
    this.pinch = undefined;
  }

  protected onPointerLeave(event: PointerEvent): void {
    if (event.pointerType === 'mouse') this.hovered.set(-1);
  }

  protected onWheel(event: WheelEvent): void {
    event.preventDefault();
    // Lines (Firefox) and pages are scaled to pixels; a trackpad pinch arrives as ctrl+wheel.
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? this.height : 1;
    const factor = Math.exp(-event.deltaY * unit * (event.ctrlKey ? 0.01 : 0.0015));
    const p = this.local(event);
    this.setView(zoomAt(this.view, factor, p.x, p.y, this.minK()));
  }

  protected onKey(event: KeyboardEvent): void {
    const arrows: Record<string, Direction> = {
      ArrowLeft: 'left',
      ArrowRight: 'right',
      ArrowUp: 'up',
      ArrowDown: 'down',
    };
    const dir = arrows[event.key];
    if (dir && event.shiftKey) {
      const dx = dir === 'left' ? KEY_PAN : dir === 'right' ? -KEY_PAN : 0;
      const dy = dir === 'up' ? KEY_PAN : dir === 'down' ? -KEY_PAN : 0;
      this.setView({ ...this.view, x: this.view.x + dx, y: this.view.y + dy });
    } else if (dir) {
      const from = this.selected();
      const next = from < 0 ? this.nearestToCentre() : nearestInDirection(this.layout(), from, dir);
      if (next >= 0) {
        this.selectedChange.emit(next);
        this.keepInView(next);
      }
    } else if ((event.key === 'Enter' || event.key === ' ') && this.selected() >= 0) {
      this.activated.emit(this.selected());
    } else if (event.key === 'Escape' && this.selected() >= 0) {
      this.selectedChange.emit(-1);
    } else if (event.key === '+' || event.key === '=') {
      this.zoomBy(ZOOM_STEP);
    } else if (event.key === '-' || event.key === '_') {
      this.zoomBy(1 / ZOOM_STEP);
    } else if (event.key === '0') {
      this.fit();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  // ---- Drawing ----

  private requestDraw(): void {
    if (this.frame || !this.renderer) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const renderer = this.renderer;
    const palette = this.palette;
    if (!renderer || !palette || this.width === 0) return;
    const model = this.model();
    const layout = this.layout();
    if (layout.x.length !== model.nodes.length) return; // a new model waits for its layout
    this.scene ??= {
      model,
      layout,
      index: buildSpatialIndex(layout),
      edgeBoxes: edgeBoxes(layout),
    };
    const focus = this.hovered() >= 0 ? this.hovered() : this.selected();
    // The chain of a feature with many dependents is large: computed once per focus, not per frame.
    if (this.chain?.model !== model || this.chain.focus !== focus) {
      this.chain = { model, focus, highlight: focus >= 0 ? highlightFor(model, focus) : null };
    }
    const scene: Scene = {
      ...this.scene,
      model,
      highlight: this.chain.highlight,
      selected: this.selected(),
      dimmed: this.dimmed(),
    };
    const drawn = renderer.draw(scene, this.view, this.width, this.height, this.dpr, palette);
    this.drawnNodes.set(drawn);
    // Tiles left for later frames (each frame draws a few within its time budget).
    if (renderer.pending) this.requestDraw();
    if (this.pendingFirstDraw) {
      this.pendingFirstDraw = false;
      this.firstDraw.emit();
    }
  }

  private setView(view: Viewport): void {
    this.view = view;
    this.zoom.set(view.k);
    this.requestDraw();
  }

  private resize(): void {
    const canvas = this.canvas().nativeElement;
    const rect = canvas.getBoundingClientRect();
    const first = this.width === 0;
    this.width = rect.width;
    this.height = rect.height;
    this.dpr = this.doc.defaultView?.devicePixelRatio ?? 1;
    canvas.width = Math.round(rect.width * this.dpr);
    canvas.height = Math.round(rect.height * this.dpr);
    if (first && this.width > 0) this.fit();
    else this.requestDraw();
  }

  private themeChanged(): void {
    const canvas = this.canvas().nativeElement;
    // The new colours apply once styles recompute: read them on the next frame.
    requestAnimationFrame(() => {
      this.palette = resolvePalette(canvas);
      this.renderer?.resetLabels();
      this.requestDraw();
    });
  }

  private minK(): number {
    const l = this.layout();
    return minZoom(l.width, l.height, this.width, this.height);
  }

  private local(event: MouseEvent): Pointer {
    const rect = this.canvas().nativeElement.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  private hit(p: Pointer): number {
    const layout = this.layout();
    if (layout.x.length !== this.model().nodes.length) return -1;
    this.scene ??= {
      model: this.model(),
      layout,
      index: buildSpatialIndex(layout),
      edgeBoxes: edgeBoxes(layout),
    };
    return nodeAt(
      layout,
      this.scene.index,
      (p.x - this.view.x) / this.view.k,
      (p.y - this.view.y) / this.view.k,
    );
  }

  private pinchState(): { dist: number; mid: Pointer; view: Viewport } | undefined {
    const [a, b] = [...this.pointers.values()];
    if (!a || !b) return undefined;
    return {
      dist: Math.max(1, Math.hypot(a.x - b.x, a.y - b.y)),
      mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 },
      view: this.view,
    };
  }

  private nearestToCentre(): number {
    const l = this.layout();
    const wx = (this.width / 2 - this.view.x) / this.view.k;
    const wy = (this.height / 2 - this.view.y) / this.view.k;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < l.x.length; i++) {
      const d = Math.hypot(l.x[i] + NODE_WIDTH / 2 - wx, l.y[i] + NODE_HEIGHT / 2 - wy);
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Moves the view just enough for a feature reached with the keyboard to be on screen. */
  private keepInView(i: number): void {
    const l = this.layout();
    const v = this.view;
    const sx = l.x[i] * v.k + v.x;
    const sy = l.y[i] * v.k + v.y;
    const w = NODE_WIDTH * v.k;
    const h = NODE_HEIGHT * v.k;
    const margin = 24;
    if (
      sx >= margin &&
      sy >= margin &&
      sx + w <= this.width - margin &&
      sy + h <= this.height - margin
    ) {
      return;
    }
    this.centreOnNode(i);
  }
}
