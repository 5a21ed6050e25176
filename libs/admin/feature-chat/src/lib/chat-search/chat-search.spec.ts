import type { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ConversationSearchView } from '@autocoder/shared-contracts';
import { AT, setUpTestBed, until } from '../testing/fixtures';
import { ChatSearch } from './chat-search';

describe('ChatSearch', () => {
  let http: HttpTestingController;

  it('shows ranked results with the matched words marked, as text, linking to the message', async () => {
    ({ http } = setUpTestBed());
    const fixture = TestBed.createComponent(ChatSearch);
    fixture.componentRef.setInput('projectId', 'p1');
    TestBed.tick();
    const el = fixture.nativeElement as HTMLElement;
    // The form registers its controls asynchronously.
    await fixture.whenStable();
    const input = el.querySelector('[data-testid="chat-search"]') as HTMLInputElement;
    input.value = 'sqlite';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    TestBed.tick();
    (el.querySelector('form') as HTMLFormElement).dispatchEvent(new Event('submit'));
    await fixture.whenStable();
    const answer: ConversationSearchView = {
      items: [
        {
          conversationId: 'c1',
          conversationTitle: 'Storage',
          kind: 'assistant',
          messageId: 'm7',
          role: 'assistant',
          createdAt: AT,
          rank: 0.9,
          snippet: 'use <b>SQLite</b> for todos',
          highlights: [[7, 13]],
        },
      ],
      total: 1,
      limit: 20,
      offset: 0,
      capped: false,
    };
    http
      .expectOne('/api/v1/projects/p1/conversations/search?q=sqlite&limit=20&offset=0')
      .flush(answer);
    await until(() => {
      TestBed.tick();
      return el.querySelector('[data-testid="chat-search-hit"]') !== null;
    });
    const hit = el.querySelector('[data-testid="chat-search-hit"]') as HTMLAnchorElement;
    expect(hit.querySelector('mark')?.textContent).toBe('SQLite');
    // The snippet's own markup is text, never HTML.
    expect(hit.querySelector('b')).toBeNull();
    expect(hit.querySelector('.snippet')?.textContent).toBe('use <b>SQLite</b> for todos');
    expect(hit.getAttribute('href')).toBe('/projects/p1/chat/c1?message=m7');
    expect(el.textContent).toContain('1 match for “sqlite”');
    http.verify();
  });
});
