import { CurrencyPipe, DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { StatusBadge } from '@autocoder/admin-ui';
import type { RunView } from '@autocoder/shared-contracts';

/** The project's agent sessions, newest first; a row opens the run's log. */
@Component({
  selector: 'ac-runs-panel',
  imports: [StatusBadge, DatePipe, DecimalPipe, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (runs().length === 0) {
      <p class="empty">No runs yet. Start the initializer to build the backlog.</p>
    } @else {
      <table class="data">
        <thead>
          <tr>
            <th>Role</th>
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
              tabindex="0"
              [class.selected]="run.id === selectedId()"
              (click)="selected.emit(run.id)"
              (keydown.enter)="selected.emit(run.id)"
            >
              <td class="role">{{ run.role }}</td>
              <td><ac-status-badge [status]="run.status" /></td>
              <td class="num">{{ run.tokensIn | number }} / {{ run.tokensOut | number }}</td>
              <td class="num">{{ run.costUsd | currency: 'USD' : 'symbol' : '1.2-4' }}</td>
              <td>{{ run.queuedAt | date: 'MMM d, HH:mm:ss' }}</td>
              <td>{{ run.finishedAt ? (run.finishedAt | date: 'MMM d, HH:mm:ss') : '—' }}</td>
            </tr>
            @if (run.error) {
              <tr class="error-row" [class.selected]="run.id === selectedId()">
                <td colspan="6" data-testid="run-error">{{ run.error }}</td>
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
  readonly runs = input.required<RunView[]>();
  readonly total = input(0);
  readonly selectedId = input<string | null>(null);
  readonly selected = output<string>();
}
