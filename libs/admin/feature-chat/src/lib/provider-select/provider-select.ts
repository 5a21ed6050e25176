import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { CHAT_PROVIDERS, type ChatProvider } from '@autocoder/shared-contracts/plain';

const LABELS: Readonly<Record<ChatProvider, string>> = {
  anthropic: 'Claude (with tools)',
  gemini: 'Gemini (chat only, no tools)',
};

/**
 * Which provider answers a new chat. A plain select for now, kept in its own component so the
 * shared model picker can take its place without touching the form around it.
 */
@Component({
  selector: 'ac-provider-select',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <select
      [id]="inputId()"
      data-testid="chat-provider"
      [value]="value()"
      (change)="value.set($any($event.target).value)"
    >
      @for (p of providers; track p) {
        <option [value]="p" [selected]="p === value()">{{ labels[p] }}</option>
      }
    </select>
  `,
  styles: `
    select {
      width: 100%;
      padding: 0.5rem 0.6rem;
    }
  `,
})
export class ProviderSelect {
  readonly value = model<ChatProvider>('anthropic');
  /** For the form's label. */
  readonly inputId = input('chat-provider');
  protected readonly providers = CHAT_PROVIDERS;
  protected readonly labels = LABELS;
}
