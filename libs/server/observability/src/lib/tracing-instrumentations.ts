import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

type Instrumentations = NonNullable<NodeSDKConfiguration['instrumentations']>;

export interface InstrumentationSettings {
  /** Incoming requests not traced (probes, scrapes), by their URL. */
  untraced(url: string | undefined): boolean;
  /** Query parameters whose values HTTP spans replace with REDACTED. */
  redactedParams: string[];
  /** The same redaction for a whole URL (outgoing fetch calls). */
  redactUrl(url: string): string;
}

/**
 * The maintained instrumentations the platform uses, required only when tracing is on. No headers
 * are recorded (none is configured); query values that could be credentials are redacted; Redis
 * spans show the command name only (BullMQ's scripts carry job data as arguments); pg and ioredis
 * spans are made only inside a trace, so the workers' polling does not start traces of its own.
 */
export function tracingInstrumentations(s: InstrumentationSettings): Instrumentations {
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation, ExpressLayerType } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { NestInstrumentation } =
    require('@opentelemetry/instrumentation-nestjs-core') as typeof import('@opentelemetry/instrumentation-nestjs-core');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { UndiciInstrumentation } =
    require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => s.untraced(req.url),
      redactedQueryParams: s.redactedParams,
      redactedQueryParamsServer: s.redactedParams,
    }),
    // Route handlers only: a span per middleware (cors, json, helmet…) says nothing.
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new NestInstrumentation(),
    new IORedisInstrumentation({
      requireParentSpan: true,
      dbStatementSerializer: (command) => command,
    }),
    new PgInstrumentation({ requireParentSpan: true }),
    new UndiciInstrumentation({
      startSpanHook: (request) => {
        const url = new URL(request.path, request.origin);
        return { 'url.full': s.redactUrl(url.toString()), 'url.query': s.redactUrl(url.search) };
      },
    }),
  ];
}
