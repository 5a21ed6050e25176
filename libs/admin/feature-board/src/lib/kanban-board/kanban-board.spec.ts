import { HttpTestingController, TestRequest } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import type {
  AuthMeView,
  BoardView,
  FeatureStatus,
  HumanInputRequest,
} from '@autocoder/shared-contracts';
import {
  ADMIN,
  board,
  column as col,
  feature,
  features as many,
  setUpTestBed,
} from '../testing/fixtures';
import { CARD_SLOT_PX } from './board-column/board-column';
import { COLLAPSED_COLUMNS_KEY, ColumnCollapse } from './column-collapse';
import { KanbanBoard, TEXT_FILTER_DEBOUNCE_MS } from './kanban-board';

@Component({ template: '' })
class Blank {}

const BOARD_URL = '/api/v1/projects/p1/board';
/** The height jsdom reports for a column's virtual viewport (it lays nothing out). */
const VIEWPORT_PX = 600;

const QUESTION: HumanInputRequest = {
  prompt: 'Which database should todos use?',
  fields: [
    {
      name: 'engine',
      label: 'Engine',
      kind: 'select',
      options: ['sqlite', 'postgres'],
      required: true,
    },
  ],
};

const SMALL_BOARD = board({
  pending: col('pending', [
    feature('a', 'pending', { category: 'auth', name: 'Login form' }),
    feature('b', 'pending', { category: 'ui', name: 'Dark theme', description: 'colours' }),
  ]),
  in_progress: col('in_progress', [
    feature('c', 'in_progress', { heldBy: { runId: '0123456789abcdef' } }),
  ]),
  needs_input: col('needs_input', [
    feature('d', 'needs_input', { humanInput: { request: QUESTION, response: null } }),
  ]),
  passing: col('passing', [feature('e', 'passing')]),
  failing: col('failing', [feature('f', 'failing', { lastError: 'assert failed' })]),
});

