import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type ProgressTone = 'success' | 'warning' | 'danger';

/**
 * A horizontal bar for a 0-100 share, e.g. passing features of all features, or a budget spent;
 * `mark` draws a threshold on the track (e.g. where the budget warns).
 */
@Component({
  selector: 'ac-progress-bar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div
      class="track"
      role="progressbar"
      aria-valuemin="0"
      aria-valuemax="100"
      [attr.aria-valuenow]="percent()"
      [attr.aria-label]="label() || 'Progress'"
    >
      <div class="fill" [class]="'fill tone-' + tone()" [style.width.%]="percent()"></div>
      @if (markPercent() !== null) {
        <div
          class="mark"
          data-testid="progress-mark"
          [style.left.%]="markPercent()"
          [attr.title]="markLabel() || null"
        ></div>
      }
    </div>
    @if (label()) {
      <span class="label">{{ label() }}</span>
    }
  `,
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      min-width: 8rem;
    }
    .track {
      position: relative;
      flex: 1;
      height: 0.5rem;
      background: var(--ac-track);
      border-radius: 999px;
      overflow: hidden;
    }
    .fill {
      height: 100%;
      background: var(--ac-status-passing);
      border-radius: 999px;
      transition: width 300ms ease;
    }
    .tone-warning {
      background: var(--ac-warning);
    }
    .tone-danger {
      background: var(--ac-danger);
    }
    .mark {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 2px;
      margin-left: -1px;
      background: var(--ac-text);
      opacity: 0.6;
    }
    .label {
      font-size: 0.8rem;
      color: var(--ac-muted);
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class ProgressBar {
  /** Share in percent; values outside 0-100 are clamped. */
  readonly value = input(0);
  readonly label = input('');
  readonly tone = input<ProgressTone>('success');
  /** A threshold to mark on the track, in percent; null: none. */
  readonly mark = input<number | null>(null);
  /** What the mark means, as a tooltip (the label should say it in words too). */
  readonly markLabel = input('');
  protected readonly percent = computed(() => clampPercent(this.value()));
  protected readonly markPercent = computed(() => {
    const mark = this.mark();
    return mark === null ? null : clampPercent(mark);
  });
}

function clampPercent(v: number): number {
  return Number.isFinite(v) ? Math.round(Math.min(100, Math.max(0, v))) : 0;
}
