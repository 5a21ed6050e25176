export * from './lib/server-observability';
