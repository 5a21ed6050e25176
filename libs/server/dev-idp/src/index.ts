export * from './lib/dev-idp-options';
export * from './lib/dev-idp';
