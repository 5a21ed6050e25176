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

  it('finds a conversation with its project, only in that project', async () => {
    const { project, conversation } = await seed();
    expect((await conversations.find(project.id, conversation.id))?.project.id).toBe(project.id);
    expect(await conversations.find(project.id, randomUUID())).toBeNull();
    const other = await seed();
    expect(await conversations.find(other.project.id, conversation.id)).toBeNull();
  });

  it('pages conversations by kind, last touched first', async () => {
    const { project, conversation } = await seed();
    const spec = await conversations.create({ projectId: project.id, kind: 'spec', title: 's' });
    expect(await conversations.page(project.id, undefined, 0, 1)).toEqual({
      rows: [spec],
      total: 2,
    });
    const assistants = await conversations.page(project.id, 'assistant', 0, 10);
    expect(assistants.rows.map((c) => c.id)).toEqual([conversation.id]);
    expect(assistants.total).toBe(1);
  });

  it('reads messages newest first, oldest first after one, and the last person message', async () => {
    const { conversation } = await seed();
    const add = (role: 'user' | 'assistant', content: string) =>
      conversations.append(conversation.id, { role, content });
    const [q1, a1, q2, a2] = [
      await add('user', 'q1'),
      await add('assistant', 'a1'),
      await add('user', 'q2'),
      await add('assistant', 'a2'),
    ];
    const latest = await conversations.latestMessages(conversation.id, 1, 2);
    expect(latest.rows.map((m) => m.id)).toEqual([q2.id, a1.id]);
    expect(latest.total).toBe(4);
    expect((await conversations.messages(conversation.id, q1)).map((m) => m.id)).toEqual([
      a1.id,
      q2.id,
      a2.id,
    ]);
    expect((await conversations.messages(conversation.id, a1, 1)).map((m) => m.id)).toEqual([
      q2.id,
    ]);
    expect((await conversations.lastAsked(conversation.id))?.id).toBe(q2.id);
    await conversations.deleteMessage(q2.id);
    expect((await conversations.lastAsked(conversation.id))?.id).toBe(q1.id);
  });

  it('lets a guard see the latest message and refuse an append', async () => {
    const { conversation } = await seed();
    const first = await conversations.append(conversation.id, { role: 'user', content: 'q' });
    const seen: (string | undefined)[] = [];
    const refused = conversations.append(
      conversation.id,
      { role: 'user', content: 'again' },
      async (latest) => {
        seen.push(latest?.id);
        throw new Error('busy');
      },
    );
    await expect(refused).rejects.toThrow('busy');
    expect(seen).toEqual([first.id]);
    expect(await conversations.messages(conversation.id)).toHaveLength(1);
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
