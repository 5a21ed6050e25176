import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

const PROVIDER_NAMES: Record<string, string> = {
  anthropic: 'Anthropic',
  gemini: 'Gemini',
  ollama: 'Ollama',
  demo: 'Demo',
};

/** The name a person reads for a provider id ("ollama" → "Ollama"). */
export function providerName(id: string): string {
  return PROVIDER_NAMES[id] ?? id;
}

/**
 * A small pill naming a provider and model ("Ollama · llama3.1:latest"); `inherited` marks the
 * deployment's default, used because nothing else was chosen.
 */
@Component({
  selector: 'ac-provider-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<span
    class="provider-badge"
    [attr.data-provider]="provider()"
    [attr.title]="title()"
    data-testid="provider-badge"
    ><span class="dot" aria-hidden="true"></span><span class="name">{{ name() }}</span
    ><span class="model">{{ model() }}</span></span
  >`,
  styles: `
    :host {
      display: inline-flex;
      min-width: 0;
      max-width: 100%;
    }
    .provider-badge {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      min-width: 0;
      max-width: 100%;
      padding: 0.05rem 0.5rem;
      border-radius: 999px;
      border: 1px solid var(--ac-neutral-border);
      background: var(--ac-neutral-bg);
      color: var(--ac-neutral-fg);
      font-size: 0.75rem;
      line-height: 1.5;
      white-space: nowrap;
    }
    .dot {
      width: 0.45rem;
      height: 0.45rem;
      border-radius: 50%;
      flex: none;
      background: var(--ac-muted);
    }
    [data-provider='anthropic'] .dot {
      background: var(--ac-warning);
    }
    [data-provider='gemini'] .dot {
      background: var(--ac-accent);
    }
    [data-provider='ollama'] .dot {
      background: var(--ac-success);
    }
    .name {
      font-weight: 600;
    }
    .model {
      overflow: hidden;
      text-overflow: ellipsis;
      font-family: var(--ac-mono);
      font-size: 0.7rem;
    }
  `,
})
export class ProviderBadge {
  readonly provider = input.required<string>();
  readonly model = input.required<string>();
  /** The deployment's default, used because the project chose none. */
  readonly inherited = input(false);
  /** What the badge stands for, for its tooltip ("Deployment default", "Coding agents"). */
  readonly context = input('');

  protected readonly name = computed(() => providerName(this.provider()));
  protected readonly title = computed(() => {
    const what = `${this.name()} · ${this.model()}`;
    const context = this.context() ? `${this.context()}: ` : '';
    return `${context}${what}${this.inherited() ? ' (deployment default)' : ''}`;
  });
}
