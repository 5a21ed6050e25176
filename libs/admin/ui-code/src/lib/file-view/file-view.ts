import {
  ChangeDetectionStrategy,
  Component,
  computed,
  input,
  signal,
  ViewEncapsulation,
} from '@angular/core';
import type { RepositoryFileView } from '@autocoder/shared-contracts';
import { formatBytes } from '../format/bytes';
import { type Highlighter, loadHighlighter } from '../syntax/syntax';

/**
 * One file of the repository: line numbers and the text with syntax colours (highlight.js,
 * loaded with the first file shown; until then, and for languages it does not know, plain
 * text in the same font, so nothing moves). Binary, oversized files and links say what they are.
 */
@Component({
  selector: 'ac-file-view',
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './file-view.html',
  styleUrls: ['./file-view.css', '../syntax/syntax.css'],
  encapsulation: ViewEncapsulation.None,
})
export class FileView {
  readonly file = input.required<RepositoryFileView>();

  private readonly highlighter = signal<Highlighter | null>(null);

  protected readonly size = computed(() => formatBytes(this.file().size));
  protected readonly maxSize = computed(() => formatBytes(this.file().maxBytes));
  protected readonly text = computed(() => {
    const f = this.file();
    return f.binary || f.tooLarge || f.symlink ? null : (f.content ?? null);
  });
  protected readonly lineCount = computed(() => {
    const text = this.text();
    if (!text) return 0;
    const n = text.split('\n').length;
    return text.endsWith('\n') ? n - 1 : n;
  });
  protected readonly gutter = computed(() =>
    Array.from({ length: this.lineCount() }, (_, i) => i + 1).join('\n'),
  );
  protected readonly language = computed(() => {
    const h = this.highlighter();
    const language = h?.languageOf(this.file().path);
    return language && language !== 'plaintext' ? language : null;
  });
  protected readonly html = computed(() => {
    const h = this.highlighter();
    const text = this.text();
    return h && text ? h.highlight(text, this.file().path) : null;
  });

  constructor() {
    loadHighlighter().then(
      (h) => this.highlighter.set(h),
      () => undefined, // plain text is still the whole file
    );
  }
}
