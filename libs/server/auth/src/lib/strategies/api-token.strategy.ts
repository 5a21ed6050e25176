import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiTokensService, API_TOKEN_PREFIX } from '../api-tokens.service';
import { NotSignedIn } from '../auth-errors';
import { Principal } from '../principal';
import { bearerToken, CredentialStrategy, STRATEGIES } from './registered-strategy';
import { RefusedCredentials } from './refused-credentials.service';

/**
 * `Authorization: Bearer acp_…`, a personal API token, in every AUTH_MODE: it keeps its role and
 * project scope even in AUTH_MODE=none (an MCP client's viewer token stays read-only).
 */
@Injectable()
export class ApiTokenStrategy extends CredentialStrategy(STRATEGIES.apiToken) {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly refused: RefusedCredentials,
  ) {
    super();
  }

  override async validate(req: Request): Promise<Principal | null> {
    const token = bearerToken(req);
    if (!token?.startsWith(API_TOKEN_PREFIX)) return null;
    const found = await this.tokens.authenticate(token);
    if (!found) {
      await this.refused.record(
        req,
        'api_token',
        'the API token is unknown, revoked or expired, or its owner has not signed in lately',
      );
      throw new NotSignedIn(
        'The API token is unknown, revoked or expired, or its owner has not signed in lately (sign in to the console to revive it).',
        'Bearer realm="autocoder", error="invalid_token"',
      );
    }
    return {
      kind: 'api-token',
      userId: found.userId,
      label: `token ${found.tokenId}`,
      role: found.role,
      tokenId: found.tokenId,
      projectId: found.projectId,
    };
  }
}
