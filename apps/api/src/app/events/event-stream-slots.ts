import type { Principal } from '@autocoder/server-auth';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';

/**
 * How many event streams each user or API token holds open on this replica: each one keeps a
 * connection, a Redis subscription and a timer, so one client must not open hundreds. Counted in
 * memory (a stream lives on one replica and ends with it), released when the stream closes.
 */
@Injectable()
export class EventStreamSlots {
  private readonly open = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Takes a place for `who`, or answers 429; call the returned function once the stream ends. */
  take(who: Principal): () => void {
    const key = who.tokenId ? `token:${who.tokenId}` : `user:${who.userId}`;
    const max = this.config.SSE_MAX_STREAMS_PER_CLIENT;
    const held = this.open.get(key) ?? 0;
    if (held >= max) {
      throw new HttpException(
        {
          message: `Too many open event streams: at most ${max} event streams per user or token (SSE_MAX_STREAMS_PER_CLIENT); close one first.`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.open.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }
}
