import { inspect } from 'node:util';

export interface WaitOptions {
  /** Give up after this long; generous, since test machines are often busy. */
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `read` until `accept` holds for the value it gives, and returns that value. For state
 * that asynchronous work changes (a job's state, a row, a process list): assert on what this
 * returns instead of reading once right after starting the work. On timeout the error shows the
 * last value read, or the last error thrown, so a failure says what the state was instead.
 */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  accept: (value: T) => boolean,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await read();
      if (accept(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const seen =
    last === undefined
      ? ''
      : 'error' in last
        ? `: ${String(last.error)}`
        : `; last value: ${inspect(last.value, { depth: 4, breakLength: Infinity })}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`);
}

/** Polls until `probe` resolves truthy and returns that, or throws with the last reason after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  return (await waitUntil(what, probe, Boolean, options)) as T;
}

/**
 * GET url until it answers with `status`. The default wait is long because this mostly waits for
 * a built app to start, which took over 30 s on a loaded 2-core machine.
 */
export function waitForHttp(
  url: string,
  { status = 200, timeoutMs = 120_000 } = {},
): Promise<Response> {
  return waitFor(
    `${url} to answer ${status}`,
    async () => {
      const res = await fetch(url);
      return res.status === status ? res : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
}
