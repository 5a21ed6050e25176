// Chats end to end, in-process: the api (HTTP, SSE) and the runner's chat turns (the lib's
// ChatTurnRunner behind a BullMQ worker on the chat queue) against the real Postgres (a fresh
// database), Redis (a unique queue prefix) and llm-fake with the real Anthropic and Gemini SDKs.
import { AnthropicProvider, createAnthropicClient, GeminiProvider } from '@autocoder/server-agent';
import { ChatTurnRunner, ChatTurnsModule, MAX_CHAT_ROUNDS } from '@autocoder/server-chat-turns';
import { AppConfig, ConfigModule, loadConfig } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { JobQueueService, QueueModule, redisOptions } from '@autocoder/server-queue';
import { LiveEvents, LiveEventsModule } from '@autocoder/server-live-events';
import { REPO_ROOT, waitFor, waitUntil } from '@autocoder/server-test-support';
import {
  ChatDeltaData,
  ChatErrorData,
  ChatMessageData,
  ChatToolData,
  ConversationDetailView,
  ConversationView,
  LiveEvent,
  MessageView,
  Page,
  ProjectView,
  ProposeFeaturesInputSchema,
  QueueName,
} from '@autocoder/shared-contracts';
import { GoogleGenAI } from '@google/genai';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { App } from 'supertest/types';
import { createApiApp } from '../create-api-app';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** A project's server-sent events, read over real HTTP from the listening api. */
interface SseStream {
  events: LiveEvent[];
  waitFor(what: string, match: (e: LiveEvent) => boolean, timeoutMs?: number): Promise<LiveEvent>;
  close(): void;
}

