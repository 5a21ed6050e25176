import { Audit } from '@autocoder/server-audit';
import { Allow, ApiTokensService, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import { ApiTokenView, CreatedApiTokenView } from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateApiTokenDto } from '../http/dto';
import { ParseIdPipe } from '../http/validation';

/**
 * Personal API tokens of the signed-in person (for scripts and /mcp): shown once, stored hashed,
 * never above their owner's role.
 */
@ApiTags('api-tokens')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  /** Creates a token; the answer holds it, and it is never shown again. */
  @Post()
  @Allow('admin')
  @Audit({ action: 'api_token.create', target: 'api_token' })
  @Header('Cache-Control', 'no-store')
  async create(
    @Body() body: CreateApiTokenDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<CreatedApiTokenView> {
    return this.tokens.create(who.userId, body);
  }

  /** The tokens, newest first, without the tokens themselves. */
  @Get()
  @Allow('viewer')
  async list(@CurrentPrincipal() who: Principal): Promise<ApiTokenView[]> {
    return this.tokens.list(who.userId);
  }

  /** Revokes a token at once; it stays listed with revokedAt. */
  @Delete(':tokenId')
  @Allow('admin')
  @Audit({ action: 'api_token.revoke', target: 'api_token', idParam: 'tokenId' })
  @HttpCode(204)
  async revoke(
    @Param('tokenId', ParseIdPipe) tokenId: string,
    @CurrentPrincipal() who: Principal,
  ): Promise<void> {
    await this.tokens.revoke(who.userId, tokenId);
  }
}
