import { A11yModule } from '@angular/cdk/a11y';
import { DOCUMENT } from '@angular/common';
import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  effect,
  type ElementRef,
  inject,
  Injector,
  input,
  output,
  viewChild,
} from '@angular/core';

let nextPanelId = 0;

/**
 * The panel a feature or a run opens in, over the right of the project page (the whole width on
 * a phone). Focus moves into it and is kept there, and returns to what opened it when it closes;
 * Esc, the close button and a click beside it close it.
 */
@Component({
  selector: 'ac-side-panel',
  imports: [A11yModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '(document:keydown.escape)': 'onEscape($event)' },
  template: `
    <div class="backdrop" (click)="closed.emit()" aria-hidden="true"></div>
    <aside
      class="panel"
      role="dialog"
      aria-modal="true"
      [attr.aria-labelledby]="titleId"
      cdkTrapFocus
      data-testid="side-panel"
    >
      <header class="head">
        <div class="titles">
          @if (kicker()) {
            <span class="kicker">{{ kicker() }}</span>
          }
          <h2 #title [id]="titleId" tabindex="-1">{{ heading() }}</h2>
        </div>
        <button
          type="button"
          class="btn btn-small close"
          aria-label="Close panel"
          title="Close (Esc)"
          data-testid="side-panel-close"
          (click)="closed.emit()"
        >
          ✕
        </button>
      </header>
      <div class="body" [class.fill]="fill()">
        <ng-content />
      </div>
    </aside>
  `,
  styleUrl: './side-panel.css',
})
export class SidePanel {
  readonly heading = input.required<string>();
  /** A small line above the heading ("Feature", "Run"). */
  readonly kicker = input('');
  /** The content manages its own scrolling and takes the whole height (the run log). */
  readonly fill = input(false);
  /** What the panel shows (a feature or run id); when it changes, focus returns to the heading. */
  readonly focusKey = input('');
  readonly closed = output<void>();

  protected readonly titleId = `ac-side-panel-${nextPanelId++}`;
  private readonly title = viewChild.required<ElementRef<HTMLElement>>('title');

  constructor() {
    // Focus goes to the heading (read out first) and, on closing, back to what opened the panel.
    const opener = inject(DOCUMENT).activeElement as HTMLElement | null;
    const injector = inject(Injector);
    effect(() => {
      // Again when the panel shows another feature or run: the link that led there is gone.
      this.focusKey();
      afterNextRender(() => this.title().nativeElement.focus(), { injector });
    });
    inject(DestroyRef).onDestroy(() => {
      if (opener?.isConnected) opener.focus();
    });
  }

  protected onEscape(event: Event): void {
    // An open <select> or a field's own Esc handling comes first.
    if (event.defaultPrevented) return;
    event.preventDefault();
    this.closed.emit();
  }
}