describe('chats (integration)', () => {
  let db: TestDatabase;
  let fake: LlmFakeServer;
  let api: NestExpressApplication;
  let apiUrl: string;
  let http: App;
  let runnerApp: INestApplicationContext;
  let worker: Worker;
  let prisma: PrismaService;
  let redis: Redis;
  const streams: SseStream[] = [];
  const prefix = `chat-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    const config = loadConfig({
      // Auth has its own tests (auth.int-spec.ts); here every request is the local admin.
      AUTH_MODE: 'none',
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fake.url,
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '300',
      // The suite posts more than the default 20 messages a minute; the chat limit has its own
      // test (auth/rate-limits.int-spec.ts).
      RATE_LIMIT_CHAT_PER_MINUTE: '1000',
      // Each test's event stream stays open until afterAll, all as the one local admin; the cap
      // has its own test (events/event-stream-limit.int-spec.ts).
      SSE_MAX_STREAMS_PER_CLIENT: '100',
    });

    api = await createApiApp(config);
    await api.listen(0, '127.0.0.1');
    apiUrl = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    http = api.getHttpServer() as App;
    prisma = api.get(PrismaService);

    // The runner's half: the chat lib with the real SDKs pointed at llm-fake, behind a worker
    // that does what the runner's ChatProcessor does.
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot({ databaseUrl: db.url }),
        QueueModule.forRoot({
          role: 'worker',
          redisUrl: config.REDIS_URL,
          prefix,
          attempts: config.JOB_ATTEMPTS,
          backoffMs: config.JOB_BACKOFF_MS,
        }),
        LiveEventsModule,
        ChatTurnsModule.forRoot((c: AppConfig) => ({
          default: {
            provider: new AnthropicProvider(
              createAnthropicClient({ provider: 'demo', fakeUrl: c.LLM_FAKE_URL }),
              'demo',
            ),
            model: c.ANTHROPIC_MODEL,
          },
          gemini: {
            provider: new GeminiProvider(
              new GoogleGenAI({
                apiKey: 'test',
                httpOptions: { baseUrl: c.LLM_FAKE_URL, fetch: globalThis.fetch },
              }),
            ),
            model: c.GEMINI_MODEL,
          },
        })),
      ],
    }).compile();
    runnerApp = await moduleRef.init();
    const turns = runnerApp.get(ChatTurnRunner);
    worker = new Worker(
      QueueName.Chat,
      (job: Job) =>
        turns.run(job.data, {
          attempt: job.attemptsMade + 1,
          maxAttempts: job.opts.attempts ?? 1,
          rateLimit: (ms) => worker.rateLimit(ms),
        }),
      {
        connection: redisOptions(config.REDIS_URL, 'worker'),
        prefix,
        concurrency: 4,
        limiter: { max: 10_000, duration: 1000 },
      },
    );
    redis = new Redis(config.REDIS_URL);
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await worker?.close();
    await api?.get(JobQueueService).queue(QueueName.Chat).obliterate({ force: true });
    await runnerApp?.close();
    await api?.close();
    redis?.disconnect();
    await fake?.close();
    await db?.drop();
  });

  const newProject = async (name: string): Promise<ProjectView> => {
    const res = await request(http)
      .post('/api/v1/projects')
      .send({ name: `${name}-${randomBytes(3).toString('hex')}`, spec: 'A todo app.' });
    expect(res.status).toBe(201);
    return res.body as ProjectView;
  };
  const newConversation = async (
    projectId: string,
    body: Record<string, unknown>,
  ): Promise<ConversationView> => {
    const res = await request(http).post(`/api/v1/projects/${projectId}/conversations`).send(body);
    expect(res.status).toBe(201);
    return res.body as ConversationView;
  };
  const post = async (c: ConversationView, content: string): Promise<MessageView> => {
    const res = await request(http)
      .post(`/api/v1/projects/${c.projectId}/conversations/${c.id}/messages`)
      .send({ content });
    expect(res.status).toBe(202);
    return res.body as MessageView;
  };
  const messagesOf = async (c: ConversationView): Promise<MessageView[]> => {
    const res = await request(http)
      .get(`/api/v1/projects/${c.projectId}/conversations/${c.id}`)
      .expect(200);
    return (res.body as ConversationDetailView).messages.items;
  };

  /** Opens the SSE stream and returns once Redis has the api's subscription on the channel. */
  const openEvents = async (projectId: string, conversationId?: string): Promise<SseStream> => {
    const abort = new AbortController();
    const query = conversationId ? `?conversationId=${conversationId}` : '';
    const res = await fetch(`${apiUrl}/api/v1/projects/${projectId}/events${query}`, {
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const events: LiveEvent[] = [];
    const waiters = new Set<() => void>();
    void (async () => {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          // Keep-alives carry `{}`; live events have a type.
          const event = data ? (JSON.parse(data) as Partial<LiveEvent>) : undefined;
          if (event?.type) {
            events.push(event as LiveEvent);
            for (const w of waiters) w();
          }
        }
      }
    })().catch(() => undefined);
    const channel = api.get(LiveEvents).channel(projectId);
    await waitFor('the api to subscribe to live events', async () => {
      const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(n) > 0;
    });
    const stream: SseStream = {
      events,
      close: () => abort.abort(),
      waitFor: (what, match, timeoutMs = 60_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const found = events.find(match);
            if (!found) return false;
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
            return true;
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(
              new Error(
                `no ${what} in ${events.length} events: ${events.map((e) => e.type).join(', ')}`,
              ),
            );
          }, timeoutMs);
          if (!check()) waiters.add(check);
        }),
    };
    streams.push(stream);
    return stream;
  };

  const isReply = (e: LiveEvent): boolean => {
    if (e.type !== 'chat.message') return false;
    const m = (e.data as ChatMessageData).message;
    return m.role === 'assistant' && m.toolCalls === null;
  };
  const data = <T>(e: LiveEvent): T => e.data as T;

  /** Every stored assistant message equals its streamed deltas, received in order. */
  const expectDeltasMatch = (events: LiveEvent[], replies: MessageView[]) => {
    for (const reply of replies.filter((m) => m.role === 'assistant' && m.content)) {
      const deltas = events
        .filter((e) => e.type === 'chat.delta')
        .map((e) => data<ChatDeltaData>(e))
        .filter((d) => d.messageId === reply.id);
      expect(deltas.length).toBeGreaterThan(0);
      expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
      expect(deltas.map((d) => d.text).join('')).toBe(reply.content);
    }
  };

  it('assistant: reads the backlog with a tool, streams its answer in order, stores it all and records chat usage', async () => {
    const project = await newProject('assistant');
    for (const name of ['one', 'two', 'three']) {
      await request(http)
        .post(`/api/v1/projects/${project.id}/features`)
        .send({ category: 'core', name, description: `${name} works`, steps: ['check'] })
        .expect(201);
    }
    const first = await prisma.feature.findFirstOrThrow({ where: { projectId: project.id } });
    await prisma.feature.update({ where: { id: first.id }, data: { status: 'passing' } });

    const chat = await newConversation(project.id, { kind: 'assistant' });
    expect(chat).toMatchObject({ kind: 'assistant', title: 'Assistant', provider: null });
    const other = await newConversation(project.id, { kind: 'assistant', title: 'Other' });
    const sse = await openEvents(project.id, chat.id);

    const asked = await post(chat, '[scenario:chat-assistant] How far along are we?');
    expect(asked).toMatchObject({ role: 'user', conversationId: chat.id, toolCalls: null });
    await post(other, '[scenario:chat-gemini] unrelated');

    const replied = await sse.waitFor('the final reply', isReply);
    const reply = data<ChatMessageData>(replied);
    expect(reply.message.content).toBe(
      'The backlog holds 3 features and 1 of them pass. The agents work on the ready ones first.',
    );
    expect(reply).toMatchObject({ provider: 'demo', model: 'claude-sonnet-5-5' });
    expect(reply.noTools).toBeUndefined();

    const messages = await messagesOf(chat);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(messages[0]).toEqual(asked);
    const [, call, result, answer] = messages;
    expect(call).toMatchObject({
      content: 'Let me look at the backlog first.',
      toolCalls: [{ name: 'feature_stats', input: {} }],
    });
    expect(result?.toolResult).toEqual({
      toolUseId: call?.toolCalls?.[0]?.id,
      name: 'feature_stats',
      isError: false,
    });
    expect(JSON.parse(result?.content ?? '')).toMatchObject({ total: 3, counts: { passing: 1 } });
    expect(answer?.id).toBe(reply.message.id);
    expectDeltasMatch(sse.events, messages);

    // In the order they happened, and only this conversation's.
    expect(sse.events.every((e) => e.conversationId === chat.id)).toBe(true);
    const order = sse.events.filter((e) => e.type !== 'chat.delta').map((e) => e.type);
    expect(order).toEqual([
      'chat.message',
      'chat.message',
      'chat.tool',
      'chat.message',
      'chat.message',
    ]);
    expect(
      data<ChatToolData>(sse.events.find((e) => e.type === 'chat.tool') as LiveEvent),
    ).toMatchObject({
      messageId: call?.id,
      name: 'feature_stats',
      isError: false,
    });

    const usage = await prisma.usageRecord.findMany({
      where: { conversationId: chat.id },
      orderBy: { createdAt: 'asc' },
    });
    expect(usage).toHaveLength(2);
    expect(usage.map((u) => [u.kind, u.provider, u.model, u.inputTokens, u.outputTokens])).toEqual([
      ['chat', 'demo', 'claude-sonnet-5-5', 900, 40],
      ['chat', 'demo', 'claude-sonnet-5-5', 1000, 30],
    ]);
    expect(usage.every((u) => u.projectId === project.id && u.runId === null)).toBe(true);
    expect(usage[0]?.costUsd.toNumber()).toBeCloseTo((900 * 3 + 40 * 15) / 1e6, 6);

    // The model saw the assistant's tools only: no file, bash or status-changing tools.
    const sent = fake
      .requests()
      .filter((r) => JSON.stringify(r.body).includes('[scenario:chat-assistant]'));
    const tools = (sent[0]?.body as { tools: { name: string }[] }).tools.map((t) => t.name);
    expect(tools.sort()).toEqual(
      [
        'feature_blocked',
        'feature_create',
        'feature_get',
        'feature_graph',
        'feature_ready',
        'feature_skip',
        'feature_stats',
      ].sort(),
    );

    // Answering the same message again (a redelivered job) does nothing.
    await expect(
      runnerApp
        .get(ChatTurnRunner)
        .run(
          { conversationId: chat.id, projectId: project.id, messageId: asked.id },
          { attempt: 1, maxAttempts: 2, rateLimit: async () => undefined },
        ),
    ).resolves.toEqual({ outcome: 'skipped', reason: `message ${asked.id} is already answered` });
    expect(await messagesOf(chat)).toHaveLength(4);
  });

  it('expand: proposes features with their dependency and adds nothing until a person does', async () => {
    const project = await newProject('expand');
    const chat = await newConversation(project.id, { kind: 'expand' });
    const sse = await openEvents(project.id, chat.id);
    await post(chat, '[scenario:chat-expand] Add search to the todo app.');
    const replied = await sse.waitFor('the final reply', isReply);
    expect(data<ChatMessageData>(replied).message.content).toMatch(/^I proposed 2 features/);

    const messages = await messagesOf(chat);
    const [call] = messages.filter((m) => m.toolCalls);
    const proposal = call?.toolCalls?.[0];
    expect(proposal?.name).toBe('propose_features');
    expect(ProposeFeaturesInputSchema.parse(proposal?.input).features).toMatchObject([
      { name: 'Search todos', dependsOn: [] },
      { name: 'Filter search results by state', dependsOn: [0] },
    ]);
    const [tool] = messages.filter((m) => m.role === 'tool');
    expect(tool?.toolResult).toMatchObject({ name: 'propose_features', isError: false });
    expect(tool?.content).toMatch(/^Proposed 2 features: "Search todos", /);
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(0);
    // The expander cannot write the backlog itself.
    const [sent] = fake
      .requests()
      .filter((r) => JSON.stringify(r.body).includes('Add search to the todo app.'));
    const tools = (sent?.body as { tools: { name: string }[] }).tools.map((t) => t.name).sort();
    expect(tools).toEqual(
      [
        'feature_blocked',
        'feature_get',
        'feature_graph',
        'feature_ready',
        'feature_stats',
        'propose_features',
      ].sort(),
    );
    expectDeltasMatch(sse.events, messages);
  });

  it("spec: write_spec replaces the project's spec", async () => {
    const project = await newProject('spec');
    const chat = await newConversation(project.id, { kind: 'spec', title: 'Write it' });
    expect(chat.title).toBe('Write it');
    const sse = await openEvents(project.id, chat.id);
    await post(chat, '[scenario:chat-spec] A todo app for one person, please.');
    await sse.waitFor('the final reply', isReply);

    const saved = await request(http).get(`/api/v1/projects/${project.id}`).expect(200);
    expect((saved.body as ProjectView).spec).toMatch(/^# Todo app\n\nA single page/);
    const messages = await messagesOf(chat);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(messages[1]?.toolCalls?.[0]?.name).toBe('write_spec');
    expect(messages[2]?.content).toMatch(/^The specification was saved \(\d+ characters\)\.$/);
  });

  it('gemini: a chat-only assistant answers without tools and is marked noTools', async () => {
    const project = await newProject('gemini');
    const chat = await newConversation(project.id, { kind: 'assistant', provider: 'gemini' });
    expect(chat.provider).toBe('gemini');
    const sse = await openEvents(project.id, chat.id);
    await post(chat, '[scenario:chat-gemini] Is anything passing?');
    const replied = await sse.waitFor('the final reply', isReply);

    expect(data<ChatMessageData>(replied)).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      noTools: true,
    });
    const deltas = sse.events.filter((e) => e.type === 'chat.delta');
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.every((e) => data<ChatDeltaData>(e).noTools === true)).toBe(true);
    const messages = await messagesOf(chat);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]).toMatchObject({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      fallbackFrom: null,
    });
    expect(messages[0]).toMatchObject({ provider: null, model: null, stopped: false });
    expectDeltasMatch(sse.events, messages);

    // Gemini's own wire format, with no tools and the backlog snapshot in the prompt instead.
    const [sent] = fake
      .requests()
      .filter(
        (r) => r.provider === 'gemini' && JSON.stringify(r.body).includes('Is anything passing?'),
      );
    expect(sent?.path).toMatch(/^\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent/);
    const body = sent?.body as { tools?: unknown; systemInstruction?: unknown };
    expect(body.tools).toBeUndefined();
    expect(JSON.stringify(body.systemInstruction)).toContain('You have no tools in this chat');

    const usage = await prisma.usageRecord.findMany({ where: { conversationId: chat.id } });
    expect(usage.map((u) => [u.kind, u.provider, u.model])).toEqual([
      ['chat', 'gemini', 'gemini-2.5-flash'],
    ]);
  });

  it('a model chosen for the conversation answers it', async () => {
    const project = await newProject('chosen model');
    const chat = await newConversation(project.id, {
      kind: 'assistant',
      provider: 'gemini',
      model: 'gemini-2.5-pro',
    });
    expect(chat).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-pro' });
    const sse = await openEvents(project.id, chat.id);
    await post(chat, '[scenario:chat-gemini] Which model is this?');
    await sse.waitFor('the final reply', isReply);
    const messages = await messagesOf(chat);
    expect(messages[1]).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-pro' });
    const [sent] = fake
      .requests()
      .filter(
        (r) => r.provider === 'gemini' && JSON.stringify(r.body).includes('Which model is this?'),
      );
    expect(sent?.path).toMatch(/^\/v1beta\/models\/gemini-2\.5-pro:streamGenerateContent/);
  });

  it('gemini: a kind that needs tools falls back to Claude and records the fallback', async () => {
    const project = await newProject('fallback');
    const chat = await newConversation(project.id, { kind: 'expand', provider: 'gemini' });
    const sse = await openEvents(project.id, chat.id);
    await post(chat, '[scenario:chat-expand] Add search, through Gemini.');
    const replied = await sse.waitFor('the final reply', isReply);

    const fallback = {
      from: 'gemini:gemini-2.5-flash',
      reason: 'gemini model gemini-2.5-flash is chat-only; tools need demo',
    };
    expect(data<ChatMessageData>(replied)).toMatchObject({
      provider: 'demo',
      model: 'claude-sonnet-5-5',
      fallback,
    });
    const messages = await messagesOf(chat);
    expect(messages.map((m) => m.role)).toEqual([
      'user',
      'system',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(messages[1]?.content).toBe(
      'gemini model gemini-2.5-flash is chat-only; tools need demo; this reply comes from demo claude-sonnet-5-5.',
    );
    const notice = sse.events.find(
      (e) => e.type === 'chat.message' && data<ChatMessageData>(e).message.role === 'system',
    );
    expect(notice && data<ChatMessageData>(notice).fallback).toEqual(fallback);
    expect(messages[1]?.notice).toBe('fallback');
    // Each reply says who wrote it, and that it stands in for Gemini.
    for (const m of messages.filter((m) => m.role === 'assistant')) {
      expect(m).toMatchObject({
        provider: 'demo',
        model: 'claude-sonnet-5-5',
        fallbackFrom: 'gemini:gemini-2.5-flash',
        stopped: false,
      });
    }
    const usage = await prisma.usageRecord.findMany({ where: { conversationId: chat.id } });
    expect(usage.map((u) => u.provider)).toEqual(['demo', 'demo']);
    expect(
      fake
        .requests()
        .some((r) => r.provider === 'gemini' && JSON.stringify(r.body).includes('through Gemini')),
    ).toBe(false);
  });

  it('a rate limit (429) waits and answers, without a failure or an attempt spent', async () => {
    const project = await newProject('limited');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    const sse = await openEvents(project.id, chat.id);
    const asked = await post(chat, '[scenario:chat-rate-limited] Hello?');

    const warned = await sse.waitFor('a rate-limit notice', (e) => e.type === 'chat.error');
    expect(warned.level).toBe('warn');
    expect(data<ChatErrorData>(warned)).toEqual({
      messageId: asked.id,
      retrying: true,
      retryAfterMs: 1000,
    });
    const replied = await sse.waitFor('the reply after the wait', isReply);
    expect(new Date(replied.at).getTime() - new Date(warned.at).getTime()).toBeGreaterThanOrEqual(
      900,
    );
    expect(data<ChatMessageData>(replied).message.content).toBe(
      'Sorry for the wait: here is the answer.',
    );
    expect((await messagesOf(chat)).map((m) => m.role)).toEqual(['user', 'assistant']);
    // The reply is published inside the job, a moment before BullMQ records it as completed.
    const job = await waitFor('the chat job', () =>
      api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id),
    );
    await waitUntil(
      'the chat job to complete',
      () => job.getState(),
      (s) => s === 'completed',
    );
    const done = await api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id);
    expect(done?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it('tool_limit: a reply still calling tools after the last round ends with a notice, each round stored', async () => {
    const project = await newProject('limit');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    await post(chat, '[scenario:chat-tool-limit] Count them, again and again.');
    const notice = await waitFor('the tool_limit notice', async () =>
      (await messagesOf(chat)).find((m) => m.notice === 'tool_limit'),
    );
    expect(notice.content).toBe(
      `Stopped after ${MAX_CHAT_ROUNDS} rounds of tool calls; send another message to continue.`,
    );
    const messages = await messagesOf(chat);
    const round = ['assistant', 'tool'];
    expect(messages.map((m) => m.role)).toEqual([
      'user',
      ...Array.from({ length: MAX_CHAT_ROUNDS }, () => round).flat(),
      'system',
    ]);
    // The same call every round is not "stuck" in a chat: the round limit ends it.
    expect(new Set(messages.flatMap((m) => m.toolCalls ?? []).map((c) => c.id)).size).toBe(
      MAX_CHAT_ROUNDS,
    );
    expect(await prisma.usageRecord.count({ where: { conversationId: chat.id } })).toBe(
      MAX_CHAT_ROUNDS,
    );
    await post(chat, 'Enough, thanks.');
  });

  it('a provider that keeps failing ends in a system message and chat.error, never an assistant message', async () => {
    const project = await newProject('broken');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    const sse = await openEvents(project.id, chat.id);
    const asked = await post(chat, '[scenario:chat-server-error] Hello?');

    const failed = await sse.waitFor(
      'the final chat.error',
      (e) => e.type === 'chat.error' && data<ChatErrorData>(e).retrying === false,
    );
    expect(failed.level).toBe('error');
    expect(data<ChatErrorData>(failed).messageId).toBe(asked.id);
    // The first attempt's failure announced a retry.
    expect(
      sse.events.some((e) => e.type === 'chat.error' && data<ChatErrorData>(e).retrying === true),
    ).toBe(true);

    const messages = await messagesOf(chat);
    expect(messages.map((m) => m.role)).toEqual(['user', 'system']);
    expect(messages[1]?.content).toMatch(/^No reply: provider error 500/);
    expect(await prisma.usageRecord.count({ where: { conversationId: chat.id } })).toBe(0);
    const job = await waitFor('the chat job', () =>
      api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id),
    );
    await waitUntil(
      'the chat job to fail',
      () => job.getState(),
      (s) => s === 'failed',
    );
    expect(job.opts.attempts).toBe(2);

    // The conversation is not stuck: the next message is accepted.
    await post(chat, 'Are you there now?');
  });

  it('one turn at a time: 409 while a message is still being answered', async () => {
    const project = await newProject('busy');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    await worker.pause();
    try {
      const asked = await post(chat, '[scenario:chat-gemini] first');
      const busy = await request(http)
        .post(`/api/v1/projects/${project.id}/conversations/${chat.id}/messages`)
        .send({ content: 'second' })
        .expect(409);
      expect(busy.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(busy.body.message).toContain(asked.id);
    } finally {
      worker.resume();
    }
    await waitFor('the reply', async () => (await messagesOf(chat)).length === 2);
    await post(chat, 'second');
  });

  it('stop: a streaming reply stops half-way, keeps what had streamed marked stopped, and retry asks again', async () => {
    const project = await newProject('stop');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    const base = `/api/v1/projects/${project.id}/conversations/${chat.id}`;
    // Nothing is being written yet.
    const idle = await request(http).post(`${base}/stop`).expect(409);
    expect(idle.body.message).toBe('no reply is being written in this conversation');
    await request(http).post(`${base}/retry`).expect(409);

    const sse = await openEvents(project.id, chat.id);
    const asked = await post(chat, '[scenario:chat-slow] Tell me everything.');
    // chat-slow types a chunk every 300 ms for about 4 s: stop once the first words are in.
    await sse.waitFor('the first streamed words', (e) => e.type === 'chat.delta');
    // One turn at a time: no retry while a reply is being written.
    await request(http).post(`${base}/retry`).expect(409);
    const stopped = await request(http).post(`${base}/stop`).expect(202);
    expect(stopped.body).toEqual({ messageId: asked.id, status: 'stopping' });

    const replied = await sse.waitFor('the stopped reply', isReply);
    const reply = data<ChatMessageData>(replied).message;
    const full = (
      JSON.parse(
        readFileSync(join(REPO_ROOT, 'apps/llm-fake/scenarios/chat-slow.json'), 'utf8'),
      ) as { turns: { content: { text: string }[] }[] }
    ).turns[0]?.content[0]?.text;
    expect(reply).toMatchObject({ role: 'assistant', stopped: true, provider: 'demo' });
    expect(reply.content.length).toBeGreaterThan(0);
    expect(reply.content.length).toBeLessThan(full?.length ?? 0);
    expect(full?.startsWith(reply.content)).toBe(true);
    expectDeltasMatch(sse.events, [reply]);
    // The job ends (no retry of a stopped turn), and nothing was recorded as a failure.
    const job = await waitFor('the chat job', () =>
      api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id),
    );
    await waitUntil(
      'the stopped turn to complete',
      () => job.getState(),
      (state) => state === 'completed',
    );
    expect(
      (await api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id))?.returnvalue,
    ).toMatchObject({ outcome: 'stopped', messageId: reply.id });
    expect(sse.events.some((e) => e.type === 'chat.error')).toBe(false);
    expect((await messagesOf(chat)).map((m) => [m.role, m.stopped])).toEqual([
      ['user', false],
      ['assistant', true],
    ]);
    await request(http).post(`${base}/stop`).expect(409);
    const audit = await prisma.auditEvent.findFirst({
      where: { action: 'conversation.stop', targetId: chat.id },
    });
    expect(audit).toMatchObject({ targetType: 'conversation', projectId: project.id });

    // Retry asks the same question again, and this time the answer runs to its end.
    const again = await request(http).post(`${base}/retry`).expect(202);
    expect(again.body).toMatchObject({ role: 'user', content: asked.content });
    expect((again.body as MessageView).id).not.toBe(asked.id);
    const answered = await sse.waitFor(
      'the retried reply',
      (e) => isReply(e) && data<ChatMessageData>(e).message.id !== reply.id,
    );
    // The model saw the stopped attempt (chat-slow's second turn) and answered in full.
    expect(data<ChatMessageData>(answered).message).toMatchObject({
      content: 'In short: the backlog is on track.',
      stopped: false,
    });
    // Every retry is audited: the two refused (nothing to ask, a reply being written) and this one.
    const retries = await prisma.auditEvent.findMany({
      where: { action: 'conversation.retry', targetId: chat.id },
      orderBy: { id: 'asc' },
    });
    expect(retries.map((a) => (a.after as { refused?: boolean } | null)?.refused ?? false)).toEqual(
      [true, true, false],
    );
  });

  it('stop: a reply still on the queue never starts, and the conversation takes the next message', async () => {
    const project = await newProject('stop-queued');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    const base = `/api/v1/projects/${project.id}/conversations/${chat.id}`;
    await worker.pause();
    let asked: MessageView;
    try {
      asked = await post(chat, '[scenario:chat-gemini] never answered');
      const stopped = await request(http).post(`${base}/stop`).expect(202);
      expect(stopped.body).toEqual({ messageId: asked.id, status: 'stopped' });
      expect(await api.get(JobQueueService).queue(QueueName.Chat).getJob(asked.id)).toBeUndefined();
    } finally {
      worker.resume();
    }
    const messages = await messagesOf(chat);
    expect(messages.map((m) => [m.role, m.notice])).toEqual([
      ['user', null],
      ['system', 'stopped'],
    ]);
    expect(messages[1]?.content).toBe('Stopped before the reply started.');
    await post(chat, '[scenario:chat-gemini] and now?');
    await waitFor('the next reply', async () =>
      (await messagesOf(chat)).some((m) => m.role === 'assistant'),
    );
    // Both routes are admin changes under the conversation, refused for unknown ones.
    await request(http)
      .post(`/api/v1/projects/${project.id}/conversations/${MISSING}/stop`)
      .expect(404);
    await request(http)
      .post(`/api/v1/projects/${project.id}/conversations/${MISSING}/retry`)
      .expect(404);
  });

  it('lists and pages conversations and messages', async () => {
    const project = await newProject('paging');
    const a = await newConversation(project.id, { kind: 'spec' });
    const b = await newConversation(project.id, { kind: 'expand' });
    const list = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations?limit=1`)
      .expect(200);
    expect(list.body as Page<ConversationView>).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect((list.body as Page<ConversationView>).items.map((c) => c.id)).toEqual([b.id]);
    const specs = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations?kind=spec`)
      .expect(200);
    expect((specs.body as Page<ConversationView>).items.map((c) => c.id)).toEqual([a.id]);

    const at = Date.now();
    await prisma.message.createMany({
      data: [1, 2, 3, 4, 5].map((n) => ({
        conversationId: a.id,
        role: n % 2 ? ('user' as const) : ('assistant' as const),
        content: `m${n}`,
        createdAt: new Date(at + n),
      })),
    });
    const page = async (q: string) =>
      (
        (
          await request(http)
            .get(`/api/v1/projects/${project.id}/conversations/${a.id}?${q}`)
            .expect(200)
        ).body as ConversationDetailView
      ).messages;
    expect((await page('limit=2')).items.map((m) => m.content)).toEqual(['m4', 'm5']);
    const older = await page('limit=2&offset=2');
    expect(older.items.map((m) => m.content)).toEqual(['m2', 'm3']);
    expect(older.total).toBe(5);
  });

  it('answers 404 for unknown projects and conversations, 400 with reasons for bad input', async () => {
    const project = await newProject('errors');
    const chat = await newConversation(project.id, { kind: 'assistant' });
    const elsewhere = await newProject('elsewhere');
    const base = `/api/v1/projects/${project.id}/conversations`;

    const noProject = await request(http)
      .post(`/api/v1/projects/${MISSING}/conversations`)
      .send({ kind: 'assistant' })
      .expect(404);
    expect(noProject.body.message).toBe(`project ${MISSING} not found`);
    await request(http).get(`/api/v1/projects/${MISSING}/conversations`).expect(404);
    const noChat = await request(http).get(`${base}/${MISSING}`).expect(404);
    expect(noChat.body.message).toBe(`conversation ${MISSING} not found`);
    await request(http).post(`${base}/${MISSING}/messages`).send({ content: 'hi' }).expect(404);
    // A conversation is only found under its own project.
    await request(http)
      .get(`/api/v1/projects/${elsewhere.id}/conversations/${chat.id}`)
      .expect(404);

    const bad = await request(http)
      .post(base)
      .send({ kind: 'gossip', provider: 'openai', title: '', owner: 'me', model: 'm'.repeat(201) })
      .expect(400);
    expect((bad.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(
      ['body.kind', 'body.model', 'body.owner', 'body.provider', 'body.title'].sort(),
    );
    for (const content of ['', '   ', 'x'.repeat(20_001)]) {
      const res = await request(http)
        .post(`${base}/${chat.id}/messages`)
        .send({ content })
        .expect(400);
      expect((res.body.issues as { path: string }[])[0]?.path).toBe('body.content');
    }
    await request(http).post(`${base}/${chat.id}/messages`).send({}).expect(400);
    const badId = await request(http).get(`${base}/nope`).expect(400);
    expect(badId.body.issues).toEqual([
      { path: 'params.conversationId', message: 'must be a UUID' },
    ]);
    await request(http)
      .get(`/api/v1/projects/${project.id}/events?conversationId=nope`)
      .expect(400);
    expect(await prisma.message.count({ where: { conversationId: chat.id } })).toBe(0);
  });
});
