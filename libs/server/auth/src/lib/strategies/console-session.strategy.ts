import { AuditService } from '@autocoder/server-audit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { NotSignedIn, requestId } from '../auth-errors';
import { AuthSettings } from '../auth-settings';
import { AUTH_SETTINGS, REFRESH_TOKEN_BOX } from '../auth.tokens';
import { OidcClient } from '../oidc/oidc-client.service';
import { roleFromClaims } from '../oidc/role-mapping';
import { Principal } from '../principal';
import { SecretBox } from '@autocoder/server-config';
import { CredentialStrategy, STRATEGIES } from './registered-strategy';

/**
 * The console's session cookie (AUTH_MODE=oidc, no Authorization header). Once the access token
 * it was issued with expires, the session is refreshed with the IdP, which may change the role
 * or end the session.
 */
@Injectable()
export class ConsoleSessionStrategy extends CredentialStrategy(STRATEGIES.consoleSession) {
  private readonly logger = new Logger(ConsoleSessionStrategy.name);

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(REFRESH_TOKEN_BOX) private readonly box: SecretBox,
    private readonly oidc: OidcClient,
    private readonly audit: AuditService,
  ) {
    super();
  }

  override async validate(req: Request): Promise<Principal | null> {
    if (this.settings.mode !== 'oidc' || req.headers.authorization !== undefined) return null;
    const user = req.session?.user;
    if (!user) return null;
    if (Date.now() >= user.recheckAt) {
      const refreshToken = user.sealedRefreshToken ? this.box.open(user.sealedRefreshToken) : null;
      if (!refreshToken) return this.endSession(req, 'the session expired; sign in again');
      try {
        const next = await this.oidc.refresh(refreshToken);
        if (Object.keys(next.claims).length > 0) {
          const role = roleFromClaims(next.claims, this.settings.roles);
          if (!role) return this.endSession(req, 'your AutoCoder role was removed');
          user.role = role;
        }
        user.recheckAt = next.expiresAt;
        if (next.idToken) user.idToken = next.idToken;
        if (next.refreshToken) user.sealedRefreshToken = this.box.seal(next.refreshToken);
      } catch (err) {
        this.logger.log({ userId: user.userId, err: String(err) }, 'session refresh refused');
        return this.endSession(req, 'the identity provider ended your session; sign in again');
      }
    }
    return { kind: 'session', userId: user.userId, label: user.label, role: user.role };
  }

  private async endSession(req: Request, reason: string): Promise<never> {
    const user = req.session.user;
    await new Promise<void>((done) => req.session.destroy(() => done()));
    await this.audit.record({
      actorType: 'user',
      actorId: user?.userId,
      actorLabel: user?.label,
      role: user?.role,
      ip: req.ip,
      requestId: requestId(req),
      action: 'auth.session_ended',
      targetType: 'session',
      after: { reason },
    });
    throw new NotSignedIn(`Signed out: ${reason}.`);
  }
}
