// One chat turn on a runner: the model answers the conversation up to a person's message, on the
// agent loop every session runs (runAgentLoop), its text streamed live, calling the kind's tools,
// with every message stored and every model call recorded as usage. A retried turn continues from
// what was stored.
import { decideOnFailure, runAgentLoop, textOf, toolUsesOf } from '@autocoder/server-agent';
import { FeatureToolsService } from '@autocoder/server-feature-tools';
import { ProjectsService } from '@autocoder/server-projects';
import {
  Conversation,
  ConversationRepository,
  Message,
  FeaturesRepository,
  NewMessage,
  Prisma,
  Project,
  ProjectsRepository,
} from '@autocoder/server-db';
import { LiveEvents } from '@autocoder/server-live-events';
import {
  ChatDeltaData,
  ChatErrorData,
  ChatEventType,
  ChatMessageData,
  ChatToolData,
  ChatTurnJob,
  ConversationKind,
} from '@autocoder/shared-contracts';
import { DomainMetrics } from '@autocoder/server-observability';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import {
  ChatStops,
  endsTurn,
  messageView,
  noticeOf,
  stoppedByPerson,
  StoredNotice,
  StoredToolResult,
} from '@autocoder/server-chat';
import { BacklogSnapshot, chatSystemPrompt } from './chat-prompts';
import { CHAT_MODEL_PROVIDERS, ChatProviders, chooseChatProvider } from './chat-providers';
import { chatTools } from './chat-tools';
import { DeltaBatcher } from './delta-batcher';
import { buildHistory } from './model-history';

/** Model calls one turn may make (each but the last answering tool calls). */
export const MAX_CHAT_ROUNDS = 8;
/** How often streamed text is published. */
export const CHAT_DELTA_INTERVAL_MS = 50;
/** Output tokens of one reply; the spec writer puts a whole specification into one tool call. */
const MAX_REPLY_TOKENS: Readonly<Record<ConversationKind, number>> = {
  assistant: 4096,
  expand: 8192,
  spec: 32_000,
};
const MAX_TOOL_RESULT_CHARS = 20_000;

/** What the runner passes in for one attempt of a turn's job. */
export interface ChatTurnContext {
  /** 1-based attempt of the job. */
  attempt: number;
  maxAttempts: number;
  signal?: AbortSignal;
  /** Pauses the chat queue, on every runner, for this long (a provider's 429). */
  rateLimit(ms: number): Promise<void>;
}

export type ChatTurnResult =
  | { outcome: 'skipped'; reason: string }
  | {
      /** stopped: a person stopped it; the last message holds what had streamed. */
      outcome: 'answered' | 'tool_limit' | 'stopped';
      /** The last assistant message stored. */
      messageId: string;
      rounds: number;
      provider: string;
      model: string;
      fallback: boolean;
    };

type Loaded = Conversation & { project: Project };

/** The reply being streamed: its id names the deltas and then the stored message. */
interface Streaming {
  id: string;
  text: string;
  deltas: DeltaBatcher;
}

@Injectable()
export class ChatTurnRunner {
  private readonly logger = new Logger(ChatTurnRunner.name);
  private readonly metrics: DomainMetrics;

  constructor(
    private readonly conversations: ConversationRepository,
    private readonly projects: ProjectsService,
    private readonly projectRows: ProjectsRepository,
    private readonly featureRows: FeaturesRepository,
    private readonly featureTools: FeatureToolsService,
    private readonly live: LiveEvents,
    private readonly stops: ChatStops,
    @Inject(CHAT_MODEL_PROVIDERS) private readonly providers: ChatProviders,
    @Optional() @Inject(DomainMetrics) metrics?: DomainMetrics,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
  }

  /**
   * Answers `job.messageId`. Idempotent: a message already answered (or given up on) is skipped.
   * Throws what BullMQ should do with the job: a rate-limit error after pausing the queue (no
   * attempt spent), the error itself to retry with backoff, UnrecoverableError once it gives up
   * (after a system message saying why and a chat.error event).
   */
  async run(job: ChatTurnJob, ctx: ChatTurnContext): Promise<ChatTurnResult> {
    const conversation = await this.conversations.find(job.projectId, job.conversationId);
    if (!conversation)
      return { outcome: 'skipped', reason: `conversation ${job.conversationId} no longer exists` };
    const messages = await this.conversations.messages(conversation.id);
    const at = messages.findIndex((m) => m.id === job.messageId);
    if (at < 0) return { outcome: 'skipped', reason: `message ${job.messageId} no longer exists` };
    if (messages.slice(at + 1).some((m) => endsTurn(m)))
      return { outcome: 'skipped', reason: `message ${job.messageId} is already answered` };

    // A person's stop aborts this controller (and so the model's stream) wherever it runs.
    const stop = await this.stops.open(job.messageId, ctx.signal);
    const ended = this.metrics.sessionStarted('chat');
    try {
      return await this.converse(conversation, messages, job.messageId, stop.signal);
    } catch (err) {
      const { conversationId, messageId, requestId } = job;
      const log = { conversationId, messageId, requestId, attempt: ctx.attempt, err: String(err) };
      this.logger.warn(log, 'chat turn attempt failed');
      return this.settleFailure(err, conversation, job.messageId, ctx);
    } finally {
      ended();
      this.stops.close(job.messageId, stop);
    }
  }

