import { costOf } from '@autocoder/server-models';
import {
  decideOnFailure,
  FatalProviderError,
  ProviderRateLimitedError,
  retryAfterMs,
  RetryableProviderError,
} from './provider-errors';

describe('retryAfterMs', () => {
  it('reads seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
  });
  it('prefers retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3', 'retry-after-ms': '250' }))).toBe(250);
  });
  it('reads an HTTP date relative to now', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(
      5000,
    );
  });
  it('falls back to a default and caps absurd values', () => {
    expect(retryAfterMs(undefined)).toBe(10_000);
    expect(retryAfterMs(new Headers({ 'retry-after': '999999' }))).toBe(600_000);
  });
});

describe('costOf', () => {
  it('prices every token kind per million', () => {
    expect(
      costOf('claude-sonnet-4-5', {
        inputTokens: 1_000_000,
        outputTokens: 100_000,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      }),
    ).toBe(4.5);
  });
});

describe('decideOnFailure', () => {
  const job = { attempt: 1, maxAttempts: 3, shuttingDown: false };
  it('gives the job back while the runner shuts down, whatever failed', () => {
    expect(decideOnFailure(new FatalProviderError('x'), { ...job, shuttingDown: true })).toEqual({
      action: 'release',
    });
  });
  it('waits out a rate limit without spending an attempt, even on the last one', () => {
    expect(
      decideOnFailure(new ProviderRateLimitedError('429', 1500), { ...job, attempt: 3 }),
    ).toEqual({ action: 'wait', retryAfterMs: 1500 });
  });
  it('gives up at once on a refusal, and on the last attempt of anything else', () => {
    expect(decideOnFailure(new FatalProviderError('bad key'), job)).toEqual({
      action: 'give_up',
      fromProvider: true,
    });
    expect(decideOnFailure(new RetryableProviderError('500'), { ...job, attempt: 3 })).toEqual({
      action: 'give_up',
      fromProvider: true,
    });
    expect(decideOnFailure(new Error('bug'), { ...job, attempt: 3 })).toEqual({
      action: 'give_up',
      fromProvider: false,
    });
  });
  it('retries a transient failure before the last attempt', () => {
    expect(decideOnFailure(new RetryableProviderError('500'), job)).toEqual({ action: 'retry' });
    expect(decideOnFailure(new Error('socket hang up'), job)).toEqual({ action: 'retry' });
  });
});
