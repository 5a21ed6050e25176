export * from './lib/access.routes';
