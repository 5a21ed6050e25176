// Error reports (Sentry) of the api and the runner: off unless SENTRY_DSN is set. Errors only:
// tracing is OpenTelemetry's (instrument.ts), so Sentry sets up no OpenTelemetry of its own and
// samples no transactions. Every event is scrubbed (scrubErrorEvent) before it leaves.
import { loadConfigFor } from '@autocoder/server-config';
import { scrubErrorEvent } from '@autocoder/shared-contracts';
import * as Sentry from '@sentry/nestjs';

export interface ErrorReportingOptions {
  /** api or runner: the `service` tag. */
  service: 'api' | 'runner';
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What one reported error is about (tags; nothing personal). */
export interface ErrorReportContext {
  requestId?: string;
  /** admin or viewer, when a signed-in caller met the error. */
  role?: string;
  /** The route's pattern (never the URL: no ids or query). */
  route?: string;
  method?: string;
  /** Runner: the queue and job name of a failed job. */
  queue?: string;
  job?: string;
  jobId?: string;
  /** The request that met the error; scrubbed (no credentials, cookies or body) before sending. */
  request?: {
    method?: string;
    url?: string;
    headers?: Record<string, string | string[] | undefined>;
  };
}

/**
 * Starts the Sentry SDK when SENTRY_DSN is set (true), else does nothing (false). Call it first,
 * from the app's instrument.ts, before Nest and the libraries it reports from are loaded.
 */
export function startErrorReporting(options: ErrorReportingOptions): boolean {
  const config = loadConfigFor(
    ['SENTRY_DSN', 'SENTRY_ENVIRONMENT', 'SENTRY_RELEASE', 'NODE_ENV'],
    options.env ?? process.env,
  );
  if (!config.SENTRY_DSN) return false;
  Sentry.init({
    dsn: config.SENTRY_DSN,
    release: config.SENTRY_RELEASE,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    serverName: options.service,
    initialScope: { tags: { service: options.service } },
    // OpenTelemetry belongs to the tracing setup (instrument.ts); Sentry reports errors only.
    skipOpenTelemetrySetup: true,
    tracesSampleRate: undefined,
    sendDefaultPii: false,
    // No request bodies (passwords, specs, prompts) on any event; no Nest spans (the api's
    // exception filter reports, see reportError).
    integrations: (defaults) => [
      ...defaults.filter((i) => i.name !== 'Http' && i.name !== 'Nest'),
      Sentry.httpIntegration({ spans: false, maxIncomingRequestBodySize: 'none' }),
    ],
    includeLocalVariables: false,
    beforeSend: (event) => scrubErrorEvent(event),
  });
  return true;
}

/** Reports an unexpected error, when error reporting is on (else a no-op). */
export function reportError(error: unknown, context: ErrorReportContext = {}): void {
  if (!Sentry.isInitialized()) return;
  const tags: Record<string, string> = {};
  if (context.requestId) tags['request_id'] = context.requestId;
  if (context.role) tags['role'] = context.role;
  if (context.route) tags['route'] = context.route;
  if (context.method) tags['method'] = context.method;
  if (context.queue) tags['queue'] = context.queue;
  if (context.job) tags['job'] = context.job;
  if (context.jobId) tags['job_id'] = context.jobId;
  const request = context.request;
  Sentry.withScope((scope) => {
    scope.setTags(tags);
    if (request) {
      const headers = Object.fromEntries(
        Object.entries(request.headers ?? {})
          .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
          .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
      );
      scope.addEventProcessor((event) => ({
        ...event,
        request: { ...event.request, method: request.method, url: request.url, headers },
      }));
    }
    Sentry.captureException(error);
  });
}

/** Sends what is queued (at shutdown and in tests); true when everything went out in time. */
export function flushErrorReports(timeoutMs = 2000): Promise<boolean> {
  return Sentry.isInitialized() ? Sentry.flush(timeoutMs) : Promise.resolve(true);
}

/** Sends what is queued and switches reporting off (tests that start it in a shared worker). */
export async function stopErrorReporting(timeoutMs = 2000): Promise<void> {
  if (Sentry.isInitialized()) await Sentry.close(timeoutMs);
}
