// BullMQ's telemetry wrapper against a real SDK recording into memory.
import { context, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from 'bullmq';
import { queueTelemetry, queueTelemetryOption } from './queue-telemetry';

describe('queueTelemetry', () => {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  beforeAll(() => sdk.start());
  afterAll(() => sdk.shutdown());
  beforeEach(() => exporter.reset());

  it('is not attached when this process does not trace (startTracing did not start the SDK)', () => {
    expect(queueTelemetryOption()).toEqual({});
  });

  it("drops BullMQ's own housekeeping spans outside a trace, keeps them inside one", () => {
    const { tracer } = queueTelemetry();
    const poll = tracer.startSpan('getNextJob q', { kind: SpanKind.INTERNAL });
    // Dropped: it does not become the active span of what runs inside it.
    const ctx = poll.setSpanOnContext(context.active());
    expect(trace.getSpan(ctx)).toBeUndefined();
    poll.end();
    expect(exporter.getFinishedSpans()).toEqual([]);

    trace.getTracer('t').startActiveSpan('request', (parent) => {
      tracer.startSpan('getNextJob q', { kind: SpanKind.INTERNAL }).end();
      parent.end();
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['getNextJob q', 'request']);
  });

  it('carries the trace context from producer to consumer through the metadata', () => {
    const { tracer, contextManager } = queueTelemetry();
    let metadata = '';
    trace.getTracer('t').startActiveSpan('request', (req) => {
      const add = tracer.startSpan('add q.job', { kind: SpanKind.PRODUCER });
      metadata = contextManager.getMetadata(add.setSpanOnContext(contextManager.active()));
      add.end();
      req.end();
    });
    expect(JSON.parse(metadata)).toHaveProperty('traceparent');
    const parent = contextManager.fromMetadata(context.active(), metadata);
    tracer.startSpan('process q', { kind: SpanKind.CONSUMER }, parent).end();
    const spans = exporter.getFinishedSpans();
    const add = spans.find((s) => s.name === 'add q.job');
    const processed = spans.find((s) => s.name === 'process q');
    expect(processed?.spanContext().traceId).toBe(add?.spanContext().traceId);
    expect(processed?.parentSpanContext?.spanId).toBe(add?.spanContext().spanId);
  });
});
