import { TestBed } from '@angular/core/testing';
import { message } from '../testing/fixtures';
import type { ThreadItem } from '../thread/chat-thread';
import { ChatMessage } from './chat-message';

function render(item: ThreadItem): HTMLElement {
  const fixture = TestBed.createComponent(ChatMessage);
  fixture.componentRef.setInput('item', item);
  TestBed.tick();
  return fixture.nativeElement as HTMLElement;
}
const text = (el: HTMLElement, id: string) =>
  el.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();

describe('ChatMessage', () => {
  it('badges a reply with its provider and model', () => {
    const m = message('a1', 'assistant', 'Hello', 1, {
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
    });
    const el = render({ kind: 'assistant', id: m.id, message: m, calls: [] });
    expect(text(el, 'reply-badge')).toBe('Claudeclaude-sonnet-5-5');
    expect(el.querySelector('[data-testid="reply-fallback"]')).toBeNull();
    expect(el.querySelector('[data-testid="reply-stopped"]')).toBeNull();
  });

  it('says when Claude answered in place of Gemini, and when a reply was stopped', () => {
    const m = message('a1', 'assistant', 'Half', 1, {
      provider: 'demo',
      model: 'claude-sonnet-5-5',
      fallbackFrom: 'gemini:gemini-2.5-flash',
      stopped: true,
    });
    const el = render({ kind: 'assistant', id: m.id, message: m, calls: [] });
    expect(text(el, 'reply-fallback')).toBe(
      'Gemini (gemini-2.5-flash) cannot use tools, which this chat needs: Demo Claude answered instead.',
    );
    expect(text(el, 'reply-stopped')).toBe('Stopped');
  });

  it("keeps a person's text as text and shows the platform's notes", () => {
    const m = message('u1', 'user', '<b>bold?</b>', 1);
    const el = render({ kind: 'user', id: m.id, message: m });
    expect(el.querySelector('b')).toBeNull();
    expect(el.textContent).toContain('<b>bold?</b>');
    const n = message('s1', 'system', 'No reply: provider error 500.', 2, { notice: 'failure' });
    const notice = render({ kind: 'notice', id: n.id, message: n });
    expect(notice.querySelector('[data-notice="failure"]')?.textContent?.trim()).toBe(
      'No reply: provider error 500.',
    );
  });
});
