import { Module } from '@nestjs/common';
import { ApiTokenGuard } from './api-token.guard';
import { ApiTokensService } from './api-tokens.service';

/** API tokens and the guard that checks them. Needs DbModule in the app. */
@Module({
  providers: [ApiTokensService, ApiTokenGuard],
  exports: [ApiTokensService, ApiTokenGuard],
})
export class AuthModule {}
