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
      background: var(--ac-accent);
      border-color: var(--ac-accent);
      color: #fff;
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
      background: #f8f9fb;
      border-radius: 6px;
    }
    /* diff2html's file tags are too faint to read (WCAG AA contrast). */
    ac-diff-view .d2h-changed-tag {
      color: #7a5c00;
      border-color: #7a5c00;
    }
    ac-diff-view .d2h-added-tag {
      color: #23692a;
      border-color: #23692a;
    }
    ac-diff-view .d2h-deleted-tag {
      color: #a3262a;
      border-color: #a3262a;
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
        colorScheme: ColorSchemeType.AUTO,
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
