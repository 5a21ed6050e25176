import { ApiTokensService } from '@autocoder/server-auth';
import { ApiTokenView, CreatedApiTokenView } from '@autocoder/shared-contracts';
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateApiTokenDto } from '../http/dto';
import { ParseIdPipe } from '../http/validation';

/**
 * Personal API tokens (for /mcp). Until OIDC sign-in exists they belong to the local admin user,
 * and these routes are as open as the rest of the REST API.
 */
@ApiTags('api-tokens')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  /** Creates a token; the answer holds it, and it is never shown again. */
  @Post()
  @Header('Cache-Control', 'no-store')
  async create(@Body() body: CreateApiTokenDto): Promise<CreatedApiTokenView> {
    const user = await this.tokens.localUser();
    return this.tokens.create(user.id, body);
  }

  /** The tokens, newest first, without the tokens themselves. */
  @Get()
  async list(): Promise<ApiTokenView[]> {
    const user = await this.tokens.localUser();
    return this.tokens.list(user.id);
  }

  /** Revokes a token at once; it stays listed with revokedAt. */
  @Delete(':tokenId')
  @HttpCode(204)
  async revoke(@Param('tokenId', ParseIdPipe) tokenId: string): Promise<void> {
    const user = await this.tokens.localUser();
    await this.tokens.revoke(user.id, tokenId);
  }
}
