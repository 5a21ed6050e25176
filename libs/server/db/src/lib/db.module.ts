import { DynamicModule, Global, Module } from '@nestjs/common';
import { BoardChangeLog } from './board-change-log';
import { ConversationRepository } from './conversation.repository';
import { DB_MODULE_OPTIONS, DbModuleOptions } from './db.constants';
import { FeatureBoardRepository } from './feature-board.repository';
import { FeatureClaimsRepository } from './feature-claims.repository';
import { FeaturesRepository } from './feature.repository';
import { PrismaService } from './prisma.service';
// Schedules, auth and audit repositories.
import { ApiTokenRepository } from './api-token.repository';
import { AuditEventRepository } from './audit-event.repository';
import { ScheduleRepository } from './schedule.repository';
import { UserRepository } from './user.repository';
import { ProjectsRepository } from './project.repository';
import { RunsRepository } from './run.repository';
import { Transactions } from './transactions';
import { UsageRepository } from './usage.repository';

/** The aggregates' repositories (project, feature, run, usage) and their transactions. */
const AGGREGATES = [
  Transactions,
  ProjectsRepository,
  FeaturesRepository,
  RunsRepository,
  UsageRepository,
];

/** Provides PrismaService to the whole application; import once, in the root module. */
@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      providers: [
        { provide: DB_MODULE_OPTIONS, useValue: options },
        PrismaService,
        FeatureClaimsRepository,
        FeatureBoardRepository,
        BoardChangeLog,
        // Schedules, auth and audit repositories.
        ScheduleRepository,
        ApiTokenRepository,
        UserRepository,
        AuditEventRepository,
        ConversationRepository,
        ...AGGREGATES,
      ],
      exports: [
        PrismaService,
        FeatureClaimsRepository,
        FeatureBoardRepository,
        BoardChangeLog,
        // Schedules, auth and audit repositories.
        ScheduleRepository,
        ApiTokenRepository,
        UserRepository,
        AuditEventRepository,
        ConversationRepository,
        ...AGGREGATES,
      ],
    };
  }
}
