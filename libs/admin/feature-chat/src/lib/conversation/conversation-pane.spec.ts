import type { HttpTestingController } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import {
  detail,
  emitChat,
  type LiveListeners,
  message,
  setUpTestBed,
  until,
  VIEWER,
} from '../testing/fixtures';
import { ConversationPane } from './conversation-pane';

const BASE = '/api/v1/projects/p1/conversations/c1';

describe('ConversationPane', () => {
  let http: HttpTestingController;
  let live: LiveListeners;
  let urls: string[];
  let fixture: ComponentFixture<ConversationPane>;
  let el: HTMLElement;

  const open = (me = setUpTestBed()) => {
    ({ http, live, urls } = me);
    fixture = TestBed.createComponent(ConversationPane);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('conversationId', 'c1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  };
  const tick = async () => {
    await Promise.resolve();
    TestBed.tick();
  };
  const byTestId = (id: string) => el.querySelector(`[data-testid="${id}"]`);
  const all = (id: string) => Array.from(el.querySelectorAll(`[data-testid="${id}"]`));

  afterEach(() => http.verify());

  it('streams a reply token by token, then shows the stored message in its place', async () => {
    open();
    expect(urls).toEqual(['/api/v1/projects/p1/events?conversationId=c1']);
    http.expectOne(`${BASE}?limit=50`).flush(detail([message('u1', 'user', 'How far?', 1)]));
    await until(() => {
      TestBed.tick();
      return byTestId('chat-waiting') !== null;
    });
    expect(byTestId('chat-stop')).not.toBeNull();

    emitChat(live, 'chat.delta', { messageId: 'a1', seq: 0, text: 'The backlog ' });
    await tick();
    expect(byTestId('chat-waiting')).toBeNull();
    emitChat(live, 'chat.delta', { messageId: 'a1', seq: 1, text: 'holds 3 features.' });
    await until(() => {
      TestBed.tick();
      return byTestId('chat-streaming')?.textContent?.includes('The backlog holds 3 features.');
    });

    emitChat(live, 'chat.message', {
      message: message('a1', 'assistant', 'The backlog holds 3 features.', 2, {
        provider: 'anthropic',
        model: 'claude-sonnet-5-5',
      }),
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
    });
    await tick();
    expect(byTestId('chat-streaming')).toBeNull();
    expect(all('chat-message').map((m) => m.getAttribute('data-role'))).toEqual([
      'user',
      'assistant',
    ]);
    expect(byTestId('reply-badge')?.textContent).toContain('claude-sonnet-5-5');
    expect(byTestId('chat-stop')).toBeNull();
    expect(byTestId('chat-send')).not.toBeNull();
  });

  it('stops a reply, and offers retry once the stopped reply is in', async () => {
    open();
    http.expectOne(`${BASE}?limit=50`).flush(detail([message('u1', 'user', 'Go', 1)]));
    await until(() => {
      TestBed.tick();
      return byTestId('chat-stop') !== null;
    });
    (byTestId('chat-stop') as HTMLButtonElement).click();
    http.expectOne({ method: 'POST', url: `${BASE}/stop` }).flush({
      messageId: 'u1',
      status: 'stopping',
    });
    await tick();
    expect(byTestId('chat-stop')?.textContent).toContain('Stopping…');
    emitChat(live, 'chat.message', {
      message: message('a1', 'assistant', 'Half an', 2, { provider: 'demo', stopped: true }),
    });
    await tick();
    expect(byTestId('reply-stopped')).not.toBeNull();
    (byTestId('chat-retry') as HTMLButtonElement).click();
    http.expectOne({ method: 'POST', url: `${BASE}/retry` }).flush(message('u2', 'user', 'Go', 3));
    await until(() => {
      TestBed.tick();
      return all('chat-message').length === 3 && byTestId('chat-retry') === null;
    });
  });

  it('says a Gemini chat runs without tools, offers the exports and pages back', async () => {
    open();
    http
      .expectOne(`${BASE}?limit=50`)
      .flush(detail([message('a9', 'assistant', 'Newest', 60)], { provider: 'gemini' }, 51));
    await until(() => {
      TestBed.tick();
      return byTestId('gemini-no-tools') !== null;
    });
    expect(byTestId('gemini-no-tools')?.textContent).toContain('Gemini runs without tools.');
    expect(byTestId('export-markdown')?.getAttribute('href')).toBe(
      `${BASE}/export?format=markdown`,
    );
    expect(byTestId('export-json')?.getAttribute('href')).toBe(`${BASE}/export?format=json`);
    const earlier = byTestId('load-earlier') as HTMLButtonElement;
    expect(earlier.textContent).toContain('(50)');
    earlier.click();
    http
      .expectOne(`${BASE}?limit=50&offset=1`)
      .flush(detail([message('a0', 'user', 'Oldest', 1)], { provider: 'gemini' }, 51));
    await until(() => {
      TestBed.tick();
      return all('chat-message').length === 2;
    });
    expect(all('chat-message')[0]?.textContent).toContain('Oldest');
  });

  it('lets a viewer read but not write', async () => {
    open(setUpTestBed({ me: VIEWER }));
    http.expectOne(`${BASE}?limit=50`).flush(detail([message('u1', 'user', 'Hi', 1)]));
    await until(() => {
      TestBed.tick();
      return all('chat-message').length === 1;
    });
    expect(byTestId('chat-input')).toBeNull();
    expect(el.textContent).toContain('an admin can write in it');
  });
});
