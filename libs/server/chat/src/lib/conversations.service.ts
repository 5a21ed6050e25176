import { conflict, notFound, ProjectsService } from '@autocoder/server-backlog';
import { Conversation, Message, Prisma, PrismaService } from '@autocoder/server-db';
import { JobQueueService, LiveEvents, withTimeout } from '@autocoder/server-queue';
import {
  ChatMessageData,
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
import { endsTurn } from './history';

const DEFAULT_TITLES: Readonly<Record<ConversationKind, string>> = {
  assistant: 'Assistant',
  spec: 'Spec',
  expand: 'Expand backlog',
};

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
    private readonly projects: ProjectsService,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
  ) {}

  async create(projectId: string, input: CreateConversationInput): Promise<ConversationView> {
    await this.projects.require(projectId);
    const conversation = await this.prisma.conversation.create({
      data: {
        projectId,
        kind: input.kind,
        title: input.title ?? DEFAULT_TITLES[input.kind],
        provider: input.provider ?? null,
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
