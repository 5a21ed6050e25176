import type { LlmProvider, ProviderName } from '@autocoder/server-agent';
import { ChatProviders, chooseChatProvider } from './chat-providers';

// Only the name and tool support matter to the choice; no model is ever called here.
const provider = (name: ProviderName, tools: boolean): LlmProvider => ({
  name,
  supportsTools: () => tools,
  complete: () => Promise.reject(new Error('not called')),
});

const claude = { provider: provider('anthropic', true), model: 'claude-sonnet-5-5' };
const gemini = { provider: provider('gemini', false), model: 'gemini-2.5-flash' };
const providers: ChatProviders = { default: claude, gemini };

describe('chooseChatProvider', () => {
  it('uses the default, with tools, when no provider or Claude is asked for', () => {
    for (const p of [null, 'anthropic']) {
      const c = chooseChatProvider(providers, { kind: 'expand', provider: p, model: null });
      expect(c).toMatchObject({ model: 'claude-sonnet-5-5', noTools: false });
      expect(c.provider).toBe(claude.provider);
      expect(c.fallback).toBeUndefined();
    }
  });

  it('lets a chat-only Gemini answer the assistant, without tools', () => {
    const c = chooseChatProvider(providers, { kind: 'assistant', provider: 'gemini', model: null });
    expect(c.provider).toBe(gemini.provider);
    expect(c).toMatchObject({ model: 'gemini-2.5-flash', noTools: true });
    expect(c.fallback).toBeUndefined();
  });

  it('falls back to Claude, with the reason, for kinds that need tools', () => {
    for (const kind of ['spec', 'expand'] as const) {
      const c = chooseChatProvider(providers, { kind, provider: 'gemini', model: null });
      expect(c.provider).toBe(claude.provider);
      expect(c.noTools).toBe(false);
      expect(c.fallback).toEqual({
        from: 'gemini:gemini-2.5-flash',
        reason: 'gemini model gemini-2.5-flash is chat-only; tools need anthropic',
      });
    }
  });

  it('uses a tool-enabled Gemini model with its tools', () => {
    const toolGemini = { provider: provider('gemini', true), model: 'gemini-tools' };
    const c = chooseChatProvider(
      { default: claude, gemini: toolGemini },
      { kind: 'expand', provider: 'gemini', model: null },
    );
    expect(c.provider).toBe(toolGemini.provider);
    expect(c.noTools).toBe(false);
  });

  it('falls back when this runner has no Gemini', () => {
    const c = chooseChatProvider(
      { default: claude },
      { kind: 'assistant', provider: 'gemini', model: null },
    );
    expect(c.provider).toBe(claude.provider);
    expect(c.fallback).toEqual({
      from: 'gemini',
      reason: 'gemini is not configured on this runner',
    });
  });
});
