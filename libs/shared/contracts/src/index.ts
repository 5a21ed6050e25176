export * from './lib/domain';
export * from './lib/domain-error';
export * from './lib/queue';
export * from './lib/events';
export * from './lib/schemas';
export * from './lib/views';
export * from './lib/view-schemas';
export * from './lib/error-report-scrub';
