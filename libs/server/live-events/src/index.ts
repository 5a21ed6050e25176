export * from './lib/live-events';
export * from './lib/session-signals';
export * from './lib/live-events.module';
