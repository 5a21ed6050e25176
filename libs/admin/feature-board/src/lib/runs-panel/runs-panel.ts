import { CurrencyPipe, DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { StatusBadge } from '@autocoder/admin-ui';
import type { RunView } from '@autocoder/shared-contracts';

/**
 * The project's agent sessions, newest first, each with the feature(s) it worked on and its
 * cost; a row opens the run's log (`/projects/:id/runs/:runId`).
 */
@Component({
  selector: 'ac-runs-panel',
  imports: [StatusBadge, RouterLink, DatePipe, DecimalPipe, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (runs().length === 0) {
      <p class="empty">No runs yet.</p>
    } @else {
      <table class="data">
        <thead>
          <tr>
            <th>Role</th>
            <th>Feature</th>
            <th>Status</th>
            <th class="num">Tokens in / out</th>
            <th class="num">Cost</th>
            <th>Queued</th>
            <th>Finished</th>
          </tr>
        </thead>
        <tbody>
          @for (run of runs(); track run.id) {
            <tr
              data-testid="run-row"
              class="run"
              [class.selected]="run.id === selectedId()"
              (click)="open(run.id)"
            >
              <td class="role">
                <!-- The link makes the row keyboard-operable; a click anywhere on it opens too. -->
                <a
                  data-testid="run-link"
                  [routerLink]="['/projects', projectId(), 'runs', run.id]"
                  (click)="$event.stopPropagation()"
                  >{{ run.role }}</a
                >
              </td>
              <td class="features" data-testid="run-features">
                @for (feature of run.features; track feature.id) {
                  <a
                    [routerLink]="['/projects', projectId(), 'features', feature.id]"
                    (click)="$event.stopPropagation()"
                    >{{ feature.name }}</a
                  >
                } @empty {
                  <span class="muted">{{ run.role === 'initializer' ? 'backlog' : '—' }}</span>
                }
              </td>
              <td><ac-status-badge [status]="run.status" /></td>
              <td class="num nowrap">{{ run.tokensIn | number }} / {{ run.tokensOut | number }}</td>
              <td class="num" data-testid="run-cost">
                {{ run.costUsd | currency: 'USD' : 'symbol' : '1.2-4' }}
              </td>
              <td class="nowrap">{{ run.queuedAt | date: 'MMM d, HH:mm' }}</td>
              <td class="nowrap">
                {{ run.finishedAt ? (run.finishedAt | date: 'MMM d, HH:mm') : '—' }}
              </td>
            </tr>
            @if (run.error) {
              <tr class="error-row" [class.selected]="run.id === selectedId()">
                <td colspan="7" data-testid="run-error">{{ run.error }}</td>
              </tr>
            }
          }
        </tbody>
      </table>
      @if (total() > runs().length) {
        <p class="more">Showing the latest {{ runs().length }} of {{ total() }} runs.</p>
      }
    }
  `,
  styles: `
    :host {
      display: block;
      overflow-x: auto;
    }
    .run {
      cursor: pointer;
    }
    .run:hover td {
      background: var(--ac-surface-muted);
    }
    .selected td {
      background: var(--ac-selected);
    }
    .nowrap {
      white-space: nowrap;
    }
    .features {
      min-width: 8rem;
      max-width: 18rem;
      overflow-wrap: anywhere;
    }
    .features a + a::before {
      content: ', ';
      color: var(--ac-muted);
    }
    .role {
      font-weight: 600;
      text-transform: capitalize;
    }
    .error-row td {
      padding-top: 0;
      color: var(--ac-danger);
      font-size: 0.8rem;
      overflow-wrap: anywhere;
    }
    .more,
    .empty {
      margin: 0.75rem;
      color: var(--ac-muted);
      font-size: 0.85rem;
    }
  `,
})
export class RunsPanel {
  private readonly router = inject(Router);

  readonly projectId = input.required<string>();
  readonly runs = input.required<RunView[]>();
  readonly total = input(0);
  /** The run whose log is open, highlighted. */
  readonly selectedId = input<string | null>(null);

  protected open(runId: string): void {
    void this.router.navigate(['/projects', this.projectId(), 'runs', runId]);
  }
}
