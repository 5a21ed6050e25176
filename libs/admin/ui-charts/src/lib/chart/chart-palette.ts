import { DOCUMENT } from '@angular/common';
import { DestroyRef, effect, inject, Injectable, signal } from '@angular/core';
import { ThemeService } from '@autocoder/admin-ui';

/** Colours a chart draws with, resolved from the console's CSS variables for the current theme. */
export interface ChartPalette {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  border: string;
  accent: string;
  passing: string;
  failing: string;
  waiting: string;
  pending: string;
  /** New work (coding sessions) and regression checks (testing sessions). */
  newWork: string;
  regression: string;
  other: string;
}

/** Which variable of apps/admin/src/styles.css each colour comes from (the one source). */
export const CHART_COLOR_VARS: Readonly<Record<keyof ChartPalette, string>> = {
  text: '--ac-text',
  muted: '--ac-muted',
  grid: '--ac-border',
  surface: '--ac-surface',
  border: '--ac-border-strong',
  accent: '--ac-accent',
  passing: '--ac-status-passing',
  failing: '--ac-status-failing',
  waiting: '--ac-status-waiting',
  pending: '--ac-status-pending',
  newWork: '--ac-status-active',
  regression: '--ac-status-waiting',
  other: '--ac-status-pending',
};

/** The light theme's values, for where styles do not resolve (jsdom, a detached document). */
export const FALLBACK_PALETTE: ChartPalette = {
  text: '#1f2933',
  muted: '#5f6670',
  grid: '#e3e6ea',
  surface: '#ffffff',
  border: '#cfd4da',
  accent: '#1c5fd0',
  passing: '#2f9e44',
  failing: '#e03131',
  waiting: '#e8890c',
  pending: '#adb5bd',
  newWork: '#1c5fd0',
  regression: '#e8890c',
  other: '#adb5bd',
};

/**
 * Resolves each colour through a probe element: a custom property computes to its text
 * (`light-dark(…)`), but `color: var(…)` computes to the colour the current scheme picks.
 */
export function readChartPalette(doc: Document): ChartPalette {
  const probe = doc.createElement('span');
  probe.style.display = 'none';
  doc.body.appendChild(probe);
  try {
    const view = doc.defaultView;
    const palette = { ...FALLBACK_PALETTE };
    for (const key of Object.keys(CHART_COLOR_VARS) as (keyof ChartPalette)[]) {
      probe.style.color = `var(${CHART_COLOR_VARS[key]})`;
      const colour = view?.getComputedStyle(probe).color ?? '';
      if (colour && colour !== 'canvastext') palette[key] = colour;
    }
    return palette;
  } finally {
    probe.remove();
  }
}

/**
 * The chart palette of the theme on screen now: re-read when the person picks a theme
 * (ThemeService) and when the system's scheme changes while they follow it.
 */
@Injectable({ providedIn: 'root' })
export class ChartPaletteService {
  private readonly doc = inject(DOCUMENT);
  private readonly theme = inject(ThemeService);
  private readonly current = signal<ChartPalette>(readChartPalette(this.doc));
  readonly palette = this.current.asReadonly();

  constructor() {
    effect(() => {
      this.theme.preference(); // ThemeService has put the attribute on <html> by now
      this.refresh();
    });
    const media = this.doc.defaultView?.matchMedia?.('(prefers-color-scheme: dark)');
    const onChange = () => this.refresh();
    media?.addEventListener?.('change', onChange);
    inject(DestroyRef).onDestroy(() => media?.removeEventListener?.('change', onChange));
  }

  refresh(): void {
    const next = readChartPalette(this.doc);
    const now = this.current();
    const same = (Object.keys(next) as (keyof ChartPalette)[]).every((k) => next[k] === now[k]);
    if (!same) this.current.set(next);
  }
}
