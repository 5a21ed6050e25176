import { FeatureToolsModule } from '@autocoder/server-feature-tools';
import { ChatTurnsModule } from '@autocoder/server-chat-turns';
import { AppConfig, ConfigModule } from '@autocoder/server-config';
import { DatabaseHealthIndicator, DbModule } from '@autocoder/server-db';
import { LoggingModule, MetricsModule } from '@autocoder/server-observability';
import {
  JOB_WORKERS_OPTIONS,
  JobWorkers,
  QueueModule,
  RedisHealthIndicator,
  WORKER_READINESS,
} from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { SessionsModule } from '@autocoder/server-sessions';
import { MergeQueueTicker } from '@autocoder/server-merge-queue';
import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AgentSessionProcessor } from './agent-session.processor';
import { SessionHandlers } from './agent-sessions.handlers';
import { ChatProcessor } from './chat.processor';
import { ControlProcessor } from './control.processor';
import { createChatProviders, createSessionProviders } from './llm.provider';
import { HealthController } from './health.controller';
import { RunnerReadiness, runnerWorkersOptions } from './runner-workers';

@Module({})
export class RunnerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: RunnerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({
          service: 'runner',
          level: config.LOG_LEVEL,
          format: config.LOG_FORMAT,
        }),
        MetricsModule,
        TerminusModule,
        DiscoveryModule,
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        QueueModule.forRoot({
          role: 'worker',
          redisUrl: config.REDIS_URL,
          prefix: config.QUEUE_PREFIX,
          attempts: config.JOB_ATTEMPTS,
          backoffMs: config.JOB_BACKOFF_MS,
        }),
        LiveEventsModule,
        FeatureToolsModule,
        SessionsModule.forRoot(createSessionProviders),
        ChatTurnsModule.forRoot(createChatProviders),
      ],
      controllers: [HealthController],
      providers: [
        SessionHandlers,
        MergeQueueTicker,
        AgentSessionProcessor,
        ControlProcessor,
        ChatProcessor,
        DatabaseHealthIndicator,
        RedisHealthIndicator,
        { provide: JOB_WORKERS_OPTIONS, useValue: runnerWorkersOptions(config) },
        RunnerReadiness,
        { provide: WORKER_READINESS, useExisting: RunnerReadiness },
        JobWorkers,
      ],
    };
  }
}
