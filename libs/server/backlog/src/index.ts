export * from './lib/server-backlog';
