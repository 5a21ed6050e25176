/** Screen = layout × k + (x, y), in CSS pixels of the canvas. */
export interface Viewport {
  x: number;
  y: number;
  k: number;
}

export const MAX_ZOOM = 2.5;
/** Buttons and keys zoom by this factor a step. */
export const ZOOM_STEP = 1.25;
const FIT_PADDING = 24;

export function clampZoom(k: number, minK: number): number {
  return Math.min(MAX_ZOOM, Math.max(minK, k));
}

/** The smallest zoom allowed: half of what fits the whole graph, and never above 0.5. */
export function minZoom(width: number, height: number, viewW: number, viewH: number): number {
  return Math.min(0.5, fitViewport(width, height, viewW, viewH).k / 2);
}

/** The whole graph centred in the view; never enlarged beyond 1 (a small graph stays readable). */
export function fitViewport(width: number, height: number, viewW: number, viewH: number): Viewport {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  const k = Math.min(1, (viewW - 2 * FIT_PADDING) / w, (viewH - 2 * FIT_PADDING) / h);
  const safeK = k > 0 ? k : 0.01;
  return { k: safeK, x: (viewW - w * safeK) / 2, y: (viewH - h * safeK) / 2 };
}

/** Zooms by `factor` keeping the layout point under the screen point (sx, sy) in place. */
export function zoomAt(
  v: Viewport,
  factor: number,
  sx: number,
  sy: number,
  minK: number,
): Viewport {
  const k = clampZoom(v.k * factor, minK);
  const wx = (sx - v.x) / v.k;
  const wy = (sy - v.y) / v.k;
  return { k, x: sx - wx * k, y: sy - wy * k };
}

/** Moves the view so the layout point (wx, wy) sits at the view's centre, at zoom `k`. */
export function centreOn(
  wx: number,
  wy: number,
  k: number,
  viewW: number,
  viewH: number,
): Viewport {
  return { k, x: viewW / 2 - wx * k, y: viewH / 2 - wy * k };
}

/** The visible rectangle in layout coordinates. */
export function visibleRect(
  v: Viewport,
  viewW: number,
  viewH: number,
): { x0: number; y0: number; x1: number; y1: number } {
  return { x0: -v.x / v.k, y0: -v.y / v.k, x1: (viewW - v.x) / v.k, y1: (viewH - v.y) / v.k };
}
