export * from './lib/server-db';
