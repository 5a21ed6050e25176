import { AuditInterceptor, AuditModule } from '@autocoder/server-audit';
import {
  ApiThrottlerGuard,
  AuthGuard,
  AuthModule,
  Public,
  RATE_LIMIT_STORAGE,
  rateLimitOptions,
} from '@autocoder/server-auth';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { BudgetMetrics } from '@autocoder/server-projects';
import { RunsModule } from '@autocoder/server-runs';
import { McpFeatureModule } from '@autocoder/server-feature-tools';
import { ChatModule } from '@autocoder/server-chat';
import { AppConfig, ConfigModule } from '@autocoder/server-config';
import { DatabaseHealthIndicator, DbModule } from '@autocoder/server-db';
import { LoggingModule, MetricsModule } from '@autocoder/server-observability';
import type { DestinationStream } from 'pino';
import { QueueModule, RedisHealthIndicator } from '@autocoder/server-queue';
import { QueueBoardModule } from '@autocoder/server-queue-board';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { OrchestrationModule } from '@autocoder/server-orchestration';
import { CodeModule } from '@autocoder/server-code';
import { FleetModule } from '@autocoder/server-fleet';
import { RemotesModule } from '@autocoder/server-remotes';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { TerminusModule } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { AgentsController } from './agents/agents.controller';
import { AuditController } from './audit/audit.controller';
import { AuthController } from './auth/auth.controller';
import { ChatsController } from './chats/chats.controller';
import { EventsController } from './events/events.controller';
import { EventStreamSlots } from './events/event-stream-slots';
import { FleetController } from './fleet/fleet.controller';
import { HealthController } from './health/health.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { Operation } from './http/operation.decorator';
import { ApiValidationPipe } from './http/validation';
import { McpController } from './mcp/mcp.controller';
import { FeaturesController } from './projects/features.controller';
import { ProjectsController } from './projects/projects.controller';
import { ProjectRemoteController } from './projects/project-remote.controller';
import { ProvidersController } from './providers/providers.controller';
import { QuestionsController } from './questions/questions.controller';
import { MergeQueueController } from './repository/merge-queue.controller';
import { RepositoryController } from './repository/repository.controller';
import { RunsController } from './runs/runs.controller';
import { SchedulesController } from './schedules/schedules.controller';
import { ApiTokensController } from './tokens/api-tokens.controller';

// /metrics comes from @willsoto/nestjs-prometheus's controller: open to scrapers (Traefik does not
// route it from outside; see docs/security.md).
Public()(PrometheusController);
ApiTags('observability')(PrometheusController);
Operation('Prometheus metrics', { returns: 'text' })(
  PrometheusController.prototype,
  'index',
  Object.getOwnPropertyDescriptor(PrometheusController.prototype, 'index') ?? {},
);

/** Every route of the api but health, metrics and /mcp is under it. */
export const API_PREFIX = 'api/v1';

/** What in-process tests may change besides the configuration. */
export interface ApiAppOptions {
  /** Where the log lines go (default stdout). */
  logDestination?: DestinationStream;
}

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, options: ApiAppOptions = {}): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({
          service: 'api',
          level: config.LOG_LEVEL,
          format: config.LOG_FORMAT,
          destination: options.logDestination,
        }),
        MetricsModule,
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        QueueModule.forRoot({
          role: 'producer',
          redisUrl: config.REDIS_URL,
          prefix: config.QUEUE_PREFIX,
          attempts: config.JOB_ATTEMPTS,
          backoffMs: config.JOB_BACKOFF_MS,
        }),
        LiveEventsModule,
        RunsModule,
        OrchestrationModule,
        CodeModule,
        FleetModule,
        RemotesModule,
        ChatModule,
        AuditModule,
        AuthModule.forRoot(config),
        ThrottlerModule.forRootAsync({
          inject: [RATE_LIMIT_STORAGE],
          useFactory: (storage: ThrottlerStorage) => rateLimitOptions(config, storage),
        }),
        McpFeatureModule,
        QueueBoardModule.forRoot({ globalPrefix: API_PREFIX }),
      ],
      controllers: [
        HealthController,
        AuthController,
        AuditController,
        ProjectsController,
        ProjectRemoteController,
        ProvidersController,
        FeaturesController,
        RunsController,
        EventsController,
        AgentsController,
        RepositoryController,
        MergeQueueController,
        SchedulesController,
        ChatsController,
        ApiTokensController,
        McpController,
        QuestionsController,
        FleetController,
      ],
      providers: [
        // autocoder_project_budget_spent_ratio at scrape time (the queue gauges: QueueModule).
        BudgetMetrics,
        DatabaseHealthIndicator,
        RedisHealthIndicator,
        EventStreamSlots,
        { provide: APP_PIPE, useClass: ApiValidationPipe },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        // Every route: who is calling and may they (AuthGuard), then one audit event per change.
        { provide: APP_GUARD, useExisting: AuthGuard },
        // Then the rate limits, which follow the user or token the AuthGuard found.
        { provide: APP_GUARD, useExisting: ApiThrottlerGuard },
        { provide: APP_INTERCEPTOR, useExisting: AuditInterceptor },
      ],
    };
  }
}
