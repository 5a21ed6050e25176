import {
  catchError,
  defer,
  map,
  merge,
  NEVER,
  Observable,
  of,
  repeat,
  switchMap,
  tap,
  timer,
} from 'rxjs';
import { ApiError, toApiError } from './api-error';

/** One poll result: the value, or the error of this attempt (polling goes on either way). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * Calls `load` now and again `nextDelayMs(last)` milliseconds after each answer, so the caller
 * can poll fast while work is in flight and slowly otherwise. A failed call is reported, not
 * thrown, so one api hiccup does not stop a live page. Each emission of `reload$` starts over
 * at once (e.g. right after the user started a run).
 */
export function poll<T>(
  load: () => Observable<T>,
  nextDelayMs: (last: Loaded<T>) => number,
  reload$: Observable<unknown> = NEVER,
): Observable<Loaded<T>> {
  return merge(of(undefined), reload$).pipe(
    switchMap(() => {
      let last: Loaded<T> | undefined;
      return defer(load).pipe(
        map((value): Loaded<T> => ({ ok: true, value })),
        catchError((err: unknown) => of<Loaded<T>>({ ok: false, error: toApiError(err) })),
        tap((result) => (last = result)),
        repeat({ delay: () => timer(last ? nextDelayMs(last) : 0) }),
      );
    }),
  );
}
