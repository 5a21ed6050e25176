import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

/** Shows a failed request: its message and the request id to quote in a bug report. */
@Component({
  selector: 'ac-error-panel',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="panel" role="alert" data-testid="error-panel">
      <div class="text">
        <strong>{{ title() }}</strong>
        <span class="message">{{ message() }}</span>
        @if (requestId()) {
          <span class="request"
            >Request id: <code>{{ requestId() }}</code></span
          >
        }
      </div>
      @if (retryable()) {
        <button type="button" class="btn btn-small" (click)="retry.emit()">Retry</button>
      }
    </div>
  `,
  styles: `
    .panel {
      display: flex;
      align-items: flex-start;
      justify-content: space-between;
      gap: 1rem;
      padding: 0.75rem 1rem;
      border: 1px solid var(--ac-danger-border);
      border-left: 4px solid var(--ac-status-failing);
      border-radius: 8px;
      background: var(--ac-danger-bg);
      color: var(--ac-danger-fg);
    }
    .text {
      display: flex;
      flex-direction: column;
      gap: 0.2rem;
    }
    .message {
      overflow-wrap: anywhere;
    }
    .request {
      font-size: 0.8rem;
      color: var(--ac-danger-fg);
    }
  `,
})
export class ErrorPanel {
  readonly message = input.required<string>();
  readonly requestId = input<string | undefined>(undefined);
  readonly title = input('Something went wrong');
  readonly retryable = input(false);
  readonly retry = output<void>();
}
