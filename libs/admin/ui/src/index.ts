export * from './lib/error-panel';
export * from './lib/loading-indicator';
export * from './lib/progress-bar';
export * from './lib/status-badge';
export * from './lib/human-input-form/human-input-form';
