// Imported first by main.ts: error reporting starts before the app is built (off without SENTRY_DSN).
import { startErrorReporting } from '@autocoder/server-observability';

startErrorReporting({ service: 'runner' });
