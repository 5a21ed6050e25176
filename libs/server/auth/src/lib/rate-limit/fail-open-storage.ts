import { Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How long a request waits for its rate-limit counter before going on without it. */
const COUNT_TIMEOUT_MS = 250;

/**
 * The Redis counters of the rate limits, failing open: when Redis is slow or down a request is
 * let through uncounted (and a warning logged, at most once a minute) rather than answered 500
 * or left hanging. Authentication and roles do not depend on Redis; only the limits pause.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimits');
  private lastWarning = 0;

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.inner.increment(key, ttl, limit, blockDuration, throttlerName),
        new Promise<never>((_, fail) => {
          timer = setTimeout(
            () => fail(new Error('rate-limit counter timed out')),
            COUNT_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (err) {
      if (Date.now() - this.lastWarning > 60_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`rate limits paused, Redis unavailable: ${String(err)}`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    } finally {
      clearTimeout(timer);
    }
  }
}
