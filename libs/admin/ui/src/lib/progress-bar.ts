import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** A horizontal bar for a 0-100 share, e.g. passing features of all features. */
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
      <div class="fill" [style.width.%]="percent()"></div>
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
  protected readonly percent = computed(() => {
    const v = this.value();
    return Number.isFinite(v) ? Math.round(Math.min(100, Math.max(0, v))) : 0;
  });
}
