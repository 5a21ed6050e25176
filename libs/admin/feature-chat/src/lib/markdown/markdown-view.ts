import {
  ChangeDetectionStrategy,
  Component,
  effect,
  inject,
  input,
  signal,
  ViewEncapsulation,
} from '@angular/core';
import { MarkdownRenderer } from './markdown-renderer';

/**
 * A model's Markdown, rendered safely (see createMarkdownRenderer). Until the renderer has
 * loaded, and if it cannot load, the text shows as it is, so nothing jumps or goes missing.
 */
@Component({
  selector: 'ac-markdown',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (html(); as rendered) {
      <div class="md" data-testid="markdown" [innerHTML]="rendered"></div>
    } @else {
      <div class="md plain" data-testid="markdown-plain">{{ text() }}</div>
    }
  `,
  // Not encapsulated: the rules must reach the rendered HTML; each is scoped by the host.
  encapsulation: ViewEncapsulation.None,
  styleUrl: './markdown-view.css',
})
export class MarkdownView {
  readonly text = input.required<string>();

  protected readonly html = signal<string | null>(null);
  private readonly renderer = inject(MarkdownRenderer);

  constructor() {
    effect((onCleanup) => {
      const text = this.text();
      let current = true;
      onCleanup(() => (current = false));
      this.renderer.load().then(
        (render) => {
          if (current) this.html.set(render(text));
        },
        () => {
          if (current) this.html.set(null);
        },
      );
    });
  }
}
