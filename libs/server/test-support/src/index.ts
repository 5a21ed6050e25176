export * from './lib/free-port';
export * from './lib/wait-for';
export * from './lib/service-process';
export * from './lib/oidc-login';
export * from './lib/http-browser';
export * from './lib/git-http-server';
export * from './lib/sentry-receiver';
