// One chat turn on a runner: the model answers the conversation up to a person's message,
// streaming its text live, calling the kind's tools, with every message stored and every model
// call recorded as usage. A retried turn continues from what was stored.
import {
  cap,
  ChatMessage,
  ContentBlock,
  costOf,
  decideOnFailure,
  ModelResponse,
  textOf,
  ToolSpec,
  toolUsesOf,
} from '@autocoder/server-agent';
import { FeatureToolsService, ProjectsService } from '@autocoder/server-backlog';
import { Conversation, Message, Prisma, PrismaService, Project } from '@autocoder/server-db';
import { LiveEvents } from '@autocoder/server-queue';
import {
  ChatDeltaData,
  ChatErrorData,
  ChatEventType,
  ChatMessageData,
  ChatToolData,
  ChatTurnJob,
  ConversationKind,
} from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BacklogSnapshot, chatSystemPrompt } from './chat-prompts';
import {
  CHAT_MODEL_PROVIDERS,
  ChatProviderChoice,
  ChatProviders,
  chooseChatProvider,
} from './chat-providers';
import { ChatStops, stoppedByPerson } from './chat-stops';
import { chatTools } from './chat-tools';
import { messageView } from './chat-views';
import { DeltaBatcher } from './delta-batcher';
import {
  buildHistory,
  endsTurn,
  noticeOf,
  StoredNotice,
  StoredToolResult,
  toolCallsOf,
} from './history';

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

@Injectable()
export class ChatTurnRunner {
  private readonly logger = new Logger(ChatTurnRunner.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
    private readonly featureTools: FeatureToolsService,
    private readonly live: LiveEvents,
    private readonly stops: ChatStops,
    @Inject(CHAT_MODEL_PROVIDERS) private readonly providers: ChatProviders,
  ) {}

