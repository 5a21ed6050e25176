export * from './lib/providers/model-catalogue';
export * from './lib/providers/provider-errors';
export * from './lib/providers/anthropic-client';
export * from './lib/initializer/initializer.prompt';
export * from './lib/initializer/initializer-session';
