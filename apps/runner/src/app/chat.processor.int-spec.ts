// The runner module in-process with ACTIVE_QUEUES=chat, against the real Postgres, Redis and
// llm-fake: a chat-turn job on the queue is taken by the ChatProcessor and answered with the
// providers the runner builds from its configuration (the demo Claude, and Gemini in demo mode).
import { loadConfig } from '@autocoder/server-config';
import { Prisma, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { JobQueueService, JobWorkers } from '@autocoder/server-queue';
import { REPO_ROOT, waitFor, waitUntil } from '@autocoder/server-test-support';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainMetrics } from '@autocoder/server-observability';
import { ChatProcessor } from './chat.processor';
import { RunnerModule } from './runner.module';

describe('chat processor (integration)', () => {
  let db: TestDatabase;
  let fake: LlmFakeServer;
  let app: INestApplication;
  let prisma: PrismaService;
  let workspace: string;
  const prefix = `runner-chat-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    workspace = mkdtempSync(join(tmpdir(), 'runner-chat-'));
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fake.url,
      ACTIVE_QUEUES: 'chat',
      WORKSPACE_ROOT: workspace,
      GIT_SERVER_URL: `${workspace}/.remotes`,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [RunnerModule.forRoot(config)],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app?.get(JobQueueService).queue(QueueName.Chat).obliterate({ force: true });
    await app?.close();
    await fake?.close();
    await db?.drop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  const ask = async (kind: 'assistant' | 'expand', provider: string | null, content: string) => {
    const project = await prisma.project.create({
      data: { name: `p-${randomBytes(4).toString('hex')}`, spec: 'A todo app.' },
    });
    const conversation = await prisma.conversation.create({
      data: { projectId: project.id, kind, title: kind, provider },
    });
    const message = await prisma.message.create({
      data: { conversationId: conversation.id, role: 'user', content },
    });
    await app.get(JobQueueService).enqueue({
      name: JobName.ChatTurn,
      data: { conversationId: conversation.id, projectId: project.id, messageId: message.id },
    });
    return { project, conversation, message };
  };

  const replyOf = (conversationId: string) =>
    waitFor(
      'the reply',
      () =>
        prisma.message.findFirst({
          where: { conversationId, role: 'assistant', toolCalls: { equals: Prisma.AnyNull } },
        }),
      { timeoutMs: 60_000 },
    );

  it('consumes the chat queue and answers through Gemini, which the demo runner offers', async () => {
    expect(app.get(JobWorkers).isRunning(QueueName.Chat)).toBe(true);
    const metrics = app.get(DomainMetrics);
    const read = async () => ({
      completed: await metrics.valueOf('jobsCompleted', { queue: 'chat', job: 'chat-turn' }),
      turns: await metrics.valueOf('turns', { role: 'chat' }),
      tokens: await metrics.valueOf('modelTokens', {
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        direction: 'output',
      }),
      active: await metrics.valueOf('sessionsActive', { role: 'chat' }),
    });
    const before = await read();
    const { conversation } = await ask('assistant', 'gemini', '[scenario:chat-gemini] Anything?');
    const reply = await replyOf(conversation.id);
    expect(reply.content).toMatch(/^From the snapshot I was given/);
    // The turn's job, its model call and the chat session moved the runner's metrics.
    const after = await waitUntil(
      'the chat job to complete',
      read,
      (m) => m.completed > before.completed,
    );
    expect(after.turns).toBeGreaterThan(before.turns);
    expect(after.tokens).toBeGreaterThan(before.tokens);
    expect(after.active).toBe(before.active);
    const usage = await prisma.usageRecord.findMany({ where: { conversationId: conversation.id } });
    expect(usage.map((u) => [u.kind, u.provider, u.model])).toEqual([
      ['chat', 'gemini', 'gemini-2.5-flash'],
    ]);
  });

  it('runs the tools of a kind through the default provider and deduplicates a resubmitted job', async () => {
    const { project, conversation, message } = await ask(
      'expand',
      null,
      '[scenario:chat-expand] More features.',
    );
    await replyOf(conversation.id);
    // The expander proposes (propose_features); a person adds the features.
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(4);
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(0);
    // The reply is stored inside the job, a moment before BullMQ records it as completed.
    const chatQueue = app.get(JobQueueService).queue(QueueName.Chat);
    await waitUntil(
      'the turn to complete',
      async () => (await chatQueue.getJob(message.id))?.getState(),
      (s) => s === 'completed',
    );

    // The same message enqueued again is the same (completed) job: nothing runs twice.
    const again = await app.get(JobQueueService).enqueue({
      name: JobName.ChatTurn,
      data: { conversationId: conversation.id, projectId: project.id, messageId: message.id },
    });
    expect(again.id).toBe(message.id);
    expect(await again.getState()).toBe('completed');
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(4);
    expect(await prisma.usageRecord.count({ where: { conversationId: conversation.id } })).toBe(2);
  });

  it('leaves the agent-session queue alone when ACTIVE_QUEUES does not name it', () => {
    expect(app.get(JobWorkers).isRunning(QueueName.Chat)).toBe(true);
    expect(app.get(JobWorkers).isRunning(QueueName.AgentSession)).toBe(false);
  });

  it('takes no more turns once drained for shutdown', async () => {
    await app.get(ChatProcessor).drain();
    expect(app.get(JobWorkers).isRunning(QueueName.Chat)).toBe(false);
    const { conversation, message } = await ask('assistant', null, '[scenario:chat-gemini] Late?');
    await new Promise((r) => setTimeout(r, 500));
    const job = await app.get(JobQueueService).queue(QueueName.Chat).getJob(message.id);
    expect(await job?.getState()).toBe('waiting');
    expect(await prisma.message.count({ where: { conversationId: conversation.id } })).toBe(1);
  });
});
