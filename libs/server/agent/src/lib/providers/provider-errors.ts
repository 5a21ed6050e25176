import Anthropic from '@anthropic-ai/sdk';

/** The provider asked us to slow down (429) or is overloaded (529): wait, do not burn an attempt. */
export class ProviderRateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'ProviderRateLimitedError';
  }
}

/** Worth another attempt after a backoff: 5xx, timeouts, dropped connections. */
export class RetryableProviderError extends Error {
  override name = 'RetryableProviderError';
}

/** Retrying will not help: bad request, bad key, forbidden model. */
export class FatalProviderError extends Error {
  override name = 'FatalProviderError';
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 10_000;
const MAX_RATE_LIMIT_WAIT_MS = 10 * 60_000;

/** Milliseconds from a retry-after (seconds or HTTP date) or retry-after-ms header. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return clamp(Number(ms));
  const value = headers?.get('retry-after');
  if (value) {
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return clamp(seconds * 1000);
    const date = Date.parse(value);
    if (Number.isFinite(date)) return clamp(date - now);
  }
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function clamp(ms: number): number {
  return Math.min(Math.max(Math.round(ms), 0), MAX_RATE_LIMIT_WAIT_MS);
}

/** Sorts an Anthropic SDK error into wait / retry / give up. */
export function classifyAnthropicError(err: unknown): Error {
  if (err instanceof Anthropic.APIConnectionError) {
    return new RetryableProviderError(`provider unreachable: ${err.message}`);
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? 0;
    if (status === 429 || status === 529) {
      return new ProviderRateLimitedError(
        `provider ${status === 429 ? 'rate limited' : 'overloaded'} (${status})`,
        retryAfterMs(err.headers),
      );
    }
    if (status >= 500 || status === 408 || status === 409) {
      return new RetryableProviderError(`provider error ${status}: ${err.message}`);
    }
    return new FatalProviderError(`provider refused the request (${status}): ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * What to do with a model call that failed, for every caller (agent sessions and chat turns):
 * give the job back to the queue when the runner is shutting down, wait out a rate limit without
 * spending an attempt, give up on a refusal or the last attempt, retry with backoff otherwise.
 */
export type FailureDecision =
  | { action: 'release' }
  | { action: 'wait'; retryAfterMs: number }
  | { action: 'give_up'; fromProvider: boolean }
  | { action: 'retry' };

export function decideOnFailure(
  err: unknown,
  job: { attempt: number; maxAttempts: number; shuttingDown: boolean },
): FailureDecision {
  if (job.shuttingDown) return { action: 'release' };
  if (err instanceof ProviderRateLimitedError)
    return { action: 'wait', retryAfterMs: err.retryAfterMs };
  if (err instanceof FatalProviderError) return { action: 'give_up', fromProvider: true };
  if (job.attempt >= job.maxAttempts)
    return { action: 'give_up', fromProvider: err instanceof RetryableProviderError };
  return { action: 'retry' };
}
