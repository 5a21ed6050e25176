import { DOCUMENT } from '@angular/common';
import {
  afterNextRender,
  afterRenderEffect,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  ElementRef,
  inject,
  Injector,
  input,
  signal,
  ViewEncapsulation,
} from '@angular/core';
import type { DiffFile } from 'diff2html/lib-esm/types';
import { type Highlighter, loadHighlighter } from '../syntax/syntax';
import { type DiffFileSummary, LARGE_FILE_LINES, nextViewId, summarise } from './diff-files';

export type DiffLayout = 'line-by-line' | 'side-by-side';

/** diff2html's stylesheet, copied next to the console's files (apps/admin project.json). */
export const DIFF_STYLESHEET = 'vendor/diff2html.min.css';
/** The layout a person chose last, on this browser. */
export const DIFF_LAYOUT_KEY = 'ac.diff.layout';
/** Files with more lines than this are shown without syntax colours (it would stall the page). */
const MAX_HIGHLIGHT_LINES = 3000;

interface Renderer {
  html(files: DiffFile[], layout: DiffLayout): string;
}

type Parsed = { ok: true; files: DiffFileSummary[] } | { ok: false; error: string };

/**
 * A unified diff: a summary, the changed files with their +/− counts (a click jumps to one),
 * each file collapsible, unified or side by side, with syntax colours. diff2html renders each
 * file's lines (it escapes the diff's text, and Angular sanitizes its HTML once more); the
 * file headers, the list and the toggles are ours. The library, its stylesheet and highlight.js
 * load only when a diff is shown, so they stay out of the console's first download; the
 * stylesheet is a same-origin file, which the strict style-src allows without a nonce.
 */
@Component({
  selector: 'ac-diff-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './diff-view.html',
  styleUrls: ['./diff-view.css', './diff2html-theme.css', '../syntax/syntax.css'],
  // Not encapsulated: the rules must reach diff2html's markup, so each is scoped by the host.
  encapsulation: ViewEncapsulation.None,
  host: { '[class.contained]': 'contained()' },
})
export class DiffView {
  /** A unified diff (git diff output). */
  readonly diff = input.required<string>();
  /** Scroll inside a box of limited height (in a panel) rather than with the page. */
  readonly contained = input(true);
  readonly layout = signal<DiffLayout>(storedLayout());

