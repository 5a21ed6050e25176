/** Polls until `probe` resolves truthy, or throws with the last reason after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
  );
}

/** GET url until it answers with `status`. */
export function waitForHttp(
  url: string,
  { status = 200, timeoutMs = 30_000 } = {},
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
