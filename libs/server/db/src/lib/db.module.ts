import { DynamicModule, Global, Module } from '@nestjs/common';
import { BoardChangeLog } from './board-change-log';
import { ConversationRepository } from './conversation.repository';
import { FeatureBoardRepository } from './feature-board.repository';
import { FeatureClaimsRepository } from './feature-claims.repository';
import { FeaturesRepository } from './feature.repository';
import { MergeRequestsRepository } from './merge-requests.repository';
import { DB_MODULE_OPTIONS, DbModuleOptions, PrismaService } from './prisma.service';
// Schedules, auth and audit repositories.
import { ApiTokenRepository } from './api-token.repository';
import { AuditEventRepository } from './audit-event.repository';
import { ScheduleRepository } from './schedule.repository';
import { UserRepository } from './user.repository';
import { ProjectsRepository } from './project.repository';
import { RunsRepository } from './run.repository';
import { Transactions } from './transactions';
import { UsageRepository } from './usage.repository';

/** Prisma, one repository per aggregate, and the transactions that span them. */
const PROVIDED = [
  PrismaService,
  Transactions,
  ProjectsRepository,
  FeaturesRepository,
  FeatureClaimsRepository,
  FeatureBoardRepository,
  BoardChangeLog,
  RunsRepository,
  MergeRequestsRepository,
  UsageRepository,
  ConversationRepository,
  ScheduleRepository,
  ApiTokenRepository,
  UserRepository,
  AuditEventRepository,
];

/** Provides PrismaService and the repositories to the whole application; import once, in the root module. */
@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      providers: [{ provide: DB_MODULE_OPTIONS, useValue: options }, ...PROVIDED],
      exports: PROVIDED,
    };
  }
}
