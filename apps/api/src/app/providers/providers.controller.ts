import { Audit } from '@autocoder/server-audit';
import { Allow } from '@autocoder/server-auth';
import { ProviderListService } from '@autocoder/server-orchestration';
import { ProviderListView, ProviderListViewSchema } from '@autocoder/shared-contracts';
import { Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Operation } from '../http/operation.decorator';

/**
 * The providers and models this deployment can call (configured keys, the Ollama host's pulled
 * models, the offline demo), with availability, price and the roles each suits.
 */
@ApiTags('providers')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly providers: ProviderListService) {}

  /** Cached in Redis for PROVIDERS_CACHE_TTL_SECONDS (`checkedAt` says when it was built). */
  @Get()
  @Operation('List the model providers and models', { returns: ProviderListViewSchema })
  @Allow('viewer')
  list(): Promise<ProviderListView> {
    return this.providers.list();
  }

  /**
   * Drops the cached list and builds it anew (after pulling an Ollama model, say). The list is
   * decided by environment variables, which nothing edits at runtime, so this is its invalidation.
   */
  @Post('refresh')
  @Operation('Rebuild the list of providers and models', {
    returns: ProviderListViewSchema,
    status: 200,
  })
  @Allow('admin')
  @Audit({ action: 'providers.refresh', target: 'providers' })
  refresh(): Promise<ProviderListView> {
    return this.providers.refresh();
  }
}
