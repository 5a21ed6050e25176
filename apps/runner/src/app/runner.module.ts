import { BacklogWriterModule } from '@autocoder/server-backlog';
import { ChatTurnsModule } from '@autocoder/server-chat';
import { AppConfig, ConfigModule } from '@autocoder/server-config';
import { DatabaseHealthIndicator, DbModule } from '@autocoder/server-db';
import { LoggingModule, MetricsModule } from '@autocoder/server-observability';
import { QueueModule, RedisHealthIndicator } from '@autocoder/server-queue';
import { EngineSessionsModule } from '@autocoder/server-engine';
import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AgentSessionProcessor, configureAgentSessionWorker } from './agent-session.processor';
import { CodingSessionHandler, TestingSessionHandler } from './agent-sessions.handlers';
import { ChatProcessor, configureChatWorker } from './chat.processor';
import { configureControlWorker, ControlProcessor } from './control.processor';
import { createChatProviders, createSessionProviders } from './llm.provider';
import { HealthController } from './health.controller';
import { InitializerHandler } from './initializer.handler';

@Module({})
export class RunnerModule {
  static forRoot(config: AppConfig): DynamicModule {
    configureAgentSessionWorker(config);
    configureChatWorker(config);
    configureControlWorker(config);
    return {
      module: RunnerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ service: 'runner', level: config.LOG_LEVEL }),
        MetricsModule,
        TerminusModule,
        DbModule.forRoot({ databaseUrl: config.DATABASE_URL }),
        QueueModule.forRoot({
          role: 'worker',
          redisUrl: config.REDIS_URL,
          prefix: config.QUEUE_PREFIX,
          attempts: config.JOB_ATTEMPTS,
          backoffMs: config.JOB_BACKOFF_MS,
        }),
        BacklogWriterModule,
        EngineSessionsModule.forRoot(createSessionProviders),
        ChatTurnsModule.forRoot(createChatProviders),
      ],
      controllers: [HealthController],
      providers: [
        InitializerHandler,
        CodingSessionHandler,
        TestingSessionHandler,
        AgentSessionProcessor,
        ControlProcessor,
        ChatProcessor,
        DatabaseHealthIndicator,
        RedisHealthIndicator,
      ],
    };
  }
}
