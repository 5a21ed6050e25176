import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type StatusTone = 'neutral' | 'info' | 'warning' | 'success' | 'danger';

// One palette for feature, project and run statuses, so the same colour means the same thing
// everywhere in the console.
const TONES: Record<string, StatusTone> = {
  pending: 'neutral',
  idle: 'neutral',
  queued: 'neutral',
  cancelled: 'neutral',
  in_progress: 'info',
  running: 'info',
  initializing: 'info',
  needs_input: 'warning',
  paused: 'warning',
  waiting: 'warning',
  stuck: 'warning',
  budget_exceeded: 'warning',
  passing: 'success',
  succeeded: 'success',
  ready: 'success',
  failing: 'danger',
  failed: 'danger',
};

export function statusTone(status: string): StatusTone {
  return TONES[status] ?? 'neutral';
}

/** A coloured pill naming a feature, project or run status. */
@Component({
  selector: 'ac-status-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'tone-' + tone()">{{ label() }}</span>`,
  styles: `
    .badge {
      display: inline-block;
      padding: 0.1rem 0.55rem;
      border-radius: 999px;
      font-size: 0.75rem;
      font-weight: 600;
      line-height: 1.4;
      white-space: nowrap;
      text-transform: capitalize;
      border: 1px solid transparent;
    }
    .tone-neutral {
      background: #f1f3f5;
      color: #495057;
      border-color: #dee2e6;
    }
    .tone-info {
      background: #e7f1ff;
      color: #1c5fd0;
      border-color: #c4dafc;
    }
    .tone-warning {
      background: #fff4e0;
      color: #a45c00;
      border-color: #fbd9a5;
    }
    .tone-success {
      background: #e6f6ec;
      color: #1f7a3e;
      border-color: #b9e4c7;
    }
    .tone-danger {
      background: #fdecec;
      color: #c0262d;
      border-color: #f6c3c5;
    }
  `,
})
export class StatusBadge {
  readonly status = input.required<string>();
  protected readonly tone = computed(() => statusTone(this.status()));
  protected readonly label = computed(() => this.status().replace(/_/g, ' '));
}
