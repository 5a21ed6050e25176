export * from './lib/server-agent';
