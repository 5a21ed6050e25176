import { AuditService } from '@autocoder/server-audit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { Request } from 'express';
import { requestId, TooManyFailures } from '../auth-errors';
import { AUTH_FAILURE_LIMIT, RATE_LIMIT_STORAGE } from '../auth.tokens';
import { AuthFailureLimit } from '../rate-limit/auth-failure-limit';

/** What happens to a refused credential: an audit event, and a count per IP (429 past the limit). */
@Injectable()
export class RefusedCredentials {
  private readonly logger = new Logger(RefusedCredentials.name);

  constructor(
    private readonly audit: AuditService,
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    @Inject(AUTH_FAILURE_LIMIT) private readonly failures: AuthFailureLimit,
  ) {}

  /** Audits a refused API token or bearer token. */
  async record(req: Request, kind: 'api_token' | 'bearer', reason: string): Promise<void> {
    await this.audit.record({
      actorType: kind === 'api_token' ? 'token' : 'user',
      ip: req.ip,
      requestId: requestId(req),
      action: 'auth.refused',
      targetType: kind,
      after: { reason, method: req.method, path: req.path },
    });
  }

  /**
   * Counts a 401 against the caller's IP: a refused credential against the auth-failure limit, a
   * request without any against the anonymous limit. Throws TooManyFailures past the limit.
   */
  async count(req: Request, what: 'refused' | 'missing'): Promise<void> {
    const ip = req.ip ?? 'unknown';
    const [key, limit, name] =
      what === 'refused'
        ? [`${this.failures.keyPrefix}${ip}`, this.failures.perMinute, 'authfail']
        : [this.failures.anonymousKey(ip), this.failures.anonymousPerMinute, 'anonymous'];
    const record = await this.storage
      .increment(key, 60_000, limit, 60_000, name)
      .catch((err: unknown) => {
        // Redis down: the failure still gets its 401; only the counting is lost.
        this.logger.warn({ err: String(err) }, 'could not count a refused credential');
        return undefined;
      });
    if (record?.isBlocked) {
      throw new TooManyFailures(Math.max(1, record.timeToBlockExpire), what);
    }
  }
}
