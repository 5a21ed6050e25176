import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { ModelRole } from '@autocoder/shared-contracts';
import { ModelPicker, ModelPickerValue, priceText } from './model-picker';
import { providerListFixture } from './provider-list.fixture';

@Component({
  imports: [ModelPicker],
  template: `<ac-model-picker
    pickerId="p"
    label="Coding agents"
    inheritLabel="Deployment default"
    inheritHint="Demo · claude-sonnet-5-5"
    [providers]="list"
    [modelRole]="role()"
    [disabled]="disabled()"
    [error]="error()"
    [(value)]="value"
  />`,
})
class Host {
  readonly list = providerListFixture();
  readonly value = signal<ModelPickerValue>({});
  readonly role = signal<ModelRole>('coding');
  readonly disabled = signal(false);
  readonly error = signal<string | null>(null);
}

describe('ModelPicker', () => {
  async function render(value: ModelPickerValue = {}) {
    const fixture = TestBed.createComponent(Host);
    fixture.componentInstance.value.set(value);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const select = (id: string) => el.querySelector(`#p-${id}`) as HTMLSelectElement;
    const options = (id: string) =>
      [...select(id).options].map((o) => ({
        value: o.value,
        text: o.text.trim(),
        disabled: o.disabled,
      }));
    const choose = async (id: string, value: string) => {
      select(id).value = value;
      select(id).dispatchEvent(new Event('change'));
      await fixture.whenStable();
    };
    return { fixture, el, select, options, choose };
  }

  it('offers the default first, and disables providers that cannot serve the role, with the reason', async () => {
    const { options, select } = await render();
    expect(options('provider')).toEqual([
      { value: '', text: 'Deployment default', disabled: false },
      { value: 'demo', text: 'Demo (offline) (default)', disabled: false },
      {
        value: 'anthropic',
        text: 'Anthropic — unavailable: ANTHROPIC_API_KEY is not set',
        disabled: true,
      },
      { value: 'gemini', text: 'Gemini — no model here can call tools', disabled: true },
      { value: 'ollama', text: 'Ollama', disabled: false },
    ]);
    expect(select('model').disabled).toBe(true);
    expect(options('model')).toEqual([
      { value: '', text: 'Demo · claude-sonnet-5-5', disabled: false },
    ]);
  });

  it("picks the provider's default model, shows prices and disables chat-only models for coding", async () => {
    const { fixture, options, choose, el } = await render();
    await choose('provider', 'ollama');
    expect(fixture.componentInstance.value()).toEqual({
      provider: 'ollama',
      model: 'llama3.1:latest',
    });
    expect(options('model')).toEqual([
      { value: 'llama3.1:latest', text: 'Llama3.1 — free (local)', disabled: false },
      { value: 'mystery:1b', text: 'Mystery (1b) — chat only: cannot call tools', disabled: true },
    ]);
    expect(el.querySelector('[data-testid=p-detail]')?.textContent).toContain('131k context');

    await choose('provider', '');
    expect(fixture.componentInstance.value()).toEqual({});
  });

  it('lets a chat choose a chat-only model', async () => {
    const { fixture, options, choose } = await render();
    fixture.componentInstance.role.set('chat');
    await fixture.whenStable();
    expect(options('provider').find((o) => o.value === 'gemini')?.disabled).toBe(false);
    await choose('provider', 'gemini');
    expect(options('model')).toEqual([
      {
        value: 'gemini-2.5-flash',
        text: 'Gemini 2.5 Flash — $0.3 / $2.5 per M tokens',
        disabled: false,
      },
    ]);
  });

  it('keeps a saved model the deployment no longer offers, and says sessions fall back', async () => {
    const { options, el } = await render({ provider: 'ollama', model: 'qwen3:8b' });
    expect(options('model')[0]).toEqual({
      value: 'qwen3:8b',
      text: 'qwen3:8b — not offered by this deployment',
      disabled: false,
    });
    expect(el.querySelector('[data-testid=p-detail]')?.textContent).toContain('fall back');
  });

  it('is read-only when disabled and shows an error from the api', async () => {
    const { fixture, select, el } = await render({ provider: 'demo', model: 'claude-sonnet-5-5' });
    fixture.componentInstance.disabled.set(true);
    fixture.componentInstance.error.set('Invalid option');
    await fixture.whenStable();
    expect(select('provider').disabled).toBe(true);
    expect(select('model').disabled).toBe(true);
    expect(el.querySelector('.field-error')?.textContent).toContain('Invalid option');
  });
});

describe('priceText', () => {
  it('says free, unknown or the list price', () => {
    expect(priceText({ inputPerMTok: 0, outputPerMTok: 0 })).toBe('free (local)');
    expect(priceText({ inputPerMTok: null, outputPerMTok: null })).toBe('price unknown');
    expect(priceText({ inputPerMTok: 5, outputPerMTok: 25 })).toBe('$5 / $25 per M tokens');
  });
});
