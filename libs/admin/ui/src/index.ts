export * from './lib/error-panel';
export * from './lib/live-indicator';
export * from './lib/loading-indicator';
export * from './lib/progress-bar';
export * from './lib/status-badge';
export * from './lib/theme/theme.service';
export * from './lib/theme/theme-toggle';
export * from './lib/human-input-form/human-input-form';
