import { DOCUMENT } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  signal,
  ViewEncapsulation,
} from '@angular/core';

export type DiffLayout = 'line-by-line' | 'side-by-side';

/** diff2html's stylesheet, copied next to the console's files (apps/admin project.json). */
export const DIFF_STYLESHEET = 'vendor/diff2html.min.css';

/**
 * A unified diff rendered by diff2html. The library (and its stylesheet) load only when a diff
 * is shown, so they stay out of the console's first download. diff2html escapes the diff's
 * text, and Angular sanitizes the HTML it produces once more; the stylesheet is a same-origin
 * file, which the strict style-src allows without a nonce.
 */
@Component({
  selector: 'ac-diff-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="bar">
      <span class="muted small">{{ summary() }}</span>
      <div class="layouts" role="group" aria-label="Diff layout">
        <button
          type="button"
          class="btn btn-small"
          [attr.aria-pressed]="layout() === 'line-by-line'"
          data-testid="diff-line-by-line"
          (click)="layout.set('line-by-line')"
        >
          Unified
        </button>
        <button
          type="button"
          class="btn btn-small"
          [attr.aria-pressed]="layout() === 'side-by-side'"
          data-testid="diff-side-by-side"
          (click)="layout.set('side-by-side')"
        >
          Side by side
        </button>
      </div>
    </div>
    @if (failed()) {
      <p class="muted">The diff could not be displayed: {{ failed() }}</p>
      <pre class="raw">{{ diff() }}</pre>
    } @else if (rendered() === null) {
      <p class="muted">Rendering the diff…</p>
    } @else {
      <div class="diff" data-testid="diff" [innerHTML]="rendered()"></div>
    }
  `,
  // Not encapsulated: the rules must reach diff2html's markup, so each is scoped by the host.
  encapsulation: ViewEncapsulation.None,
  styles: `
    ac-diff-view {
      display: block;
    }
    ac-diff-view .bar {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.75rem;
      flex-wrap: wrap;
      margin-bottom: 0.5rem;
    }
    ac-diff-view .layouts {
      display: flex;
      gap: 0.35rem;
    }
    ac-diff-view .btn[aria-pressed='true'] {
      background: var(--ac-accent-strong);
      border-color: var(--ac-accent-strong);
      color: var(--ac-on-accent);
    }
    ac-diff-view .small {
      font-size: 0.8rem;
    }
    ac-diff-view .diff {
      /* diff2html positions its line numbers absolutely: they must scroll with the diff. */
      position: relative;
      max-height: 36rem;
      overflow: auto;
      font-size: 0.8rem;
    }
    ac-diff-view .raw {
      max-height: 24rem;
      overflow: auto;
      padding: 0.5rem;
      background: var(--ac-surface-sunken);
      border-radius: 6px;
    }
    /* diff2html's colours are its own variables (vendor/diff2html.min.css, light scheme):
       they follow the console's theme here, light or dark as the person chose, and its faint
       line numbers and file tags reach WCAG AA contrast. */
    ac-diff-view {
      --d2h-bg-color: var(--ac-surface);
      --d2h-border-color: var(--ac-border);
      --d2h-dim-color: var(--ac-muted);
      --d2h-line-border-color: var(--ac-divider);
      --d2h-file-header-bg-color: var(--ac-surface-muted);
      --d2h-file-header-border-color: var(--ac-border);
      --d2h-empty-placeholder-bg-color: var(--ac-surface-sunken);
      --d2h-empty-placeholder-border-color: var(--ac-border);
      --d2h-selected-color: var(--ac-selected);
      --d2h-ins-bg-color: var(--ac-diff-add-bg);
      --d2h-ins-border-color: var(--ac-success-border);
      --d2h-ins-highlight-bg-color: var(--ac-diff-add-strong);
      --d2h-ins-label-color: var(--ac-success-fg);
      --d2h-del-bg-color: var(--ac-diff-del-bg);
      --d2h-del-border-color: var(--ac-danger-border);
      --d2h-del-highlight-bg-color: var(--ac-diff-del-strong);
      --d2h-del-label-color: var(--ac-danger-fg);
      --d2h-change-del-color: var(--ac-diff-del-bg);
      --d2h-change-ins-color: var(--ac-diff-add-bg);
      --d2h-info-bg-color: var(--ac-info-bg);
      --d2h-info-border-color: var(--ac-info-border);
      --d2h-change-label-color: var(--ac-warning-fg);
      --d2h-moved-label-color: var(--ac-accent);
    }
    ac-diff-view .d2h-wrapper,
    ac-diff-view .d2h-file-header {
      color: var(--ac-text);
    }
    ac-diff-view .d2h-file-wrapper {
      background: var(--ac-surface);
    }
    ac-diff-view .d2h-changed-tag {
      color: var(--ac-warning-fg);
    }
    ac-diff-view .d2h-added-tag {
      color: var(--ac-success-fg);
    }
    ac-diff-view .d2h-deleted-tag {
      color: var(--ac-danger-fg);
    }
    ac-diff-view .d2h-moved-tag {
      color: var(--ac-accent);
    }
  `,
})
export class DiffView {
  /** A unified diff (git diff output). */
  readonly diff = input.required<string>();
  readonly layout = signal<DiffLayout>('line-by-line');

  protected readonly rendered = signal<string | null>(null);
  protected readonly failed = signal<string | null>(null);
  protected readonly summary = signal('');

  private readonly document = inject(DOCUMENT);

  constructor() {
    effect((onCleanup) => {
      const diff = this.diff();
      const layout = this.layout();
      let current = true;
      onCleanup(() => (current = false));
      this.render(diff, layout).then(
        ({ html, files }) => {
          if (!current) return;
          this.failed.set(null);
          this.summary.set(`${files} ${files === 1 ? 'file' : 'files'} changed`);
          this.rendered.set(html);
        },
        (err: unknown) => {
          if (current) this.failed.set(err instanceof Error ? err.message : String(err));
        },
      );
    });
  }

  private async render(diff: string, layout: DiffLayout): Promise<{ html: string; files: number }> {
    this.loadStylesheet();
    const [{ parse, html }, { ColorSchemeType }] = await Promise.all([
      import('diff2html'),
      import('diff2html/lib-esm/types'),
    ]);
    const files = parse(diff);
    return {
      files: files.length,
      html: html(files, {
        outputFormat: layout,
        drawFileList: files.length > 1,
        matching: 'lines',
        // Light: diff2html's base rules, whose variables the styles above map to the theme
        // (its own auto scheme follows the system's setting, not the person's choice).
        colorScheme: ColorSchemeType.LIGHT,
      }),
    };
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