  private async converse(
    conversation: Loaded,
    messages: Message[],
    replyTo: string,
    signal: AbortSignal,
  ): Promise<ChatTurnResult> {
    const choice = chooseChatProvider(this.providers, conversation);
    const { model } = choice;
    const provider = choice.provider.name;
    const noTools = choice.noTools ? { noTools: true } : {};
    const meta = {
      provider,
      model,
      ...noTools,
      ...(choice.fallback && { fallback: choice.fallback }),
    };
    // Who wrote each assistant message, stored with it (the console's badge after a reload).
    const author = { provider, model, fallbackFrom: choice.fallback?.from ?? null };
    const notice = (content: string, kind: StoredNotice['notice'], extra = {}) =>
      this.notice(conversation, replyTo, content, kind, extra);

    const fallbackNoted = messages.some(
      (m) => noticeOf(m)?.notice === 'fallback' && noticeOf(m)?.replyTo === replyTo,
    );
    if (choice.fallback && !fallbackNoted) {
      const { reason } = choice.fallback;
      await notice(`${reason}; this reply comes from ${provider} ${model}.`, 'fallback', meta);
    }

    let streaming: Streaming | undefined;
    const stream = (): Streaming => {
      if (streaming) return streaming;
      const id = randomUUID();
      const deltas = new DeltaBatcher((text, seq) => {
        const data: ChatDeltaData = { messageId: id, seq, text, ...noTools };
        return this.publish(conversation, 'chat.delta', 'info', text, data);
      }, CHAT_DELTA_INTERVAL_MS);
      return (streaming = { id, text: '', deltas });
    };
    const endStream = async (): Promise<Streaming> => {
      const ended = stream();
      streaming = undefined;
      await ended.deltas.close();
      return ended;
    };
    let lastId = '';
    const assistant = async (message: Omit<NewMessage, 'role'>) => {
      lastId = (await this.store(conversation, { role: 'assistant', ...message, ...author }, meta))
        .id;
    };

    try {
      const loop = await runAgentLoop({
        provider: choice.provider,
        model,
        metrics: this.metrics.loop('chat'),
        system: chatSystemPrompt(conversation.kind, conversation.project, {
          noTools: choice.noTools,
          snapshot: choice.noTools ? await this.snapshot(conversation.projectId) : undefined,
        }),
        messages: buildHistory(messages),
        tools: choice.noTools
          ? []
          : chatTools(conversation.kind, {
              projectId: conversation.projectId,
              conversationId: conversation.id,
              featureTools: this.featureTools,
              projects: this.projectRows,
              features: this.featureRows,
            }),
        signal,
        maxTurns: MAX_CHAT_ROUNDS,
        maxTokens: MAX_REPLY_TOKENS[conversation.kind],
        maxToolOutputChars: MAX_TOOL_RESULT_CHARS,
        // A few rounds that a person watches (and can stop): no stuck checks, no compaction.
        maxRepeatedCalls: Infinity,
        maxTurnsWithoutProgress: Infinity,
        compactAtChars: Infinity,
        onText: (delta) => {
          stream().text += delta;
          stream().deltas.push(delta);
        },
        onUsage: (usage) =>
          this.conversations.recordUsage(conversation, { provider, model, ...usage }),
        onResponse: async (response) => {
          const { id } = await endStream();
          const calls = toolUsesOf(response.content).map(({ id, name, input }) => ({
            id,
            name,
            input,
          }));
          const toolCalls = calls.length ? (calls as Prisma.InputJsonValue) : undefined;
          await assistant({ id, content: textOf(response.content), toolCalls });
        },
        onToolResult: async ({ call, content, isError }) => {
          const data: ChatToolData = {
            messageId: lastId,
            toolUseId: call.id,
            name: call.name,
            input: call.input,
            isError,
          };
          await this.publish(conversation, 'chat.tool', isError ? 'warn' : 'info', call.name, data);
          const result: StoredToolResult = { toolUseId: call.id, name: call.name, isError };
          await this.store(conversation, { role: 'tool', content, toolCalls: { ...result } });
        },
      });
      const result = (outcome: 'answered' | 'tool_limit' | 'stopped'): ChatTurnResult => {
        const rounds = Math.max(loop.turns, 1);
        return { outcome, messageId: lastId, rounds, provider, model, fallback: !!choice.fallback };
      };
      switch (loop.end.reason) {
        case 'completed':
          return result('answered');
        case 'max_turns':
          await notice(
            `Stopped after ${MAX_CHAT_ROUNDS} rounds of tool calls; send another message to continue.`,
            'tool_limit',
          );
          return result('tool_limit');
        case 'cancelled': {
          // A shutdown: the job is tried again, from what was stored.
          if (!stoppedByPerson(signal)) throw signal.reason ?? new Error('chat turn cancelled');
          // What had streamed stays, marked stopped; it ends the turn.
          const { id, text } = await endStream();
          await assistant({ id, content: text, stopped: true });
          return result('stopped');
        }
        default:
          throw new Error(`chat turn ended by ${loop.end.reason}, which chats never ask for`);
      }
    } finally {
      await streaming?.deltas.close();
    }
  }

