import { trace } from '@opentelemetry/api';
import {
  redactedParams,
  startTracing,
  tracingConfigured,
  tracingStarted,
  untracedPath,
} from './tracing';

describe('tracingConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' }, false],
    [{ OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }, true],
    // Settings that only tune an exporter do not switch tracing on by themselves.
    [{ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
  ])('%j → %s', (env, on) => {
    expect(tracingConfigured(env)).toBe(on);
  });
});

describe('startTracing', () => {
  it('starts no SDK when no OTEL variable asks for one', async () => {
    const tracing = startTracing({ service: 'autocoder-test', env: {} });
    expect(tracing.enabled).toBe(false);
    expect(tracingStarted()).toBe(false);
    // No tracer provider registered: spans are the API's non-recording ones.
    const span = trace.getTracer('t').startSpan('x');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0'.repeat(32));
    span.end();
    await tracing.shutdown();
  });
});

describe('untracedPath', () => {
  it.each([
    ['/health', true],
    ['/health/live', true],
    ['/health/ready?x=1', true],
    ['/metrics', true],
    ['/healthy', false],
    ['/api/v1/projects', false],
    [undefined, false],
  ])('%s → %s', (url, skipped) => {
    expect(untracedPath(url)).toBe(skipped);
  });
});

describe('redactedParams', () => {
  it("covers the logs' credential parameters and the instrumentation's signed-URL defaults", () => {
    expect(redactedParams()).toEqual(
      expect.arrayContaining(['access_token', 'ACCESS_TOKEN', 'code', 'key', 'Signature', 'sig']),
    );
  });
});
