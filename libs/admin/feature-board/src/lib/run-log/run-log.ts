import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { StatusBadge } from '@autocoder/admin-ui';
import type { RunDetailView } from '@autocoder/shared-contracts';

/** The event log of one run: what the agent asked, which tools it called, how it ended. */
@Component({
  selector: 'ac-run-log',
  imports: [StatusBadge, DatePipe, JsonPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="head">
      <h3>
        <span class="role">{{ run().role }}</span> run
      </h3>
      <ac-status-badge [status]="run().status" />
      @if (run().model) {
        <span class="muted">{{ run().provider }} · {{ run().model }}</span>
      }
    </header>
    @if (run().error) {
      <p class="error">{{ run().error }}</p>
    }
    @if (run().events.length === 0) {
      <p class="muted">No events yet.</p>
    } @else {
      <ol class="events" data-testid="run-events">
        @for (event of run().events; track event.id) {
          <li [attr.data-level]="event.level">
            <time>{{ event.createdAt | date: 'HH:mm:ss' }}</time>
            <code class="type">{{ event.type }}</code>
            <span class="message">{{ event.message }}</span>
            @if (event.data !== null && event.data !== undefined) {
              <details>
                <summary>data</summary>
                <pre>{{ event.data | json }}</pre>
              </details>
            }
          </li>
        }
      </ol>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .head {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      margin-bottom: 0.6rem;
    }
    h3 {
      font-size: 1rem;
    }
    .role {
      text-transform: capitalize;
    }
    .error {
      color: var(--ac-danger);
      overflow-wrap: anywhere;
    }
    .events {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 26rem;
      overflow-y: auto;
      font-size: 0.82rem;
    }
    li {
      display: grid;
      grid-template-columns: 4.5rem 9rem 1fr;
      gap: 0.5rem;
      padding: 0.3rem 0;
      border-bottom: 1px solid var(--ac-divider);
    }
    li[data-level='error'] .message {
      color: var(--ac-danger);
    }
    li[data-level='warn'] .message {
      color: var(--ac-warning);
    }
    time {
      color: var(--ac-muted);
      font-variant-numeric: tabular-nums;
    }
    .type {
      color: var(--ac-accent);
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .message {
      overflow-wrap: anywhere;
    }
    details {
      grid-column: 2 / -1;
    }
    summary {
      cursor: pointer;
      color: var(--ac-muted);
    }
    pre {
      margin: 0.3rem 0 0;
      padding: 0.5rem;
      background: var(--ac-surface-muted);
      border-radius: 6px;
      overflow-x: auto;
      max-height: 14rem;
    }
  `,
})
export class RunLog {
  readonly run = input.required<RunDetailView>();
}
