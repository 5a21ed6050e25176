import { ChangeDetectionStrategy, Component, input } from '@angular/core';

export type StatTone = 'neutral' | 'success' | 'warning' | 'danger';

/**
 * One headline figure of a dashboard: what it is, the number, and a line that puts it in
 * context ("+3 in 7 days", "of $50 budget"). The tone colours a bar on its left, never the text.
 */
@Component({
  selector: 'ac-stat-tile',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class]': "'tone-' + tone()" },
  template: `
    <span class="label">{{ label() }}</span>
    <span class="value" data-testid="stat-value">{{ value() }}</span>
    @if (detail()) {
      <span class="detail" data-testid="stat-detail">{{ detail() }}</span>
    }
    <ng-content />
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      gap: 0.15rem;
      min-width: 0;
      padding: 0.85rem 1rem;
      background: var(--ac-surface);
      border: 1px solid var(--ac-border);
      border-left: 4px solid var(--ac-border-strong);
      border-radius: var(--ac-radius);
      box-shadow: var(--ac-shadow);
    }
    :host(.tone-success) {
      border-left-color: var(--ac-status-passing);
    }
    :host(.tone-warning) {
      border-left-color: var(--ac-status-waiting);
    }
    :host(.tone-danger) {
      border-left-color: var(--ac-status-failing);
    }
    .label {
      font-size: 0.75rem;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--ac-muted);
    }
    .value {
      font-size: 1.5rem;
      font-weight: 650;
      line-height: 1.2;
      font-variant-numeric: tabular-nums;
      overflow-wrap: anywhere;
    }
    .detail {
      font-size: 0.8rem;
      color: var(--ac-muted);
    }
  `,
})
export class StatTile {
  readonly label = input.required<string>();
  readonly value = input.required<string>();
  readonly detail = input('');
  readonly tone = input<StatTone>('neutral');
}
