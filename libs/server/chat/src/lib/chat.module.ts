import { RunsModule } from '@autocoder/server-runs';
import { Module } from '@nestjs/common';
import { ChatStops } from './chat-stops';
import { ConversationExportService } from './conversation-export.service';
import { ConversationsService } from './conversations.service';

/**
 * Conversations for the api: create, read, post (enqueues turns), search and export. Needs
 * DbModule and QueueModule.
 */
@Module({
  imports: [RunsModule],
  providers: [ConversationsService, ConversationExportService, ChatStops],
  exports: [ConversationsService, ConversationExportService],
})
export class ChatModule {}
