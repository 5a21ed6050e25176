import { conflict, notFound, ProjectsService } from '@autocoder/server-projects';
import { Conversation, ConversationRepository, Message } from '@autocoder/server-db';
import { JobQueueService, withTimeout } from '@autocoder/server-queue';
import { LiveEvents } from '@autocoder/server-live-events';
import {
  ChatMessageData,
  ChatStopView,
  ConversationDetailView,
  ConversationKind,
  CONVERSATION_SEARCH_WINDOW,
  ConversationMessagesQuery,
  ConversationSearchView,
  ConversationView,
  CreateConversationInput,
  JobName,
  ListConversationsQuery,
  MessageView,
  Page,
  PostMessageInput,
  QueueName,
  SearchConversationsQuery,
} from '@autocoder/shared-contracts';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { conversationView, messageView, parseHeadline } from './chat-views';
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
const PENDING_JOB_STATES = new Set([...QUEUED_JOB_STATES, 'active']);

/**
 * A person's message whose job cannot be found is taken as still being answered for this long:
 * the job is added right after the message is committed, and a lost job (Redis flushed) must not
 * lock the conversation forever.
 */
const UNSEEN_JOB_GRACE_MS = 60_000;

const pageOf = (q: { limit: number; offset: number }) => ({ limit: q.limit, offset: q.offset });

