import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { API_TOKEN_PREFIX } from '../api-tokens.service';
import { NotSignedIn } from '../auth-errors';
import { AuthSettings } from '../auth-settings';
import { AUTH_SETTINGS } from '../auth.tokens';
import { InvalidAccessToken, OidcClient } from '../oidc/oidc-client.service';
import { roleFromClaims } from '../oidc/role-mapping';
import { Principal } from '../principal';
import { userLabel, UsersService } from '../users.service';
import { bearerToken, CredentialStrategy, STRATEGIES } from './registered-strategy';
import { RefusedCredentials } from './refused-credentials.service';

/**
 * `Authorization: Bearer <JWT>`, an access token of the IdP (AUTH_MODE=oidc), checked against its
 * JWKS; the role comes from its claims. Any other Authorization header is refused here.
 */
@Injectable()
export class BearerJwtStrategy extends CredentialStrategy(STRATEGIES.bearerJwt) {
  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly oidc: OidcClient,
    private readonly users: UsersService,
    private readonly refused: RefusedCredentials,
  ) {
    super();
  }

  override async validate(req: Request): Promise<Principal | null> {
    if (this.settings.mode !== 'oidc' || req.headers.authorization === undefined) return null;
    const token = bearerToken(req);
    if (!token) {
      throw new NotSignedIn(
        'The Authorization header must be "Bearer <token>".',
        'Bearer realm="autocoder", error="invalid_request"',
      );
    }
    if (token.startsWith(API_TOKEN_PREFIX)) return null; // the ApiTokenStrategy's
    let claims: Record<string, unknown>;
    try {
      claims = { ...(await this.oidc.verifyAccessToken(token)) };
    } catch (err) {
      if (!(err instanceof InvalidAccessToken)) throw err;
      await this.refused.record(req, 'bearer', err.message);
      throw new NotSignedIn(
        `The bearer token was refused: ${err.message}.`,
        'Bearer realm="autocoder", error="invalid_token"',
      );
    }
    const role = roleFromClaims(claims, this.settings.roles);
    if (!role) {
      await this.refused.record(req, 'bearer', 'no role for this person');
      throw new ForbiddenException({
        message: `Signed in, but ${String(claims['sub'])} has no AutoCoder role (claim ${this.settings.roles.claim}).`,
      });
    }
    const user = await this.users.fromClaims(String(claims['iss']), claims, role);
    return { kind: 'bearer', userId: user.id, label: userLabel(user), role };
  }
}
