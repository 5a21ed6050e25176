export * from './lib/redaction';
export * from './lib/request-id';
export * from './lib/logging.module';
export * from './lib/http-metrics';
export * from './lib/metrics.module';
export * from './lib/graceful-shutdown';
export * from './lib/error-reporting';
