export * from './lib/api-tokens.service';
export * from './lib/auth.module';
export * from './lib/auth.tokens';
export * from './lib/auth-settings';
export * from './lib/auth.guard';
export * from './lib/auth-errors';
export * from './lib/access.decorators';
export * from './lib/principal';
// SecretBox moved to server-config (the runner opens remote credentials with it too).
export { SecretBox } from '@autocoder/server-config';
export * from './lib/users.service';
export * from './lib/oidc/oidc-client.service';
export * from './lib/oidc/role-mapping';
export * from './lib/session/console-session';
export * from './lib/rate-limit/api-throttler.guard';
export * from './lib/rate-limit/rate-limits';
export * from './lib/rate-limit/auth-failure-limit';
export * from './lib/query-credentials';
