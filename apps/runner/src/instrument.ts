// Imported first by main.ts: process-wide instrumentation that must exist before the modules it
// watches (http, express, pg, ioredis) are loaded. Keep it to start-up calls. Tracing is off
// without OTEL_* settings, error reporting off without SENTRY_DSN.
import { startErrorReporting, startTracing } from '@autocoder/server-observability';

startTracing({ service: 'autocoder-runner', dir: __dirname });
startErrorReporting({ service: 'runner' });
