import { tracingStarted } from '@autocoder/server-observability';
import { context, Context, trace } from '@opentelemetry/api';
import type { Span, SpanOptions, Telemetry, Tracer } from 'bullmq';
import { SpanKind } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';

/** A span BullMQ may use that records nothing and leaves the context as it was. */
const DROPPED: Span<Context> = {
  setSpanOnContext: (ctx) => ctx,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

/**
 * BullMQ's OpenTelemetry telemetry (bullmq-otel): `add <queue>.<job>` producer spans carry the
 * trace context in the job, and the worker's `process <queue>` consumer span continues it, so one
 * trace runs from the request that enqueued a job into the runner that handles it. BullMQ also
 * traces its own housekeeping (a `getNextJob` per poll, stalled-job checks) as internal spans;
 * outside a trace those would start a trace each every few seconds, so they are dropped.
 */
export function queueTelemetry(): Telemetry<Context> {
  const otel = new BullMQOtel('autocoder-bullmq');
  const tracer: Tracer<Context> = {
    startSpan(name: string, options?: SpanOptions, ctx?: Context): Span<Context> {
      const parent = trace.getSpan(ctx ?? context.active());
      if (options?.kind === SpanKind.INTERNAL && !parent) return DROPPED;
      return otel.tracer.startSpan(name, options, ctx);
    },
  };
  return { tracer, contextManager: otel.contextManager };
}

/** BullMQ's `telemetry` option: set only when this process traces (startTracing started the SDK). */
export function queueTelemetryOption(): { telemetry?: Telemetry<Context> } {
  return tracingStarted() ? { telemetry: queueTelemetry() } : {};
}
