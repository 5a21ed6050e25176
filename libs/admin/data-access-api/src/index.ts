export * from './lib/api-base-url';
export * from './lib/api-error';
export * from './lib/autocoder-api.service';
export * from './lib/poll';
export * from './lib/live-events.service';
export * from './lib/auth-session.service';
export * from './lib/provider-catalog.service';
