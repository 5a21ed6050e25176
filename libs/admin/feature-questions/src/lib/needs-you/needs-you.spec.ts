import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { PendingQuestionsView } from '@autocoder/shared-contracts';
import { NeedsYou, QUESTIONS_POLL_MS } from './needs-you';

const TWO: PendingQuestionsView = {
  total: 2,
  items: [
    {
      projectId: 'p1',
      projectName: 'Todo app',
      featureId: 'f1',
      featureName: 'Login form',
      prompt: 'Which identity provider should the login use?',
      askedAt: '2025-01-01T10:00:00.000Z',
    },
    {
      projectId: 'p2',
      projectName: 'Shop',
      featureId: 'f9',
      featureName: 'Checkout',
      prompt: 'Which currency?',
      askedAt: '2025-01-01T10:05:00.000Z',
    },
  ],
};

/** Where the items lead (the feature panel, another lib's route). */
@Component({ template: '' })
class Blank {}

describe('NeedsYou', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<NeedsYou>;
  let el: HTMLElement;

  beforeEach(() => {
    jest.useFakeTimers();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: '**', component: Blank }]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(NeedsYou);
    el = fixture.nativeElement as HTMLElement;
    document.body.appendChild(el);
    TestBed.tick();
  });

  afterEach(() => {
    fixture.destroy();
    el.remove();
    jest.useRealTimers();
  });

  const answer = (value: PendingQuestionsView) => {
    http.expectOne('/api/v1/questions').flush(value);
    TestBed.tick();
  };
  const q = <T extends Element = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T | null;
  const trigger = () => q<HTMLButtonElement>('needs-you') as HTMLButtonElement;

  it('counts the questions waiting, and says so to assistive technology', () => {
    answer(TWO);
    expect(q('needs-you-count')?.textContent?.trim()).toBe('2');
    expect(trigger().textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Needs you 2 questions waiting',
    );
    expect(trigger().classList).toContain('waiting');
  });

  it('stays, quietly, at zero', () => {
    answer({ total: 0, items: [] });
    expect(q('needs-you-count')?.textContent?.trim()).toBe('0');
    expect(trigger().classList).not.toContain('waiting');
    trigger().click();
    TestBed.tick();
    expect(q('needs-you-list')?.textContent).toContain('No agent is waiting');
  });

  it('polls every 15 s and refreshes at once when the window gets focus', () => {
    answer({ total: 0, items: [] });
    jest.advanceTimersByTime(QUESTIONS_POLL_MS - 1);
    expect(http.match('/api/v1/questions')).toHaveLength(0);
    jest.advanceTimersByTime(1);
    answer(TWO);
    expect(q('needs-you-count')?.textContent?.trim()).toBe('2');

    window.dispatchEvent(new Event('focus'));
    answer({ ...TWO, total: 1, items: TWO.items.slice(0, 1) });
    expect(q('needs-you-count')?.textContent?.trim()).toBe('1');
  });

  it('opens a list whose items lead to the waiting feature, and closes with Escape', () => {
    answer(TWO);
    expect(q('needs-you-list')).toBeNull();
    trigger().click();
    TestBed.tick();
    expect(trigger().getAttribute('aria-expanded')).toBe('true');
    const items = Array.from(el.querySelectorAll('[data-testid=needs-you-item]'));
    expect(items.map((a) => a.getAttribute('href'))).toEqual([
      '/projects/p1/features/f1',
      '/projects/p2/features/f9',
    ]);
    expect(items[0].textContent).toContain('Which identity provider');
    expect(items[0].textContent).toContain('Todo app');

    (items[0] as HTMLElement).focus();
    items[0].dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    TestBed.tick();
    expect(q('needs-you-list')).toBeNull();
    expect(document.activeElement).toBe(trigger());
  });

  it('closes when a person clicks elsewhere or follows an item', () => {
    answer(TWO);
    trigger().click();
    TestBed.tick();
    document.body.click();
    TestBed.tick();
    expect(q('needs-you-list')).toBeNull();

    trigger().click();
    TestBed.tick();
    (el.querySelector('[data-testid=needs-you-item]') as HTMLElement).click();
    TestBed.tick();
    expect(q('needs-you-list')).toBeNull();
  });

  it('keeps the last count when a poll fails, and shows "?" before any answer', () => {
    http
      .expectOne('/api/v1/questions')
      .flush({ statusCode: 503, message: 'down' }, { status: 503, statusText: 'Unavailable' });
    TestBed.tick();
    expect(q('needs-you-count')?.textContent?.trim()).toBe('?');
    jest.advanceTimersByTime(QUESTIONS_POLL_MS);
    answer(TWO);
    jest.advanceTimersByTime(QUESTIONS_POLL_MS);
    http
      .expectOne('/api/v1/questions')
      .flush({ statusCode: 503, message: 'down' }, { status: 503, statusText: 'Unavailable' });
    TestBed.tick();
    expect(q('needs-you-count')?.textContent?.trim()).toBe('2');
  });
});
