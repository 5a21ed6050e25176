import { DynamicModule, Global, Module } from '@nestjs/common';
import { BoardChangeLog } from './board-change-log';
import { ConversationRepository } from './conversation.repository';
import { DB_MODULE_OPTIONS, DbModuleOptions } from './db.constants';
import { FeatureBoardRepository } from './feature-board.repository';
import { FeatureClaimsRepository } from './feature-claims.repository';
import { PrismaService } from './prisma.service';

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
        ConversationRepository,
      ],
      exports: [
        PrismaService,
        FeatureClaimsRepository,
        FeatureBoardRepository,
        BoardChangeLog,
        ConversationRepository,
      ],
    };
  }
}
