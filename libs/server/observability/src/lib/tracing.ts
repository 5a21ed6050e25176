// OpenTelemetry tracing of api and runner: started by each app's src/instrument.ts, before
// anything loads http, express, pg or ioredis (the instrumentations patch those modules as they
// are required; node_modules stay external to the webpack bundles, so they are required at run
// time). Off unless the standard OTEL_* variables ask for it; the SDK reads them itself.
import { tracingInstrumentations } from './tracing-instrumentations';
import { beforeProcessExit } from './graceful-shutdown';
import { redactQuery, REDACTED_QUERY_PARAMS } from './redaction';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** Whether an OTEL_* variable has a value (empty counts as unset, as the spec says). */
function set(env: Env, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

/**
 * Tracing is on when an exporter is asked for (OTEL_TRACES_EXPORTER other than `none`) or an
 * OTLP endpoint is given (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
 * and OTEL_SDK_DISABLED is not `true`. Nothing set: off, and no SDK is loaded at all.
 */
export function tracingConfigured(env: Env = process.env): boolean {
  if ((env['OTEL_SDK_DISABLED'] ?? '').trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 ||
    set(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ||
    set(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
  );
}

export interface TracingOptions {
  /** Default service.name; OTEL_SERVICE_NAME wins. */
  service: string;
  /** Directory of the running bundle: service.version comes from the package.json beside it. */
  dir?: string;
  env?: Env;
}

export interface Tracing {
  enabled: boolean;
  /** Flushes what is buffered and stops the SDK (a no-op when off). */
  shutdown(): Promise<void>;
}

let started = false;

/** Whether startTracing started the SDK in this process (e.g. to attach BullMQ's telemetry). */
export function tracingStarted(): boolean {
  return started;
}

/** Request paths never traced: probes and scrapes, every few seconds, of no interest. */
export const UNTRACED_PATHS: readonly string[] = ['/health', '/metrics'];

export function untracedPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0];
  return UNTRACED_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/** Signed-URL parameters the http instrumentation redacts by default; the option replaces them. */
const SIGNED_URL_PARAMS = ['sig', 'Signature', 'AWSAccessKeyId', 'X-Goog-Signature'];

/** The query parameters whose values spans never carry (those of the logs, in both cases). */
export function redactedParams(): string[] {
  return [...[...REDACTED_QUERY_PARAMS].flatMap((p) => [p, p.toUpperCase()]), ...SIGNED_URL_PARAMS];
}

function versionIn(dir: string | undefined): string | undefined {
  if (!dir) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the OpenTelemetry Node SDK for traces when tracingConfigured (else does nothing): HTTP
 * (server and client), Express, Nest, ioredis, pg and undici (fetch, which the model SDKs use)
 * are instrumented; the exporter, protocol, endpoint, headers, sampler and batching come from the
 * OTEL_* variables. Metrics and logs stay with Prometheus and pino: the SDK exports neither.
 */
export function startTracing(options: TracingOptions): Tracing {
  const env = options.env ?? process.env;
  if (!tracingConfigured(env)) return { enabled: false, shutdown: async () => undefined };
  // Loaded only when on: with tracing off the SDK costs nothing, not even its require time.
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_VERSION } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const version = versionIn(options.dir);
  const sdk = new NodeSDK({
    serviceName: set(env, 'OTEL_SERVICE_NAME') ? env['OTEL_SERVICE_NAME'] : options.service,
    resource: resourceFromAttributes(version ? { [ATTR_SERVICE_VERSION]: version } : {}),
    instrumentations: tracingInstrumentations({
      untraced: untracedPath,
      redactedParams: redactedParams(),
      redactUrl: redactQuery,
    }),
    // Traces only: no OTLP metrics or logs unless someone wires them on purpose.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  started = true;
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= sdk.shutdown().catch(() => undefined));
  // The spans of the last moments (the drain, the close) leave before a clean exit.
  beforeProcessExit(shutdown);
  return { enabled: true, shutdown };
}
