import { conflict, notFound, ProjectsService } from '@autocoder/server-projects';
import {
  Conversation,
  ConversationRepository,
  Message,
  Prisma,
  PrismaService,
} from '@autocoder/server-db';
import { JobQueueService, withTimeout } from '@autocoder/server-queue';
import { LiveEvents } from '@autocoder/server-live-events';
import {
  ChatMessageData,
  ChatStopView,
  ConversationDetailView,
  ConversationKind,
  ConversationMessagesQuery,
  ConversationView,
  CreateConversationInput,
  JobName,
  ListConversationsQuery,
  MessageView,
  Page,
  PostMessageInput,
  QueueName,
} from '@autocoder/shared-contracts';
import { Injectable, Logger } from '@nestjs/common';
import { conversationView, messageView } from './chat-views';
import { ChatStops } from './chat-stops';
import { endsTurn, StoredNotice } from './history';

const DEFAULT_TITLES: Readonly<Record<ConversationKind, string>> = {
  assistant: 'Assistant',
  spec: 'Spec',
  expand: 'Expand backlog',
};

/** Job states in which a turn has not started yet (its job can still be taken off the queue). */
const QUEUED_JOB_STATES = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/** Job states in which a turn is still going to happen. */
const PENDING_JOB_STATES = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
]);

/**
 * A person's message whose job cannot be found is taken as still being answered for this long:
 * the job is added right after the message is committed, and a lost job (Redis flushed) must not
 * lock the conversation forever.
 */
const UNSEEN_JOB_GRACE_MS = 60_000;

/** Chats of a project, for the api: conversations, their messages, and posting a message. */
@Injectable()
export class ConversationsService {
  private readonly logger = new Logger(ConversationsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly conversations: ConversationRepository,
    private readonly projects: ProjectsService,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
    private readonly stops: ChatStops,
  ) {}

  async create(projectId: string, input: CreateConversationInput): Promise<ConversationView> {
    await this.projects.require(projectId);
    const conversation = await this.prisma.conversation.create({
      data: {
        projectId,
        kind: input.kind,
        title: input.title ?? DEFAULT_TITLES[input.kind],
        provider: input.provider ?? null,
        model: input.model ?? null,
      },
    });
    return conversationView(conversation);
  }

