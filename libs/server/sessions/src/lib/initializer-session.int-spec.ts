// Initializer sessions in-process, as a session role beside coding and testing: the shared agent
// loop on the project's chosen provider, with its budget, against the real Postgres, Redis and the
// real Claude and Ollama clients pointed at llm-fake.
import { ProjectsService } from '@autocoder/server-projects';
import { PrismaService } from '@autocoder/server-db';
import type { LlmFakeServer } from '@autocoder/server-llm-fake';
import { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { InitializerSessionService } from './initializer-session.service';
import { SessionTestApp, startSessionTestApp } from './testing/session-test-app';

describe('initializer sessions (integration)', () => {
  let t: SessionTestApp;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let fake: LlmFakeServer;
  let sessions: InitializerSessionService;

  beforeAll(async () => {
    t = await startSessionTestApp('initializer');
    ({ app, prisma, fake } = t);
    sessions = app.get(InitializerSessionService);
  });

  afterAll(() => t?.close());

  const ctx = () => ({
    attempt: 1,
    maxAttempts: 1,
    runnerId: 'test-runner',
    signal: new AbortController().signal,
  });

  async function initializingProject(
    spec: string,
    extra: { agents?: { provider?: 'ollama'; model?: string }; budgetUsd?: number } = {},
  ) {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec,
      ...extra,
    });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'initializing' } });
    const run = await prisma.run.create({ data: { projectId: p.id, role: 'initializer' } });
    return { projectId: p.id, run };
  }

  it("writes the backlog on the project's chosen provider (Ollama) and leaves the project ready", async () => {
    const { projectId, run } = await initializingProject('[scenario:small] A tiny notes app.', {
      agents: { provider: 'ollama', model: 'llama3.1' },
    });
    const result = await sessions.run({ runId: run.id, projectId, requestId: 'r-1' }, ctx());
    expect(result).toMatchObject({ outcome: 'finished', status: 'succeeded' });
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ status: 'succeeded', provider: 'ollama', model: 'llama3.1' });
    expect(await prisma.feature.count({ where: { projectId } })).toBe(5);
    const project = await prisma.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(project.status).toBe('ready');
    const usage = await prisma.usageRecord.findMany({ where: { runId: run.id } });
    expect(usage.length).toBeGreaterThan(0);
    expect(usage.every((u) => u.provider === 'ollama' && u.kind === 'initializer')).toBe(true);
    const started = await prisma.runEvent.findFirstOrThrow({
      where: { runId: run.id, type: 'run.started' },
    });
    expect(started.data).toMatchObject({ requestId: 'r-1', role: 'initializer' });
  });

  it("stops at the project's budget before a backlog is written, and the project goes back to idle", async () => {
    const { projectId, run } = await initializingProject('[scenario:malformed] A chat app.', {
      budgetUsd: 0.000001,
    });
    const result = await sessions.run({ runId: run.id, projectId }, ctx());
    expect(result).toMatchObject({ outcome: 'finished', status: 'budget_exceeded' });
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.status).toBe('budget_exceeded');
    expect(after.error).toMatch(/project budget/);
    expect(await prisma.feature.count({ where: { projectId } })).toBe(0);
    const project = await prisma.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(project.status).toBe('idle');
  });

  it('skips a run whose project is no longer initializing, and cancels it', async () => {
    const { projectId, run } = await initializingProject('[scenario:small] Notes.');
    await prisma.project.update({ where: { id: projectId }, data: { status: 'idle' } });
    const asked = fake.requests().length;
    const result = await sessions.run({ runId: run.id, projectId }, ctx());
    expect(result).toEqual({ outcome: 'skipped', reason: 'project is idle' });
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe(
      'cancelled',
    );
    expect(fake.requests()).toHaveLength(asked);
  });
});