  /** A 429 waits without spending an attempt; the last attempt, or a refusal, gives up visibly. */
  private async settleFailure(
    err: unknown,
    conversation: Loaded,
    replyTo: string,
    ctx: ChatTurnContext,
  ): Promise<never> {
    const message = err instanceof Error ? err.message : String(err);
    const error = (level: string, text: string, data: Omit<ChatErrorData, 'messageId'>) =>
      this.publish(conversation, 'chat.error', level, text, { messageId: replyTo, ...data });
    // A shutting-down runner's turn is retried like any other failure (its stream was cut).
    const decision = decideOnFailure(err, { ...ctx, shuttingDown: false });
    if (decision.action === 'wait') {
      const { retryAfterMs } = decision;
      const text = `${message}; trying again in ${Math.ceil(retryAfterMs / 1000)} s`;
      await error('warn', text, { retrying: true, retryAfterMs });
      await ctx.rateLimit(retryAfterMs);
      throw Worker.RateLimitError();
    }
    if (decision.action !== 'give_up') {
      await error('warn', `${message}; trying again`, { retrying: true });
      throw err;
    }
    // Said by the platform, never put in the model's mouth.
    const reason = decision.fromProvider
      ? message
      : 'an internal error on the runner (its log has the details)';
    await this.notice(conversation, replyTo, `No reply: ${reason}.`, 'failure');
    await error('error', `No reply: ${reason}`, { retrying: false });
    throw new UnrecoverableError(message);
  }

  /** The platform's note about the turn answering `replyTo`: a fallback, a limit, a failure. */
  private notice(
    conversation: Loaded,
    replyTo: string,
    content: string,
    notice: StoredNotice['notice'],
    extra: Omit<ChatMessageData, 'message'> = {},
  ): Promise<Message> {
    const toolCalls = { notice, replyTo } satisfies StoredNotice;
    return this.store(conversation, { role: 'system', content, toolCalls }, extra);
  }

  /** Stores a message after the conversation's others, then announces it. */
  private async store(
    conversation: Loaded,
    message: NewMessage,
    extra: Omit<ChatMessageData, 'message'> = {},
  ): Promise<Message> {
    const stored = await this.conversations.append(conversation.id, message);
    const view = messageView(stored);
    const data: ChatMessageData = { message: view, ...extra };
    const level = stored.role === 'system' ? 'warn' : 'info';
    await this.publish(conversation, 'chat.message', level, view.content.slice(0, 200), data);
    return stored;
  }

  private publish(
    conversation: Pick<Conversation, 'id' | 'projectId'>,
    type: ChatEventType,
    level: string,
    message: string,
    data: unknown,
  ): Promise<void> {
    return this.live.publish({
      projectId: conversation.projectId,
      conversationId: conversation.id,
      type,
      level,
      message,
      data,
      at: new Date().toISOString(),
    });
  }

  /** The backlog in brief, for a model without tools. */
  private async snapshot(projectId: string): Promise<BacklogSnapshot> {
    const project = await this.projects.get(projectId);
    const next = await this.conversations.openFeatures(projectId, 20);
    return { counts: project.counts, total: project.total, progress: project.progress, next };
  }
}
