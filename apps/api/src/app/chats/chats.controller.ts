import { Allow } from '@autocoder/server-auth';
import { Audit } from '@autocoder/server-audit';
import { ConversationExportService, ConversationsService } from '@autocoder/server-chat';
import {
  ChatStopView,
  ChatStopViewSchema,
  ConversationDetailView,
  ConversationDetailViewSchema,
  ConversationPageSchema,
  ConversationSearchView,
  ConversationSearchViewSchema,
  ConversationView,
  ConversationViewSchema,
  MessageView,
  MessageViewSchema,
  Page,
} from '@autocoder/shared-contracts';
import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ConversationExportQueryDto,
  ConversationMessagesQueryDto,
  SearchConversationsQueryDto,
  CreateConversationDto,
  ListConversationsQueryDto,
  PostMessageDto,
} from '../http/dto';
import { RequestId } from '../http/request-id.decorator';
import { ParseIdPipe } from '../http/validation';
import { Operation } from '../http/operation.decorator';

/**
 * Chats with a project. A runner writes the replies: follow them on
 * GET /projects/:id/events?conversationId=… (chat.delta as they stream, chat.message once stored).
 */
@ApiTags('chats')
@Controller('projects/:projectId/conversations')
export class ChatsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly exporter: ConversationExportService,
  ) {}

  @Post()
  @Operation('Start a conversation', { returns: ConversationViewSchema })
  @Allow('admin')
  @Audit({ action: 'conversation.create', target: 'conversation' })
  create(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Body() body: CreateConversationDto,
  ): Promise<ConversationView> {
    return this.conversations.create(projectId, body);
  }

  /** Most recently active first. */
  @Get()
  @Operation("List a project's conversations", { returns: ConversationPageSchema })
  @Allow('viewer')
  list(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: ListConversationsQueryDto,
  ): Promise<Page<ConversationView>> {
    return this.conversations.list(projectId, query);
  }

  /**
   * Full-text search over the project's messages, best match first, with highlighted snippets.
   * Declared before `:conversationId` so "search" is not taken for an id.
   */
  @Get('search')
  @Operation("Search a project's messages", { returns: ConversationSearchViewSchema })
  @Allow('viewer')
  search(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Query() query: SearchConversationsQueryDto,
  ): Promise<ConversationSearchView> {
    return this.conversations.search(projectId, query);
  }

  /** One conversation as a Markdown or JSON download, streamed however long it is. */
  @Get(':conversationId/export')
  @Operation('Download a conversation as Markdown or JSON', {
    returns: 'text',
    produces: ['text/markdown', 'application/json'],
  })
  @Allow('viewer')
  async export(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('conversationId', ParseIdPipe) conversationId: string,
    @Query() query: ConversationExportQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.exporter.export(projectId, conversationId, query);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
    // A failure half-way can only cut the download short: the status line is already sent.
    await pipeline(Readable.from(file.chunks), res).catch(() => res.destroy());
  }

  /** The conversation with its newest messages (`offset` pages back in time), oldest first. */
  @Get(':conversationId')
  @Operation('Get a conversation with its newest messages', {
    returns: ConversationDetailViewSchema,
  })
  @Allow('viewer')
  get(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('conversationId', ParseIdPipe) conversationId: string,
    @Query() query: ConversationMessagesQueryDto,
  ): Promise<ConversationDetailView> {
    return this.conversations.get(projectId, conversationId, query);
  }

  /**
   * Stores the person's message and enqueues the reply; 202 because a runner writes it. 409 while
   * the previous message is still being answered.
   */
  @Post(':conversationId/messages')
  @Operation('Post a message and have it answered', { returns: MessageViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'conversation.message', target: 'conversation', idParam: 'conversationId' })
  post(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('conversationId', ParseIdPipe) conversationId: string,
    @Body() body: PostMessageDto,
    @RequestId() requestId?: string,
  ): Promise<MessageView> {
    return this.conversations.postMessage(projectId, conversationId, body, requestId);
  }

  /**
   * Stops the reply being written: a queued turn never starts (stopped), a running one is told to
   * stop and stores what had streamed, marked stopped (stopping; follow chat.message). 409 when no
   * reply is being written.
   */
  @Post(':conversationId/stop')
  @Operation('Stop the reply being written', { returns: ChatStopViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'conversation.stop', target: 'conversation', idParam: 'conversationId' })
  stop(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('conversationId', ParseIdPipe) conversationId: string,
  ): Promise<ChatStopView> {
    return this.conversations.stop(projectId, conversationId);
  }

  /**
   * Asks the last person's message again (after a failure or a stop): posted once more and
   * answered by a new turn; the earlier attempt stays. 202 with the new message; 409 while a reply
   * is being written or when there is nothing to ask.
   */
  @Post(':conversationId/retry')
  @Operation("Ask the last person's message again", { returns: MessageViewSchema, status: 202 })
  @Allow('admin')
  @Audit({ action: 'conversation.retry', target: 'conversation', idParam: 'conversationId' })
  retry(
    @Param('projectId', ParseIdPipe) projectId: string,
    @Param('conversationId', ParseIdPipe) conversationId: string,
    @RequestId() requestId?: string,
  ): Promise<MessageView> {
    return this.conversations.retry(projectId, conversationId, requestId);
  }
}