  private readonly document = inject(DOCUMENT);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);
  private readonly prefix = nextViewId();
  protected readonly largeLines = LARGE_FILE_LINES;

  private readonly renderer = signal<Renderer | null>(null);
  private readonly highlighter = signal<Highlighter | null>(null);
  protected readonly loadError = signal<string | null>(null);
  /** Files the person collapsed (or, for large ones, expanded): ids flipped from the default. */
  private readonly flipped = signal<ReadonlySet<string>>(new Set());
  private htmlCache = new Map<string, string>();

  protected readonly parsed = computed((): Parsed | null => {
    const renderer = this.renderer();
    if (!renderer) return null;
    try {
      return { ok: true, files: summarise(parseDiff(this.diff()), this.prefix) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  });
  protected readonly files = computed(() => {
    const parsed = this.parsed();
    return parsed?.ok ? parsed.files : [];
  });
  protected readonly failed = computed(() => {
    const parsed = this.parsed();
    return this.loadError() ?? (parsed && !parsed.ok ? parsed.error : null);
  });
  protected readonly totals = computed(() =>
    this.files().reduce(
      (t, f) => ({ additions: t.additions + f.additions, deletions: t.deletions + f.deletions }),
      { additions: 0, deletions: 0 },
    ),
  );
  protected readonly summary = computed(() => {
    const n = this.files().length;
    return `${n} ${n === 1 ? 'file' : 'files'} changed`;
  });
  protected readonly allCollapsed = computed(() => this.files().every((f) => this.isCollapsed(f)));

  constructor() {
    this.loadStylesheet();
    Promise.all([import('diff2html'), import('diff2html/lib-esm/types')]).then(
      ([{ html, parse }, { ColorSchemeType }]) => {
        parseDiff = parse;
        this.renderer.set({
          html: (files, layout) =>
            html(files, {
              outputFormat: layout,
              drawFileList: false,
              matching: 'lines',
              // Light: diff2html's base rules, whose variables the stylesheet maps to the theme
              // (its own auto scheme follows the system's setting, not the person's choice).
              colorScheme: ColorSchemeType.LIGHT,
            }),
        });
      },
      (err: unknown) => this.loadError.set(err instanceof Error ? err.message : String(err)),
    );
    loadHighlighter().then(
      (h) => this.highlighter.set(h),
      () => undefined, // without colours the diff is still whole
    );
    // A new diff starts from the defaults.
    effect(() => {
      this.diff();
      this.htmlCache = new Map();
      this.flipped.set(new Set());
    });
    // Colour the lines of every file on screen once diff2html's markup is in the page.
    afterRenderEffect(() => {
      const highlighter = this.highlighter();
      this.layout();
      this.flipped();
      const files = this.files();
      for (const f of files) {
        if (this.isCollapsed(f)) continue;
        const body = this.host.nativeElement.querySelector(`#${f.id}-body`);
        // Long lines scroll sideways inside the file: the keyboard must reach that region too.
        body
          ?.querySelectorAll('.d2h-file-diff:not([tabindex]), .d2h-file-side-diff:not([tabindex])')
          .forEach((region, i, all) => {
            region.setAttribute('tabindex', '0');
            region.setAttribute('role', 'region');
            const side = all.length > 1 ? (i === 0 ? ' (before)' : ' (after)') : '';
            region.setAttribute('aria-label', `Changes of ${f.name}${side}`);
          });
        if (!highlighter || f.lines > MAX_HIGHLIGHT_LINES) continue;
        const wrapper = body?.querySelector('.d2h-file-wrapper:not([data-highlighted])');
        if (!wrapper) continue;
        wrapper.setAttribute('data-highlighted', '');
        const language = highlighter.languageOf(f.name);
        wrapper
          .querySelectorAll('.d2h-code-line-ctn')
          .forEach((line) => highlighter.highlightLine(line, language));
      }
    });
  }

  protected setLayout(layout: DiffLayout): void {
    this.layout.set(layout);
    try {
      localStorage.setItem(DIFF_LAYOUT_KEY, layout);
    } catch {
      // storage unavailable (private mode): the choice lasts for this page
    }
  }

  protected isCollapsed(f: DiffFileSummary): boolean {
    const byDefault = f.lines > LARGE_FILE_LINES;
    return this.flipped().has(f.id) ? !byDefault : byDefault;
  }

  protected toggle(f: DiffFileSummary): void {
    this.flipped.update((set) => {
      const next = new Set(set);
      if (!next.delete(f.id)) next.add(f.id);
      return next;
    });
  }

  protected setAll(collapsed: boolean): void {
    const flipped = this.files()
      .filter((f) => f.lines > LARGE_FILE_LINES !== collapsed)
      .map((f) => f.id);
    this.flipped.set(new Set(flipped));
  }

  /** From the file list: open the file and bring its header into view, with focus on it. */
  protected jumpTo(f: DiffFileSummary): void {
    if (this.isCollapsed(f)) this.toggle(f);
    afterNextRender(
      () => {
        const toggle = this.host.nativeElement.querySelector<HTMLElement>(`#${f.id} .file-toggle`);
        // jsdom has no scrollIntoView.
        toggle?.scrollIntoView?.({ block: 'start' });
        toggle?.focus({ preventScroll: true });
      },
      { injector: this.injector },
    );
  }

  /** diff2html's markup of one file, made once per layout. */
  protected htmlOf(f: DiffFileSummary): string {
    const renderer = this.renderer();
    if (!renderer) return '';
    const key = `${this.layout()}:${f.id}`;
    let html = this.htmlCache.get(key);
    if (html === undefined) {
      html = renderer.html([f.file], this.layout());
      this.htmlCache.set(key, html);
    }
    return html;
  }

  protected statusLabel(f: DiffFileSummary): string {
    return f.status === 'changed' ? '' : f.status;
  }

  private loadStylesheet(): void {
    const head = this.document.head;
    if (head.querySelector(`link[href="${DIFF_STYLESHEET}"]`)) return;
    const link = this.document.createElement('link');
    link.rel = 'stylesheet';
    link.href = DIFF_STYLESHEET;
    head.appendChild(link);
  }
}

// diff2html's parser, once loaded (module-level: it is the same function for every view).
let parseDiff: (diff: string) => DiffFile[] = () => [];

function storedLayout(): DiffLayout {
  try {
    return localStorage.getItem(DIFF_LAYOUT_KEY) === 'side-by-side'
      ? 'side-by-side'
      : 'line-by-line';
  } catch {
    return 'line-by-line';
  }
}