  async list(projectId: string, query: ListConversationsQuery): Promise<Page<ConversationView>> {
    await this.projects.require(projectId);
    const where: Prisma.ConversationWhereInput = {
      projectId,
      ...(query.kind ? { kind: query.kind } : {}),
    };
    const [rows, total] = await Promise.all([
      this.prisma.conversation.findMany({
        where,
        orderBy: [{ updatedAt: 'desc' }, { id: 'asc' }],
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.conversation.count({ where }),
    ]);
    return { items: rows.map(conversationView), total, limit: query.limit, offset: query.offset };
  }

  /** The conversation with a page of messages: the newest, `offset` back from the end, oldest first. */
  async get(
    projectId: string,
    conversationId: string,
    query: ConversationMessagesQuery,
  ): Promise<ConversationDetailView> {
    const conversation = await this.require(projectId, conversationId);
    const [rows, total] = await Promise.all([
      this.prisma.message.findMany({
        where: { conversationId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        skip: query.offset,
        take: query.limit,
      }),
      this.prisma.message.count({ where: { conversationId } }),
    ]);
    return {
      ...conversationView(conversation),
      messages: {
        items: rows.reverse().map(messageView),
        total,
        limit: query.limit,
        offset: query.offset,
      },
    };
  }

  /**
   * Stores the person's message and enqueues the turn that answers it (job id = message id).
   * One turn at a time per conversation: 409 while the previous message is still being answered.
   * When the queue is down the message is taken back and the caller gets 503.
   */
  async postMessage(
    projectId: string,
    conversationId: string,
    input: PostMessageInput,
    requestId?: string,
  ): Promise<MessageView> {
    await this.require(projectId, conversationId);
    const message = await this.prisma.$transaction(async (tx) => {
      // Serialises posts to one conversation, so two cannot both find it idle.
      await tx.$queryRaw`SELECT id FROM "Conversation" WHERE id = ${conversationId}::uuid FOR UPDATE`;
      const last = await tx.message.findFirst({
        where: { conversationId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      if (last && !endsTurn(last)) {
        const asked = await tx.message.findFirst({
          where: { conversationId, role: 'user' },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        });
        if (asked && (await this.stillAnswering(asked))) {
          throw conflict(
            `message ${asked.id} is still being answered; post again when its reply is in`,
          );
        }
      }
      const created = await tx.message.create({
        data: { conversationId, role: 'user', content: input.content },
      });
      await tx.conversation.update({
        where: { id: conversationId },
        data: { updatedAt: created.createdAt },
      });
      return created;
    });
    try {
      await this.queue.enqueue({
        name: JobName.ChatTurn,
        data: { conversationId, projectId, messageId: message.id, requestId },
      });
    } catch (err) {
      await this.prisma.message.delete({ where: { id: message.id } }).catch(() => undefined);
      throw err;
    }
    const view = messageView(message);
    const data: ChatMessageData = { message: view };
    await this.live.publish({
      projectId,
      conversationId,
      type: 'chat.message',
      level: 'info',
      message: view.content.slice(0, 200),
      data,
      at: view.createdAt,
    });
    return view;
  }

  /**
   * Stops the reply being written to the conversation's last person's message. A turn still on
   * the queue is taken off it and noted as stopped here; a running one is told to stop (every
   * runner hears it) and stores what had streamed, marked stopped. 409 when nothing is running.
   */
  async stop(projectId: string, conversationId: string): Promise<ChatStopView> {
    await this.require(projectId, conversationId);
    const asked = await this.unanswered(conversationId);
    if (!asked || !(await this.stillAnswering(asked))) {
      throw conflict('no reply is being written in this conversation');
    }
    const job = await withTimeout(this.queue.queue(QueueName.Chat).getJob(asked.id), 1000).catch(
      () => undefined,
    );
    const state = job ? await withTimeout(job.getState(), 1000).catch(() => 'unknown') : 'unknown';
    if (job && QUEUED_JOB_STATES.has(state)) {
      // Fails when a runner took the job meanwhile: then it is told, like a running one.
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (removed) {
        await this.noteStopped(projectId, conversationId, asked.id);
        return { messageId: asked.id, status: 'stopped' };
      }
    }
    await this.stops.request(conversationId, asked.id);
    return { messageId: asked.id, status: 'stopping' };
  }

  /**
   * Asks again: posts the conversation's last person's message once more, so a new turn answers
   * it (after a failure, a stop, or an answer the person wants written again). The earlier
   * attempt stays in the conversation. 409 while a reply is being written, or with nothing to ask.
   */
  async retry(projectId: string, conversationId: string, requestId?: string): Promise<MessageView> {
    await this.require(projectId, conversationId);
    const last = await this.prisma.message.findFirst({
      where: { conversationId, role: 'user' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    if (!last) throw conflict('there is no message to ask again in this conversation');
    return this.postMessage(projectId, conversationId, { content: last.content }, requestId);
  }

  async require(projectId: string, conversationId: string): Promise<Conversation> {
    const conversation = await this.prisma.conversation.findFirst({
      where: { id: conversationId, projectId },
    });
    if (!conversation) {
      await this.projects.require(projectId);
      throw notFound('conversation', conversationId);
    }
    return conversation;
  }

  /** The last person's message when no message after it ends its turn. */
  private async unanswered(conversationId: string): Promise<Message | null> {
    const asked = await this.prisma.message.findFirst({
      where: { conversationId, role: 'user' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    if (!asked) return null;
    const after = await this.prisma.message.findMany({
      where: { conversationId, createdAt: { gte: asked.createdAt }, id: { not: asked.id } },
      select: { role: true, toolCalls: true },
    });
    return after.some((m) => endsTurn(m)) ? null : asked;
  }

  /** The platform's note that a queued reply was stopped before it started (ends the turn). */
  private async noteStopped(projectId: string, conversationId: string, replyTo: string) {
    const message = await this.conversations.append(conversationId, {
      role: 'system',
      content: 'Stopped before the reply started.',
      toolCalls: { notice: 'stopped', replyTo } satisfies StoredNotice,
    });
    const view = messageView(message);
    const data: ChatMessageData = { message: view };
    await this.live.publish({
      projectId,
      conversationId,
      type: 'chat.message',
      level: 'warn',
      message: view.content,
      data,
      at: view.createdAt,
    });
  }

  /** Whether the turn answering `asked` is queued or running (or was just enqueued). */
  private async stillAnswering(asked: Message): Promise<boolean> {
    const young = Date.now() - asked.createdAt.getTime() < UNSEEN_JOB_GRACE_MS;
    try {
      const job = await withTimeout(this.queue.queue(QueueName.Chat).getJob(asked.id), 1000);
      if (!job) return young;
      return PENDING_JOB_STATES.has(await withTimeout(job.getState(), 1000));
    } catch (err) {
      this.logger.warn(
        `chat job state unknown: ${err instanceof Error ? err.message : String(err)}`,
      );
      return young;
    }
  }
}
