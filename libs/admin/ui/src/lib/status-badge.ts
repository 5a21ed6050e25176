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
  // Merge request states (MergeRequestStatusName); queued and failed are above.
  merging: 'info',
  merged: 'success',
  conflict: 'danger',
  // Project activity states (ProjectActivityState).
  empty: 'neutral',
  budget: 'danger',
  done: 'success',
};

export function statusTone(status: string): StatusTone {
  return TONES[status] ?? 'neutral';
}

/** A coloured pill naming a feature, project or run status (or saying it in `label`'s words). */
@Component({
  selector: 'ac-status-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="badge" [class]="'tone-' + tone()" [class.as-given]="text() !== ''">{{
    label()
  }}</span>`,
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
    .as-given {
      text-transform: none;
    }
    .tone-neutral {
      background: var(--ac-neutral-bg);
      color: var(--ac-neutral-fg);
      border-color: var(--ac-neutral-border);
    }
    .tone-info {
      background: var(--ac-info-bg);
      color: var(--ac-info-fg);
      border-color: var(--ac-info-border);
    }
    .tone-warning {
      background: var(--ac-warning-bg);
      color: var(--ac-warning-fg);
      border-color: var(--ac-warning-border);
    }
    .tone-success {
      background: var(--ac-success-bg);
      color: var(--ac-success-fg);
      border-color: var(--ac-success-border);
    }
    .tone-danger {
      background: var(--ac-danger-bg);
      color: var(--ac-danger-fg);
      border-color: var(--ac-danger-border);
    }
  `,
})
export class StatusBadge {
  readonly status = input.required<string>();
  /** Words shown instead of the status itself, e.g. "running 2 of 3"; the tone stays the status's. */
  readonly text = input('');
  protected readonly tone = computed(() => statusTone(this.status()));
  protected readonly label = computed(() => this.text() || this.status().replace(/_/g, ' '));
}