  /**
   * Answers `job.messageId`. Idempotent: a message already answered (or given up on) is skipped.
   * Throws what BullMQ should do with the job: a rate-limit error after pausing the queue (no
   * attempt spent), the error itself to retry with backoff, UnrecoverableError once it gives up
   * (after a system message saying why and a chat.error event).
   */
  async run(job: ChatTurnJob, ctx: ChatTurnContext): Promise<ChatTurnResult> {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: job.conversationId },
      include: { project: true },
    });
    if (!conversation || conversation.projectId !== job.projectId)
      return { outcome: 'skipped', reason: `conversation ${job.conversationId} no longer exists` };
    const messages = await this.messagesOf(conversation.id);
    const at = messages.findIndex((m) => m.id === job.messageId);
    if (at < 0) return { outcome: 'skipped', reason: `message ${job.messageId} no longer exists` };
    if (messages.slice(at + 1).some((m) => endsTurn(m)))
      return { outcome: 'skipped', reason: `message ${job.messageId} is already answered` };

    const log = {
      conversationId: conversation.id,
      messageId: job.messageId,
      requestId: job.requestId,
      attempt: ctx.attempt,
    };
    // A person's stop aborts this controller (and so the model's stream) wherever it runs.
    const stop = await this.stops.open(job.messageId, ctx.signal);
    try {
      return await this.converse(conversation, messages, job.messageId, {
        ...ctx,
        signal: stop.signal,
      });
    } catch (err) {
      this.logger.warn({ ...log, err: String(err) }, 'chat turn attempt failed');
      return this.settleFailure(err, conversation, job.messageId, ctx);
    } finally {
      this.stops.close(job.messageId, stop);
    }
  }

  private async converse(
    conversation: Loaded,
    messages: Message[],
    replyTo: string,
    ctx: ChatTurnContext,
  ): Promise<ChatTurnResult> {
    const choice = chooseChatProvider(this.providers, conversation);
    const clock = clockAfter(messages[messages.length - 1]?.createdAt);
    const provider = choice.provider.name;
    const model = choice.model;

    if (
      choice.fallback &&
      !messages.some((m) => noticeOf(m)?.notice === 'fallback' && noticeOf(m)?.replyTo === replyTo)
    ) {
      await this.store(
        conversation,
        {
          role: 'system',
          content: `${choice.fallback.reason}; this reply comes from ${provider} ${model}.`,
          toolCalls: { notice: 'fallback', replyTo } satisfies StoredNotice,
        },
        clock(),
        { provider, model, fallback: choice.fallback },
      );
    }

    const tools = choice.noTools
      ? []
      : chatTools(conversation.kind, {
          projectId: conversation.projectId,
          conversationId: conversation.id,
          featureTools: this.featureTools,
          prisma: this.prisma,
        });
    const byName = new Map(tools.map((t) => [t.spec.name, t]));
    const system = chatSystemPrompt(conversation.kind, conversation.project, {
      noTools: choice.noTools,
      snapshot: choice.noTools ? await this.snapshot(conversation.projectId) : undefined,
    });
    const history: ChatMessage[] = buildHistory(messages);
    const usedIds = new Set(messages.flatMap((m) => toolCallsOf(m).map((c) => c.id)));
    const meta = {
      provider,
      model,
      ...(choice.noTools ? { noTools: true } : {}),
      ...(choice.fallback ? { fallback: choice.fallback } : {}),
    };
    // Who wrote each assistant message, stored with it (the console's badge after a reload).
    const author = { provider, model, fallbackFrom: choice.fallback?.from ?? null };

    for (let round = 1; round <= MAX_CHAT_ROUNDS; round++) {
      const messageId = randomUUID();
      const streamed = { text: '' };
      let response: ModelResponse;
      try {
        if (stoppedByPerson(ctx.signal)) throw ctx.signal?.reason;
        response = await this.complete(conversation, choice, messageId, streamed, {
          system,
          history,
          tools: tools.map((t) => t.spec),
          signal: ctx.signal,
        });
      } catch (err) {
        if (!stoppedByPerson(ctx.signal)) throw err;
        // What had streamed stays, marked stopped; it ends the turn (no tool calls).
        await this.store(
          conversation,
          {
            id: messageId,
            role: 'assistant',
            content: streamed.text,
            ...author,
            stopped: true,
          },
          clock(),
          meta,
        );
        return {
          outcome: 'stopped',
          messageId,
          rounds: round,
          provider,
          model,
          fallback: !!choice.fallback,
        };
      }
      await this.recordUsage(conversation, choice, response);

      const calls = toolUsesOf(response.content).map((call) => {
        // Ids must be unique in the conversation (Gemini numbers its calls from 0 every time).
        const id = usedIds.has(call.id) ? `${call.id}_${messageId.slice(0, 8)}` : call.id;
        usedIds.add(id);
        return { ...call, id };
      });
      const text = textOf(response.content);
      await this.store(
        conversation,
        {
          id: messageId,
          role: 'assistant',
          content: text,
          toolCalls: calls.length
            ? (calls.map(({ id, name, input }) => ({ id, name, input })) as Prisma.InputJsonValue)
            : undefined,
          ...author,
        },
        clock(),
        meta,
      );
      if (calls.length === 0)
        return {
          outcome: 'answered',
          messageId,
          rounds: round,
          provider,
          model,
          fallback: !!choice.fallback,
        };

      const results: ContentBlock[] = [];
      for (const call of calls) {
        const tool = byName.get(call.name);
        const outcome = tool
          ? await tool.run(call.input)
          : { content: `Unknown tool ${call.name}.`, isError: true };
        const content = cap(outcome.content, MAX_TOOL_RESULT_CHARS);
        const isError = outcome.isError ?? false;
        const toolData: ChatToolData = {
          messageId,
          toolUseId: call.id,
          name: call.name,
          input: call.input,
          isError,
        };
        await this.publish(
          conversation,
          'chat.tool',
          isError ? 'warn' : 'info',
          call.name,
          toolData,
        );
        await this.store(
          conversation,
          {
            role: 'tool',
            content,
            toolCalls: { toolUseId: call.id, name: call.name, isError } satisfies StoredToolResult,
          },
          clock(),
        );
        results.push({
          type: 'tool_result',
          toolUseId: call.id,
          content,
          ...(isError ? { isError } : {}),
        });
      }
      history.push(
        {
          role: 'assistant',
          content: [
            ...(text ? [{ type: 'text' as const, text }] : []),
            ...calls.map((c) => ({
              type: 'tool_use' as const,
              id: c.id,
              name: c.name,
              input: c.input,
            })),
          ],
        },
        { role: 'user', content: results },
      );
      if (round === MAX_CHAT_ROUNDS) {
        await this.store(
          conversation,
          {
            role: 'system',
            content: `Stopped after ${MAX_CHAT_ROUNDS} rounds of tool calls; send another message to continue.`,
            toolCalls: { notice: 'tool_limit', replyTo } satisfies StoredNotice,
          },
          clock(),
        );
        return {
          outcome: 'tool_limit',
          messageId,
          rounds: round,
          provider,
          model,
          fallback: !!choice.fallback,
        };
      }
    }
    throw new Error('unreachable: the round loop always returns');
  }

  /** One model call, its text published in batches as it streams. */
  private async complete(
    conversation: Loaded,
    choice: ChatProviderChoice,
    messageId: string,
    streamed: { text: string },
    request: {
      system: string;
      history: ChatMessage[];
      tools: ToolSpec[];
      signal?: AbortSignal;
    },
  ): Promise<ModelResponse> {
    const deltas = new DeltaBatcher((text, seq) => {
      const data: ChatDeltaData = {
        messageId,
        seq,
        text,
        ...(choice.noTools ? { noTools: true } : {}),
      };
      return this.publish(conversation, 'chat.delta', 'info', text, data);
    }, CHAT_DELTA_INTERVAL_MS);
    try {
      return await choice.provider.complete({
        model: choice.model,
        system: request.system,
        messages: request.history,
        tools: request.tools,
        maxTokens: MAX_REPLY_TOKENS[conversation.kind],
        signal: request.signal,
        onText: (delta) => {
          streamed.text += delta;
          deltas.push(delta);
        },
      });
    } finally {
      await deltas.close();
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
    // A shutting-down runner's turn is retried like any other failure (its stream was cut).
    const decision = decideOnFailure(err, { ...ctx, shuttingDown: false });
    if (decision.action === 'wait') {
      const data: ChatErrorData = {
        messageId: replyTo,
        retrying: true,
        retryAfterMs: decision.retryAfterMs,
      };
      await this.publish(
        conversation,
        'chat.error',
        'warn',
        `${message}; trying again in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
        data,
      );
      await ctx.rateLimit(decision.retryAfterMs);
      throw Worker.RateLimitError();
    }
    if (decision.action !== 'give_up') {
      const data: ChatErrorData = { messageId: replyTo, retrying: true };
      await this.publish(conversation, 'chat.error', 'warn', `${message}; trying again`, data);
      throw err;
    }
    // Said by the platform, never put in the model's mouth.
    const reason = decision.fromProvider
      ? message
      : 'an internal error on the runner (its log has the details)';
    const latest = await this.prisma.message.findFirst({
      where: { conversationId: conversation.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: { createdAt: true },
    });
    await this.store(
      conversation,
      {
        role: 'system',
        content: `No reply: ${reason}.`,
        toolCalls: { notice: 'failure', replyTo } satisfies StoredNotice,
      },
      clockAfter(latest?.createdAt)(),
    );
    const data: ChatErrorData = { messageId: replyTo, retrying: false };
    await this.publish(conversation, 'chat.error', 'error', `No reply: ${reason}`, data);
    throw new UnrecoverableError(message);
  }

  private async recordUsage(
    conversation: Loaded,
    choice: ChatProviderChoice,
    response: ModelResponse,
  ): Promise<void> {
    const u = response.usage;
    await this.prisma.usageRecord.create({
      data: {
        projectId: conversation.projectId,
        conversationId: conversation.id,
        kind: 'chat',
        provider: choice.provider.name,
        model: choice.model,
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        cacheReadTokens: u.cacheReadTokens,
        cacheWriteTokens: u.cacheWriteTokens,
        costUsd: costOf(choice.model, u),
      },
    });
  }

  /** Stores a message (and touches the conversation), then announces it. */
  private async store(
    conversation: Loaded,
    data: {
      id?: string;
      role: Message['role'];
      content: string;
      toolCalls?: Prisma.InputJsonValue;
      provider?: string;
      model?: string;
      fallbackFrom?: string | null;
      stopped?: boolean;
    },
    createdAt: Date,
    extra: Omit<ChatMessageData, 'message'> = {},
  ): Promise<Message> {
    const [message] = await this.prisma.$transaction([
      this.prisma.message.create({
        data: { ...data, conversationId: conversation.id, createdAt },
      }),
      this.prisma.conversation.update({
        where: { id: conversation.id },
        data: { updatedAt: new Date() },
      }),
    ]);
    const view = messageView(message);
    const eventData: ChatMessageData = { message: view, ...extra };
    await this.publish(
      conversation,
      'chat.message',
      message.role === 'system' ? 'warn' : 'info',
      view.content.slice(0, 200),
      eventData,
    );
    return message;
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

  private messagesOf(conversationId: string): Promise<Message[]> {
    return this.prisma.message.findMany({
      where: { conversationId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** The backlog in brief, for a model without tools. */
  private async snapshot(projectId: string): Promise<BacklogSnapshot> {
    const project = await this.projects.get(projectId);
    const next = await this.prisma.feature.findMany({
      where: { projectId, status: { in: ['pending', 'in_progress', 'failing', 'needs_input'] } },
      orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      take: 20,
      select: { name: true, status: true },
    });
    return { counts: project.counts, total: project.total, progress: project.progress, next };
  }
}

/** Strictly increasing timestamps after `last`, so stored order is the order of events. */
function clockAfter(last: Date | undefined): () => Date {
  let t = last?.getTime() ?? 0;
  return () => {
    t = Math.max(Date.now(), t + 1);
    return new Date(t);
  };
}
