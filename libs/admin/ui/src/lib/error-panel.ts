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
      border: 1px solid #f6c3c5;
      border-left: 4px solid #e03131;
      border-radius: 8px;
      background: #fff5f5;
      color: #7d1d21;
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
      color: #9b4a4e;
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
