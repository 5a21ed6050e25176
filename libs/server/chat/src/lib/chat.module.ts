import { RunsModule } from '@autocoder/server-runs';
import { FeatureToolsModule } from '@autocoder/server-feature-tools';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { DynamicModule, Module } from '@nestjs/common';
import { CHAT_MODEL_PROVIDERS, ChatProviders } from './chat-providers';
import { ChatStops } from './chat-stops';
import { ChatTurnRunner } from './chat-turn.runner';
import { ConversationExportService } from './conversation-export.service';
import { ConversationSearchService } from './conversation-search.service';
import { ConversationsService } from './conversations.service';

/**
 * Conversations for the api: create, read, post (enqueues turns), search and export. Needs
 * DbModule and QueueModule.
 */
@Module({
  imports: [RunsModule],
  providers: [
    ConversationsService,
    ConversationSearchService,
    ConversationExportService,
    ChatStops,
  ],
  exports: [ConversationsService, ConversationSearchService, ConversationExportService],
})
export class ChatModule {}

/** Chat turns for the runner, with the model providers of its configuration. */
@Module({})
export class ChatTurnsModule {
  static forRoot(createProviders: (config: AppConfig) => ChatProviders): DynamicModule {
    return {
      module: ChatTurnsModule,
      imports: [FeatureToolsModule],
      providers: [
        { provide: CHAT_MODEL_PROVIDERS, inject: [APP_CONFIG], useFactory: createProviders },
        ChatStops,
        ChatTurnRunner,
      ],
      exports: [ChatTurnRunner, CHAT_MODEL_PROVIDERS],
    };
  }
}
