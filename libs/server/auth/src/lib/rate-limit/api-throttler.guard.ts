import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Response } from 'express';

/**
 * @nestjs/throttler's guard, answering a blocked request with the standard `Retry-After`
 * (seconds) next to the throttler's own per-limit headers, and a message naming the limit.
 * Runs after the AuthGuard, so limits can follow the signed-in user or token.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<Response>();
    if (!res.headersSent)
      res.setHeader('Retry-After', String(Math.max(1, detail.timeToBlockExpire)));
    throw new ThrottlerException(
      `Too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s here; try again in ${Math.max(1, detail.timeToBlockExpire)} s.`,
    );
  }
}
