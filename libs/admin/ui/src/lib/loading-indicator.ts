import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** A small spinner with a caption, for the first load of a page or panel. */
@Component({
  selector: 'ac-loading',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span class="spinner" aria-hidden="true"></span><span>{{ text() }}</span>`,
  host: { role: 'status', 'aria-live': 'polite' },
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 0.6rem;
      padding: 1rem;
      color: var(--ac-muted);
    }
    .spinner {
      width: 1rem;
      height: 1rem;
      border: 2px solid var(--ac-border-strong);
      border-top-color: var(--ac-accent);
      border-radius: 50%;
      animation: spin 0.8s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
  `,
})
export class LoadingIndicator {
  readonly text = input('Loading…');
}
