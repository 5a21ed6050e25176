export * from './lib/domain';
export * from './lib/queue';
export * from './lib/events';
export * from './lib/api-error';
export * from './lib/schemas';
export * from './lib/views';
