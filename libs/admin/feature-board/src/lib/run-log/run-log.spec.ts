import { CdkVirtualScrollViewport } from '@angular/cdk/scrolling';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { RunEventView } from '@autocoder/shared-contracts';
import { runEvent as ev } from '../testing/fixtures';
import { eventKey, fromLiveEvent, mergeEvents, summarize } from './log-lines';
import { RunLog } from './run-log';

const TOOL_CALL = ev(2, {
  type: 'tool.call',
  message: 'bash',
  data: { input: { command: 'npm test -- --runInBand' } },
});
const EVENTS: RunEventView[] = [
  ev(1, { type: 'run.started', message: 'Session started' }),
  TOOL_CALL,
  ev(3, { type: 'tool.result', message: 'bash failed', level: 'warn', data: { isError: true } }),
  ev(4, { type: 'run.failed', message: 'verification failed', level: 'error' }),
];

// jsdom lays nothing out and has no Element.scrollTo; the virtual list calls it.
beforeAll(() => {
  Element.prototype.scrollTo ??= function scrollTo() {
    /* no layout in jsdom */
  };
});

describe('RunLog', () => {
  let fixture: ComponentFixture<RunLog>;
  let el: HTMLElement;

  async function show(events: RunEventView[]) {
    fixture.componentRef.setInput('events', events);
    await fixture.whenStable();
  }
  const rows = () =>
    Array.from(el.querySelectorAll<HTMLElement>('[data-testid=log-row]')).map(
      (r) => `${r.dataset['type']}: ${r.querySelector('.text')?.textContent?.trim()}`,
    );
  const select = async (testId: string, value: string) => {
    const s = el.querySelector(`[data-testid=${testId}]`) as HTMLSelectElement;
    s.value = value;
    s.dispatchEvent(new Event('change'));
    await fixture.whenStable();
  };

  beforeEach(async () => {
    fixture = TestBed.createComponent(RunLog);
    el = fixture.nativeElement as HTMLElement;
    await show(EVENTS);
  });

  it('shows one line per event, a tool call collapsed to its tool and main argument', () => {
    expect(rows()).toEqual([
      'run.started: Session started',
      'tool.call: bash npm test -- --runInBand',
      'tool.result: bash failed',
      'run.failed: verification failed',
    ]);
    expect(el.querySelector('[data-testid=log-detail]')).toBeNull();
  });

  it('expands a tool call into the detail pane, with its input', async () => {
    const expand = el.querySelectorAll<HTMLButtonElement>('[data-testid=log-expand]')[0];
    expect(expand.getAttribute('aria-expanded')).toBe('false');
    expand.click();
    await fixture.whenStable();

    expect(expand.getAttribute('aria-expanded')).toBe('true');
    const detail = el.querySelector('[data-testid=log-detail-data]');
    expect(detail?.textContent).toContain('"command": "npm test -- --runInBand"');
    // Clicking again collapses it.
    expand.click();
    await fixture.whenStable();
    expect(el.querySelector('[data-testid=log-detail]')).toBeNull();
  });

  it('filters by level and by event type', async () => {
    await select('log-level', 'warn');
    expect(rows()).toEqual(['tool.result: bash failed', 'run.failed: verification failed']);
    expect(el.querySelector('[data-testid=log-count]')?.textContent).toContain('2 of 4 events');

    await select('log-level', 'debug');
    await select('log-type', 'tool.call');
    expect(rows()).toEqual(['tool.call: bash npm test -- --runInBand']);

    await select('log-level', 'error');
    expect(rows()).toEqual([]);
    expect(el.querySelector('[data-testid=log-empty]')?.textContent).toContain('No events match');
  });

  it('appends new events and, scrolled up, offers a jump to the newest instead of following', async () => {
    const viewport = fixture.debugElement.query(
      (d) => d.componentInstance instanceof CdkVirtualScrollViewport,
    ).componentInstance as CdkVirtualScrollViewport;
    const scrollTo = jest.spyOn(viewport, 'scrollToOffset');

    // Following: a new event scrolls to the end.
    await show([...EVENTS, ev(5, { message: 'newest' })]);
    expect(rows().at(-1)).toBe('model.response: newest');
    expect(scrollTo).toHaveBeenLastCalledWith(5 * 30);
    expect(el.querySelector('[data-testid=log-jump]')).toBeNull();

    // The reader scrolls up: following stops, new events are counted, not scrolled to.
    jest.spyOn(viewport, 'measureScrollOffset').mockReturnValue(400);
    viewport.elementRef.nativeElement.dispatchEvent(new Event('scroll'));
    await fixture.whenStable();
    expect((el.querySelector('[data-testid=log-follow]') as HTMLInputElement).checked).toBe(false);
    scrollTo.mockClear();
    await show([...EVENTS, ev(5, { message: 'newest' }), ev(6), ev(7)]);
    expect(scrollTo).not.toHaveBeenCalled();
    const jump = el.querySelector('[data-testid=log-jump]') as HTMLButtonElement;
    expect(jump.textContent).toContain('2 new');

    jump.click();
    await fixture.whenStable();
    expect(scrollTo).toHaveBeenCalledWith(7 * 30);
    expect(el.querySelector('[data-testid=log-jump]')).toBeNull();
    expect((el.querySelector('[data-testid=log-follow]') as HTMLInputElement).checked).toBe(true);
  });
});

describe('log lines', () => {
  it('merges the stored log and live events once each, in time order', () => {
    const live = fromLiveEvent({
      projectId: 'p1',
      runId: 'r1',
      type: 'model.response',
      level: 'info',
      message: 'event 3',
      at: ev(3).createdAt,
    });
    // The live copy of a stored event is the same event.
    expect(eventKey(live)).toBe(eventKey(ev(3)));
    const merged = mergeEvents([ev(1), ev(3)], [live, ev(2), ev(4)]);
    expect(merged.map((e) => e.message)).toEqual(['event 1', 'event 2', 'event 3', 'event 4']);
    const same = [ev(1)];
    expect(mergeEvents(same, [ev(1)])).toBe(same);
  });

  it('summarises a tool call by its telling argument, or its input on one line', () => {
    expect(summarize(TOOL_CALL)).toBe('bash npm test -- --runInBand');
    expect(
      summarize(
        ev(9, { type: 'tool.call', message: 'mark_passing', data: { input: { ids: [1, 2] } } }),
      ),
    ).toBe('mark_passing {"ids":[1,2]}');
    expect(summarize(ev(9, { type: 'run.started', message: 'hello' }))).toBe('hello');
  });
});