/** Chats of a project, for the api: conversations, their messages, and posting a message. */
@Injectable()
export class ConversationsService {
  private readonly logger = new Logger(ConversationsService.name);

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly projects: ProjectsService,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
    private readonly stops: ChatStops,
  ) {}

  async create(projectId: string, input: CreateConversationInput): Promise<ConversationView> {
    await this.projects.require(projectId);
    const conversation = await this.conversations.create({
      projectId,
      kind: input.kind,
      title: input.title ?? DEFAULT_TITLES[input.kind],
      provider: input.provider ?? null,
      model: input.model ?? null,
    });
    return conversationView(conversation);
  }

  async list(projectId: string, query: ListConversationsQuery): Promise<Page<ConversationView>> {
    await this.projects.require(projectId);
    const { rows, total } = await this.conversations.page(
      projectId,
      query.kind,
      query.offset,
      query.limit,
    );
    return { items: rows.map(conversationView), total, limit: query.limit, offset: query.offset };
  }

  /** The conversation with a page of messages: the newest, `offset` back from the end, oldest first. */
  async get(
    projectId: string,
    conversationId: string,
    query: ConversationMessagesQuery,
  ): Promise<ConversationDetailView> {
    const conversation = await this.require(projectId, conversationId);
    const { rows, total } = await this.conversations.latestMessages(
      conversationId,
      query.offset,
      query.limit,
    );
    const messages = { items: rows.reverse().map(messageView), total, ...pageOf(query) };
    return { ...conversationView(conversation), messages };
  }

  /** Full-text search over the project's messages (ConversationRepository.search). */
  async search(
    projectId: string,
    query: SearchConversationsQuery,
  ): Promise<ConversationSearchView> {
    await this.projects.require(projectId);
    const { rows, total } = await this.conversations.search(
      projectId,
      query.q,
      query.kind ?? null,
      query.offset,
      query.limit,
    );
    return {
      items: rows.map((r) => ({
        conversationId: r.conversationId,
        conversationTitle: r.title,
        kind: r.kind,
        messageId: r.messageId,
        role: r.role,
        createdAt: r.createdAt.toISOString(),
        rank: Math.round(r.rank * 10_000) / 10_000,
        ...parseHeadline(r.headline),
      })),
      total: Math.min(total, CONVERSATION_SEARCH_WINDOW),
      capped: total > CONVERSATION_SEARCH_WINDOW,
      ...pageOf(query),
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
    // Under the conversation's lock, so two posts cannot both find it idle.
    const message = await this.conversations.append(
      conversationId,
      { role: 'user', content: input.content },
      async (last, tx) => {
        if (!last || endsTurn(last)) return;
        const asked = await this.conversations.lastAsked(conversationId, tx);
        if (asked && stillAnswering(asked, (await this.turnJob(asked.id)).state)) {
          throw conflict(
            `message ${asked.id} is still being answered; post again when its reply is in`,
          );
        }
      },
    );
    try {
      await this.queue.enqueue({
        name: JobName.ChatTurn,
        data: { conversationId, projectId, messageId: message.id, requestId },
      });
    } catch (err) {
      await this.conversations.deleteMessage(message.id).catch(() => undefined);
      throw err;
    }
    return this.announce(projectId, message, 'info');
  }

  /**
   * Stops the reply being written to the conversation's last person's message. A turn still on
   * the queue is taken off it and noted as stopped here; a running one is told to stop (every
   * runner hears it) and stores what had streamed, marked stopped. 409 when nothing is running.
   */
  async stop(projectId: string, conversationId: string): Promise<ChatStopView> {
    await this.require(projectId, conversationId);
    const asked = await this.unanswered(conversationId);
    const { job, state } = asked ? await this.turnJob(asked.id) : { state: 'missing' };
    if (!asked || !stillAnswering(asked, state)) {
      throw conflict('no reply is being written in this conversation');
    }
    if (job && QUEUED_JOB_STATES.has(state)) {
      // Fails when a runner took the job meanwhile: then it is told, like a running one.
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (removed) {
        // The platform's note that the reply was stopped before it started (ends the turn).
        const note = await this.conversations.append(conversationId, {
          role: 'system',
          content: 'Stopped before the reply started.',
          toolCalls: { notice: 'stopped', replyTo: asked.id } satisfies StoredNotice,
        });
        await this.announce(projectId, note, 'warn');
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
    const last = await this.conversations.lastAsked(conversationId);
    if (!last) throw conflict('there is no message to ask again in this conversation');
    return this.postMessage(projectId, conversationId, { content: last.content }, requestId);
  }

  async require(projectId: string, conversationId: string): Promise<Conversation> {
    const conversation = await this.conversations.find(projectId, conversationId);
    if (!conversation) {
      await this.projects.require(projectId);
      throw notFound('conversation', conversationId);
    }
    return conversation;
  }

  /** The last person's message when no message after it ends its turn. */
  private async unanswered(conversationId: string): Promise<Message | null> {
    const asked = await this.conversations.lastAsked(conversationId);
    if (!asked) return null;
    const after = await this.conversations.messages(conversationId, asked);
    return after.some((m) => endsTurn(m)) ? null : asked;
  }

  /** Publishes a stored message to the console (chat.message); its view. */
  private async announce(projectId: string, message: Message, level: string) {
    const view = messageView(message);
    const data: ChatMessageData = { message: view };
    await this.live.publish({
      projectId,
      conversationId: message.conversationId,
      type: 'chat.message',
      level,
      message: view.content.slice(0, 200),
      data,
      at: view.createdAt,
    });
    return view;
  }

  /** The job of the turn answering `messageId` and its state: 'missing' without one, 'unknown' when Redis cannot say. */
  private async turnJob(messageId: string): Promise<{ job?: Job; state: string }> {
    try {
      const job = await withTimeout(this.queue.queue(QueueName.Chat).getJob(messageId), 1000);
      return { job, state: job ? await withTimeout(job.getState(), 1000) : 'missing' };
    } catch (err) {
      this.logger.warn(
        `chat job state unknown: ${err instanceof Error ? err.message : String(err)}`,
      );
      return { state: 'unknown' };
    }
  }
}

/** Whether the turn answering `asked` is queued or running (or was just enqueued, job unseen). */
function stillAnswering(asked: Message, jobState: string): boolean {
  if (jobState !== 'missing' && jobState !== 'unknown') return PENDING_JOB_STATES.has(jobState);
  return Date.now() - asked.createdAt.getTime() < UNSEEN_JOB_GRACE_MS;
}
