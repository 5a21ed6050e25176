import { randomUUID } from 'node:crypto';
import { FeatureStatus } from '../generated/prisma/client';
import { DbTestModule, startDbTestModule } from '../testing/db-test-module';
import { ConversationRepository } from './conversation.repository';
import { PrismaService } from './prisma.service';

describe('ConversationRepository against Postgres', () => {
  let t: DbTestModule;
  let prisma: PrismaService;
  let conversations: ConversationRepository;

  beforeAll(async () => {
    t = await startDbTestModule();
    prisma = t.get(PrismaService);
    conversations = t.get(ConversationRepository);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const seed = async () => {
    const project = await prisma.project.create({
      data: { name: `chat-${randomUUID()}`, spec: '-' },
    });
    const conversation = await prisma.conversation.create({
      data: { projectId: project.id, kind: 'assistant', title: 't' },
    });
    return { project, conversation };
  };

  it('finds a conversation with its project, and nothing for an unknown id', async () => {
    const { project, conversation } = await seed();
    expect((await conversations.findWithProject(conversation.id))?.project.id).toBe(project.id);
    expect(await conversations.findWithProject(randomUUID())).toBeNull();
  });

  it('appends messages strictly after the latest, touching the conversation', async () => {
    const { conversation } = await seed();
    // A message stamped in the future (another clock): later ones still come after it.
    const future = new Date(Date.now() + 60_000);
    await prisma.message.create({
      data: { conversationId: conversation.id, role: 'user', content: 'q', createdAt: future },
    });
    const id = randomUUID();
    const answer = await conversations.append(conversation.id, {
      id,
      role: 'assistant',
      content: 'a',
      toolCalls: [{ id: 'c1', name: 'feature_stats', input: {} }],
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      stopped: true,
    });
    const note = await conversations.append(conversation.id, { role: 'system', content: 'n' });
    expect(answer).toMatchObject({ id, provider: 'anthropic', stopped: true });
    expect(answer.createdAt.getTime()).toBe(future.getTime() + 1);
    expect(note.createdAt.getTime()).toBe(future.getTime() + 2);
    expect((await conversations.messages(conversation.id)).map((m) => m.content)).toEqual([
      'q',
      'a',
      'n',
    ]);
    const touched = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(touched.updatedAt.getTime()).toBeGreaterThan(conversation.updatedAt.getTime());
  });

  it('keeps concurrent appends in distinct, increasing times', async () => {
    const { conversation } = await seed();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        conversations.append(conversation.id, { role: 'tool', content: String(i) }),
      ),
    );
    const times = (await conversations.messages(conversation.id)).map((m) => m.createdAt.getTime());
    expect(new Set(times).size).toBe(8);
  });

  it('refuses a message to an unknown conversation', async () => {
    await expect(
      conversations.append(randomUUID(), { role: 'user', content: 'x' }),
    ).rejects.toThrow();
  });

  it('records chat usage against the project and conversation', async () => {
    const { project, conversation } = await seed();
    await conversations.recordUsage(conversation, {
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 3,
      costUsd: 0.0012,
    });
    const [usage] = await prisma.usageRecord.findMany({
      where: { conversationId: conversation.id },
    });
    expect(usage).toMatchObject({
      projectId: project.id,
      kind: 'chat',
      provider: 'gemini',
      inputTokens: 10,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
    });
    expect(Number(usage?.costUsd)).toBeCloseTo(0.0012);
  });

  it('lists the open features by priority, up to a limit', async () => {
    const { project } = await seed();
    const statuses: FeatureStatus[] = [
      'passing',
      'pending',
      'failing',
      'in_progress',
      'needs_input',
    ];
    await prisma.feature.createMany({
      data: statuses.map((status, i) => ({
        projectId: project.id,
        priority: 10 - i,
        category: 'c',
        name: status,
        description: '-',
        status,
      })),
    });
    expect(await conversations.openFeatures(project.id, 3)).toEqual([
      { name: 'needs_input', status: 'needs_input' },
      { name: 'in_progress', status: 'in_progress' },
      { name: 'failing', status: 'failing' },
    ]);
    expect((await conversations.openFeatures(project.id, 20)).map((f) => f.name)).toEqual([
      'needs_input',
      'in_progress',
      'failing',
      'pending',
    ]);
  });
});
