import { HttpErrorResponse } from '@angular/common/http';
import { Observable, of, Subject, Subscription, throwError } from 'rxjs';
import { Loaded, poll } from './poll';

describe('poll', () => {
  let subscription: Subscription | undefined;

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    subscription?.unsubscribe();
    jest.useRealTimers();
  });

  it('polls at the delay chosen from the last answer', () => {
    const answers = ['running', 'running', 'done', 'done'];
    let calls = 0;
    const seen: string[] = [];
    subscription = poll(
      () => of(answers[calls++]),
      (last) => (last.ok && last.value === 'running' ? 2000 : 10000),
    ).subscribe((r) => r.ok && seen.push(r.value));

    expect(seen).toEqual(['running']);
    jest.advanceTimersByTime(2000);
    expect(seen).toEqual(['running', 'running']);
    jest.advanceTimersByTime(2000);
    expect(seen).toEqual(['running', 'running', 'done']);
    // Nothing in flight any more: the next call waits the long delay.
    jest.advanceTimersByTime(9999);
    expect(calls).toBe(3);
    jest.advanceTimersByTime(1);
    expect(calls).toBe(4);
  });

  it('reports errors and keeps polling', () => {
    let calls = 0;
    const results: Loaded<number>[] = [];
    const load = (): Observable<number> =>
      calls++ === 0
        ? throwError(
            () => new HttpErrorResponse({ status: 503, statusText: 'Service Unavailable' }),
          )
        : of(calls);
    subscription = poll(load, () => 1000).subscribe((r) => results.push(r));

    expect(results[0]).toEqual({
      ok: false,
      error: expect.objectContaining({ statusCode: 503 }),
    });
    jest.advanceTimersByTime(1000);
    expect(results[1]).toEqual({ ok: true, value: 2 });
  });

  it('reloads at once when asked', () => {
    let calls = 0;
    const reload = new Subject<void>();
    subscription = poll(
      () => of(++calls),
      () => 10000,
      reload,
    ).subscribe();

    expect(calls).toBe(1);
    reload.next();
    expect(calls).toBe(2);
    // The reload restarted the timer.
    jest.advanceTimersByTime(9999);
    expect(calls).toBe(2);
    jest.advanceTimersByTime(1);
    expect(calls).toBe(3);
  });
});
