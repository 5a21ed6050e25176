import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { DomainMetrics } from './domain-metrics';
import { HttpMetricsMiddleware, httpMetricProviders } from './http-metrics';

/**
 * /metrics with the default process metrics, HTTP request metrics and the domain metrics
 * (domain-metrics.ts). Global, so the libraries where events happen can inject DomainMetrics.
 */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers: [
    ...httpMetricProviders,
    HttpMetricsMiddleware,
    { provide: DomainMetrics, useFactory: () => DomainMetrics.shared() },
  ],
  exports: [PrometheusModule, DomainMetrics, ...httpMetricProviders],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
