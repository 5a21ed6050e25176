import { Audit } from '@autocoder/server-audit';
import { Allow, ApiTokensService, CurrentPrincipal, Principal } from '@autocoder/server-auth';
import {
  ApiTokenView,
  ApiTokenViewSchema,
  CreatedApiTokenView,
  CreatedApiTokenViewSchema,
} from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Header, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateApiTokenDto } from '../http/dto';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';
import { z } from 'zod';

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
  @Operation('Create an API token', { returns: CreatedApiTokenViewSchema })
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
  @Operation('List API tokens', { returns: z.array(ApiTokenViewSchema) })
  @Allow('viewer')
  async list(@CurrentPrincipal() who: Principal): Promise<ApiTokenView[]> {
    return this.tokens.list(who.userId);
  }

  /** Revokes a token at once; it stays listed with revokedAt. */
  @Delete(':tokenId')
  @Operation('Revoke an API token', { status: 204 })
  @Allow('admin')
  @Audit({ action: 'api_token.revoke', target: 'api_token', idParam: 'tokenId' })
  async revoke(
    @Param('tokenId', ParseIdPipe) tokenId: string,
    @CurrentPrincipal() who: Principal,
  ): Promise<void> {
    await this.tokens.revoke(who.userId, tokenId);
  }
}
