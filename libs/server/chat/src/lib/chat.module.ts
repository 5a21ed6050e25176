import { RunsModule } from '@autocoder/server-runs';
import { Module } from '@nestjs/common';
import { ChatStops } from './chat-stops';
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
