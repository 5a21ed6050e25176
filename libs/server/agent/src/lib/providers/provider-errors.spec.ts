import { costOf } from './model-catalogue';
import { retryAfterMs } from './provider-errors';

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