describe('KanbanBoard', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<KanbanBoard>;
  let el: HTMLElement;
  let router: Router;
  const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight');

  beforeAll(() => {
    Object.defineProperty(Element.prototype, 'clientHeight', {
      configurable: true,
      get(this: Element) {
        return this.tagName === 'CDK-VIRTUAL-SCROLL-VIEWPORT' ? VIEWPORT_PX : 0;
      },
    });
  });
  afterAll(() => {
    if (clientHeight) Object.defineProperty(Element.prototype, 'clientHeight', clientHeight);
  });

  async function setup(url = '/projects/p1', role: AuthMeView['role'] = 'admin'): Promise<void> {
    jest.useFakeTimers();
    localStorage.clear();
    ({ http } = setUpTestBed({
      routes: [
        { path: 'projects/:id', component: Blank },
        { path: 'projects/:id/features/:featureId', component: Blank },
        { path: 'projects/:id/runs/:runId', component: Blank },
      ],
      me: { ...ADMIN, role },
    }));
    router = TestBed.inject(Router);
    await router.navigateByUrl(url);
    fixture = TestBed.createComponent(KanbanBoard);
    fixture.componentRef.setInput('projectId', 'p1');
    el = fixture.nativeElement as HTMLElement;
    await settle();
  }

  afterEach(() => {
    http.verify();
    fixture.destroy();
    jest.useRealTimers();
  });

  /** Lets timers, effects, the router's promises and change detection run. */
  async function settle(ms = 0): Promise<void> {
    await jest.advanceTimersByTimeAsync(ms);
    TestBed.tick();
    await jest.advanceTimersByTimeAsync(0);
    TestBed.tick();
  }

  function boardRequest(): TestRequest {
    return http.expectOne((r) => r.url === BOARD_URL);
  }

  async function answer(view: BoardView): Promise<TestRequest> {
    const request = boardRequest();
    request.flush(view);
    await settle();
    return request;
  }

  const q = <T extends Element>(selector: string) => el.querySelector(selector) as T;
  const cards = (status: FeatureStatus) =>
    Array.from(
      el.querySelectorAll(`[data-testid=board-column-${status}] [data-testid=feature-card]`),
    );
  const names = (status: FeatureStatus) =>
    cards(status).map((c) => c.querySelector('.name')?.textContent?.trim());

  function type(text: string): void {
    const input = q<HTMLInputElement>('[data-testid=text-filter]');
    input.value = text;
    input.dispatchEvent(new Event('input'));
  }

  it('loads the first 50 of every column and shows each feature in its status column', async () => {
    await setup();
    const request = await answer(SMALL_BOARD);
    expect(request.request.params.get('limit')).toBe('50');
    expect(request.request.params.has('status')).toBe(false);

    expect(names('pending')).toEqual(['Login form', 'Dark theme']);
    expect(cards('failing')[0].textContent).toContain('assert failed');
    expect(cards('pending')[0].textContent).toContain('2 steps');
    // The session holding an in-progress card, linked to its run.
    const heldBy = cards('in_progress')[0].querySelector(
      '[data-testid=held-by]',
    ) as HTMLAnchorElement;
    expect(heldBy.textContent).toContain('01234567');
    expect(heldBy.getAttribute('href')).toBe('/projects/p1/runs/0123456789abcdef');
    expect(cards('pending')[0].querySelector('[data-testid=held-by]')).toBeNull();
  });

  it('asks the api for the filter, keeps it in the URL, and reads it back from a shared link', async () => {
    await setup();
    await answer(SMALL_BOARD);

    q<HTMLButtonElement>('[data-testid=status-chip-pending]').click();
    await settle();
    let request = await answer(board({ pending: SMALL_BOARD.columns[0] }));
    expect(request.request.params.get('status')).toBe('pending');
    expect(router.url).toBe('/projects/p1?status=pending');
    // Only the chosen column is shown.
    expect(el.querySelectorAll('ac-board-column')).toHaveLength(1);

    const select = q<HTMLSelectElement>('[data-testid=category-filter]');
    expect(Array.from(select.options).map((o) => o.value)).toEqual(['', 'auth', 'core', 'ui']);
    select.value = 'auth';
    select.dispatchEvent(new Event('change'));
    await settle();
    request = await answer(board({ pending: col('pending', [SMALL_BOARD.columns[0].items[0]]) }));
    expect(request.request.params.get('category')).toBe('auth');
    expect(router.url).toBe('/projects/p1?status=pending&category=auth');

    type('login');
    await settle(TEXT_FILTER_DEBOUNCE_MS);
    request = await answer(board({ pending: col('pending', [SMALL_BOARD.columns[0].items[0]]) }));
    expect(request.request.params.get('q')).toBe('login');
    expect(router.url).toBe('/projects/p1?status=pending&category=auth&q=login');

    // A link with the filter: the board opens filtered, the controls show it.
    fixture.destroy();
    TestBed.resetTestingModule();
    await setup('/projects/p1?status=failing&q=assert', 'viewer');
    request = await answer(board({ failing: SMALL_BOARD.columns[4] }));
    expect(request.request.params.get('status')).toBe('failing');
    expect(request.request.params.get('q')).toBe('assert');
    expect(q<HTMLInputElement>('[data-testid=text-filter]').value).toBe('assert');
    expect(q('[data-testid=status-chip-failing]').getAttribute('aria-pressed')).toBe('true');
  });

  it('narrows the loaded cards on the keystroke, then asks the api once typing settles', async () => {
    await setup();
    await answer(SMALL_BOARD);

    type('dark');
    type('dark th');
    TestBed.tick();
    // At once, before any request: only the loaded cards that match.
    expect(names('pending')).toEqual(['Dark theme']);
    expect(cards('passing')).toHaveLength(0);
    expect(q('[data-testid=kanban-board]').getAttribute('aria-busy')).toBe('true');
    http.expectNone((r) => r.url === BOARD_URL);

    await settle(TEXT_FILTER_DEBOUNCE_MS);
    const request = await answer(
      board({ pending: col('pending', [SMALL_BOARD.columns[0].items[1]], 7) }),
    );
    expect(request.request.params.get('q')).toBe('dark th');
    expect(q('[data-testid=kanban-board]').getAttribute('aria-busy')).toBe('false');
    expect(q('[data-testid=board-column-pending] .count').textContent).toContain('7');
  });

  it('keeps typing that outruns its own URL update', async () => {
    await setup();
    await answer(SMALL_BOARD);
    type('dar');
    TestBed.tick();
    // The debounce fires and the URL update starts; the person types on before it lands.
    jest.advanceTimersByTime(TEXT_FILTER_DEBOUNCE_MS);
    type('dark');
    await settle();
    expect(router.url).toBe('/projects/p1?q=dar');
    expect(q<HTMLInputElement>('[data-testid=text-filter]').value).toBe('dark');
    boardRequest().flush(board({ pending: col('pending', [SMALL_BOARD.columns[0].items[1]]) }));
    await settle(TEXT_FILTER_DEBOUNCE_MS);
    const request = await answer(
      board({ pending: col('pending', [SMALL_BOARD.columns[0].items[1]]) }),
    );
    expect(request.request.params.get('q')).toBe('dark');
    expect(router.url).toBe('/projects/p1?q=dark');
  });

  it('loads the next page of a column when its end scrolls near, and says how many are loaded', async () => {
    await setup();
    await answer(board({ pending: col('pending', many('p', 'pending', 0, 50), 2345) }));

    const column = q('[data-testid=board-column-pending]');
    expect(column.querySelector('[data-testid=column-paging]')?.textContent).toContain(
      'Loaded 50 of 2,345',
    );
    // Virtualised: far fewer cards in the DOM than loaded.
    const rendered = cards('pending').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(20);

    // Scrolled near the top: nothing more is asked for.
    const viewport = column.querySelector('cdk-virtual-scroll-viewport') as HTMLElement;
    const scrollTo = async (index: number) => {
      Object.defineProperty(viewport, 'scrollTop', {
        configurable: true,
        value: index * CARD_SLOT_PX,
      });
      viewport.dispatchEvent(new Event('scroll'));
      await settle(50);
    };
    await scrollTo(10);
    http.expectNone((r) => r.url === BOARD_URL);

    // Near the end of the 50 loaded: the next 50 of this column only.
    await scrollTo(40);
    const next = boardRequest();
    expect(next.request.params.get('status')).toBe('pending');
    expect(next.request.params.get('offset')).toBe('50');
    expect(next.request.params.get('limit')).toBe('50');
    // One request at a time, however much it scrolls meanwhile.
    await scrollTo(44);
    http.expectNone((r) => r.url === BOARD_URL);
    next.flush(board({ pending: col('pending', many('p', 'pending', 50, 50), 2345) }, 50));
    await settle();
    expect(column.querySelector('[data-testid=column-paging]')?.textContent).toContain(
      'Loaded 100 of 2,345',
    );

    // A live refresh brings the first page again and keeps the deeper one.
    fixture.componentRef.setInput('refresh', 1);
    await settle();
    await answer(board({ pending: col('pending', many('p', 'pending', 0, 50), 2346) }));
    expect(column.querySelector('[data-testid=column-paging]')?.textContent).toContain(
      'Loaded 100 of 2,346',
    );
  });

  it('renders the questions ten at a time, then pages them in from the api', async () => {
    await setup();
    const asking = (from: number, count: number) =>
      many('q', 'needs_input', from, count).map((f) => ({
        ...f,
        humanInput: { request: QUESTION, response: null },
      }));
    await answer(board({ needs_input: col('needs_input', asking(0, 15), 30) }));
    expect(cards('needs_input')).toHaveLength(10);
    const more = () =>
      q<HTMLButtonElement>('[data-testid=board-column-needs_input] [data-testid=column-load-more]');
    expect(
      q('[data-testid=board-column-needs_input] [data-testid=column-paging]').textContent,
    ).toContain('Loaded 15 of 30');

    more().click();
    await settle();
    expect(cards('needs_input')).toHaveLength(15);
    http.expectNone((r) => r.url === BOARD_URL);

    more().click();
    await settle();
    const next = boardRequest();
    expect(next.request.params.get('status')).toBe('needs_input');
    expect(next.request.params.get('offset')).toBe('15');
    next.flush(board({ needs_input: col('needs_input', asking(15, 15), 30) }, 15));
    await settle();
    // The step it already took (to 20) now has cards to fill it; the rest follow on the next.
    expect(cards('needs_input')).toHaveLength(20);
    more().click();
    await settle();
    expect(cards('needs_input')).toHaveLength(30);
    expect(q('[data-testid=board-column-needs_input] [data-testid=column-paging]')).toBeNull();
  });

  it('shows a failed page with its reason and retries it from the column', async () => {
    await setup();
    await answer(board({ failing: col('failing', many('f', 'failing', 0, 50), 60) }));
    q<HTMLButtonElement>(
      '[data-testid=board-column-failing] [data-testid=column-load-more]',
    ).click();
    await settle();
    boardRequest().flush(
      { statusCode: 503, error: 'Service Unavailable', message: 'database is restarting' },
      { status: 503, statusText: 'Service Unavailable' },
    );
    await settle();
    const paging = q('[data-testid=board-column-failing] [data-testid=column-paging]');
    expect(paging.textContent).toContain('database is restarting');
    (paging.querySelector('[data-testid=column-load-more]') as HTMLButtonElement).click();
    await settle();
    boardRequest().flush(board({ failing: col('failing', many('f', 'failing', 50, 10), 60) }, 50));
    await settle();
    expect(q('[data-testid=board-column-failing] [data-testid=column-paging]')).toBeNull();
  });

  it('folds the passing column and remembers it in this browser', async () => {
    await setup();
    await answer(SMALL_BOARD);
    expect(cards('passing')).toHaveLength(1);
    // Only the passing column folds.
    expect(el.querySelectorAll('[data-testid=column-collapse]')).toHaveLength(1);

    const fold = q<HTMLButtonElement>(
      '[data-testid=board-column-passing] [data-testid=column-collapse]',
    );
    expect(fold.getAttribute('aria-expanded')).toBe('true');
    fold.click();
    await settle();
    expect(cards('passing')).toHaveLength(0);
    expect(fold.getAttribute('aria-expanded')).toBe('false');
    expect(q('[data-testid=board-column-passing] .count').textContent).toContain('1');
    expect(JSON.parse(localStorage.getItem(COLLAPSED_COLUMNS_KEY) ?? '[]')).toEqual(['passing']);

    // A new visit reads the choice back.
    const again = TestBed.runInInjectionContext(() => new ColumnCollapse());
    expect(again.collapsed().has('passing')).toBe(true);
  });

  it('opens a feature with Enter, Space or a click, keeping the filter in the URL', async () => {
    await setup('/projects/p1?category=core');
    await answer(SMALL_BOARD);
    // The filter narrowed the loaded cards to category "core".
    expect(cards('pending')).toHaveLength(0);
    const card = cards('failing')[0] as HTMLElement;
    expect(card.tabIndex).toBe(0);

    card.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await settle();
    expect(router.url).toBe('/projects/p1/features/f?category=core');

    await router.navigateByUrl('/projects/p1?category=core');
    const space = new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true });
    (cards('passing')[0] as HTMLElement).dispatchEvent(space);
    await settle();
    expect(space.defaultPrevented).toBe(true); // no page scroll
    expect(router.url).toBe('/projects/p1/features/e?category=core');

    await router.navigateByUrl('/projects/p1?category=core');
    (cards('failing')[0].querySelector('.facts') as HTMLElement).click();
    await settle();
    expect(router.url).toBe('/projects/p1/features/f?category=core');

    // The run link inside a card goes to the run, not to the feature.
    await router.navigateByUrl('/projects/p1');
    await settle();
    await answer(SMALL_BOARD);
    (cards('in_progress')[0].querySelector('[data-testid=held-by]') as HTMLElement).click();
    await settle();
    expect(router.url).toBe('/projects/p1/runs/0123456789abcdef');
  });

  it('lets an admin answer the question on the card, with progress and the api reason', async () => {
    await setup();
    await answer(SMALL_BOARD);
    const card = cards('needs_input')[0] as HTMLElement;
    expect(card.textContent).toContain('Which database should todos use?');
    const select = card.querySelector('select') as HTMLSelectElement;
    select.value = 'postgres';
    select.dispatchEvent(new Event('change'));
    // Typing a space in the form is text, not "open the feature".
    card
      .querySelector('select')
      ?.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    (card.querySelector('[data-testid=human-input-submit]') as HTMLButtonElement).click();
    await settle();
    expect(router.url).toBe('/projects/p1');

    const send = http.expectOne('/api/v1/projects/p1/features/d/human-input');
    expect(send.request.method).toBe('POST');
    expect(send.request.body).toEqual({ values: { engine: 'postgres' } });
    expect(
      (card.querySelector('[data-testid=human-input-submit]') as HTMLButtonElement).disabled,
    ).toBe(true);
    send.flush(
      { statusCode: 409, error: 'Conflict', message: 'Feature d is not waiting for input' },
      { status: 409, statusText: 'Conflict' },
    );
    await settle();
    expect(card.textContent).toContain('Feature d is not waiting for input');

    (card.querySelector('[data-testid=human-input-submit]') as HTMLButtonElement).click();
    await settle();
    http.expectOne('/api/v1/projects/p1/features/d/human-input').flush(feature('d', 'pending'));
    await settle();
    // Off the needs-input column at once, then the board reloads.
    expect(cards('needs_input')).toHaveLength(0);
    await answer(board({ pending: col('pending', [feature('d', 'pending')]) }));
    expect(names('pending')).toEqual(['Feature d']);
  });

  it('lets an admin move a pending card up its column by swapping priorities', async () => {
    await setup();
    await answer(
      board({
        pending: col('pending', [
          feature('a', 'pending', { name: 'Login form', priority: 10 }),
          feature('b', 'pending', { name: 'Dark theme', priority: 20 }),
        ]),
        passing: col('passing', [feature('e', 'passing')]),
      }),
    );
    const [first, second] = cards('pending');
    expect((first.querySelector('[data-testid=move-up]') as HTMLButtonElement).disabled).toBe(true);
    // Only columns whose order is the queue's have the buttons.
    expect(cards('passing')[0].querySelector('[data-testid=move-up]')).toBeNull();
    const up = second.querySelector('[data-testid=move-up]') as HTMLButtonElement;
    expect(up.getAttribute('aria-label')).toBe('Move Dark theme up');
    up.click();
    await settle();
    const moved = http.expectOne('/api/v1/projects/p1/features/b');
    expect(moved.request.body).toEqual({ priority: 10 });
    moved.flush(feature('b', 'pending', { priority: 10 }));
    await settle();
    const other = http.expectOne('/api/v1/projects/p1/features/a');
    expect(other.request.body).toEqual({ priority: 20 });
    other.flush(feature('a', 'pending', { priority: 20 }));
    await settle();
    expect(names('pending')).toEqual(['Dark theme', 'Login form']);
    // The board reads itself again.
    await answer(SMALL_BOARD);
  });

  it('offers "Add feature" to admins only', async () => {
    await setup();
    await answer(SMALL_BOARD);
    expect(q('[data-testid=add-feature]').getAttribute('href')).toBe('/projects/p1/features/new');
  });

  it('shows a viewer the question but no form', async () => {
    await setup('/projects/p1', 'viewer');
    await answer(SMALL_BOARD);
    const card = cards('needs_input')[0];
    expect(card.querySelector('[data-testid=card-question-prompt]')?.textContent).toContain(
      'Which database should todos use?',
    );
    expect(card.querySelector('form, select, [data-testid=human-input-submit]')).toBeNull();
    expect(q('[data-testid=add-feature]')).toBeNull();
    expect(q('[data-testid=move-up]')).toBeNull();
  });

  it('shows an api error with its request id and retries', async () => {
    await setup();
    boardRequest().flush(
      { statusCode: 500, error: 'Internal', message: 'board query failed', requestId: 'req-9' },
      { status: 500, statusText: 'Internal Server Error' },
    );
    await settle();
    const panel = q('[data-testid=error-panel]');
    expect(panel.textContent).toContain('board query failed');
    expect(panel.textContent).toContain('req-9');
    (panel.querySelector('button') as HTMLButtonElement).click();
    await settle();
    await answer(SMALL_BOARD);
    expect(q('[data-testid=error-panel]')).toBeNull();
    expect(names('pending')).toHaveLength(2);
  });
});
