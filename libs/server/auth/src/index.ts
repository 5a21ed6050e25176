export * from './lib/api-tokens.service';
export * from './lib/api-token.guard';
export * from './lib/auth.module';
