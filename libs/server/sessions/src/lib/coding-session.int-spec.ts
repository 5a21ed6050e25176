// Coding sessions in-process against the real Postgres, Redis, git and the real Claude SDK pointed
// at llm-fake: a question to a person and the next session using the answer; a verification that
// fails keeps main as it was and hands the feature back with the output; a retried attempt
// reports the merge its dead predecessor queued; a stop while the merge is verified lets it land.
import { FeaturesService, HumanInputService, ProjectsService } from '@autocoder/server-projects';
import { PrismaService } from '@autocoder/server-db';
import { ProjectRepository } from '@autocoder/server-workspace';
import { INestApplicationContext } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { DomainMetrics } from '@autocoder/server-observability';
import { randomBytes } from 'node:crypto';
import { waitFor, waitUntil } from '@autocoder/server-test-support';
import { ActiveSessions } from './active-sessions';
import { AgentControlService } from '@autocoder/server-orchestration';
import { CodingSessionService } from './coding-session.service';
import { PROJECT_REPOSITORY } from '@autocoder/server-code';
import { SessionTestApp, startSessionTestApp } from './testing/session-test-app';

describe('coding sessions (integration)', () => {
  let t: SessionTestApp;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let sessions: CodingSessionService;

  beforeAll(async () => {
    t = await startSessionTestApp('coding');
    ({ app, prisma } = t);
    sessions = app.get(CodingSessionService);
  });

  afterAll(() => t?.close());

  const ctx = () => ({
    attempt: 1,
    maxAttempts: 1,
    runnerId: 'test-runner',
    signal: new AbortController().signal,
  });

  async function runningProject(
    spec: string,
    verifyCommand?: string,
    agents?: { provider?: 'ollama' | 'gemini'; model?: string },
  ) {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec,
      verifyCommand,
      agents,
    });
    const f = await app.get(FeaturesService).create(p.id, {
      category: 'storage',
      name: 'Store todos',
      description: 'Keep todos somewhere.',
      steps: ['Add a todo and find it again'],
    });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    return { projectId: p.id, featureId: f.id };
  }

  const session = async (projectId: string) => {
    const run = await prisma.run.create({ data: { projectId, role: 'coding' } });
    return { run, result: await sessions.run({ runId: run.id, projectId }, ctx()) };
  };

  const mainFile = (projectId: string, file: string): string =>
    execFileSync(
      'git',
      [
        `--git-dir=${app.get<ProjectRepository>(PROJECT_REPOSITORY).repoPath(projectId)}`,
        'show',
        `main:${file}`,
      ],
      { encoding: 'utf8' },
    );

  it('asks a person, and the next session builds on the answer', async () => {
    const { projectId, featureId } = await runningProject('[scenario:coding-ask] Todos.');
    // The session's metrics (the shared registry's: no MetricsModule here), before and after.
    const metrics = DomainMetrics.shared();
    const read = async () => ({
      active: await metrics.valueOf('sessionsActive', { role: 'coding' }),
      turns: await metrics.valueOf('turns', { role: 'coding' }),
      tools: await metrics.valueOf('toolCalls', { role: 'coding', outcome: 'ok' }),
      calls: await metrics.valueOf('modelCallDuration', { outcome: 'ok' }, '_count'),
    });
    const before = await read();
    const running = sessions.run(
      { runId: (await prisma.run.create({ data: { projectId, role: 'coding' } })).id, projectId },
      ctx(),
    );
    await waitUntil(
      'the session to count as active',
      () => metrics.valueOf('sessionsActive', { role: 'coding' }),
      (n) => n === before.active + 1,
      { intervalMs: 5 },
    );
    const first = { result: await running };
    const after = await read();
    expect(after.active).toBe(before.active);
    expect(after.turns).toBeGreaterThan(before.turns);
    expect(after.tools).toBeGreaterThan(before.tools);
    expect(after.calls).toBeGreaterThan(before.calls);
    expect(first.result).toMatchObject({ outcome: 'finished', status: 'succeeded' });
    const waiting = await prisma.feature.findUniqueOrThrow({ where: { id: featureId } });
    expect(waiting).toMatchObject({ status: 'needs_input', leaseOwner: null });
    expect(waiting.humanInputRequest).toMatchObject({ prompt: 'Where should todos be stored?' });

    // Nothing else was ready, so the agents stopped to wait for the answer; the answer puts the
    // feature back and wakes them (as the api does after answering): running again, with a
    // coding session dispatched, and nobody pressed start.
    const project = () => prisma.project.findUniqueOrThrow({ where: { id: projectId } });
    expect((await project()).status).toBe('waiting');
    expect((await app.get(ProjectsService).get(projectId)).activity).toMatchObject({
      state: 'waiting',
      questions: 1,
      summary: 'Waiting for your answer to 1 question',
    });
    await app
      .get(HumanInputService)
      .answer(projectId, featureId, { values: { storage: 'sqlite' } });
    expect(await app.get(AgentControlService).wake(projectId, 'a question was answered')).toBe(
      'running',
    );
    expect((await project()).status).toBe('running');
    const dispatched = await prisma.run.findFirstOrThrow({
      where: { projectId, role: 'coding', status: 'queued' },
    });
    const second = {
      run: dispatched,
      result: await sessions.run({ runId: dispatched.id, projectId }, ctx()),
    };
    expect(second.result).toMatchObject({ outcome: 'finished', status: 'succeeded', featureId });
    // Everything passes: the run ended and nothing waits any more.
    expect((await project()).status).toBe('ready');
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: featureId } })).toMatchObject({
      status: 'passing',
      leaseOwner: null,
    });
    expect(mainFile(projectId, `features/${featureId}.js`)).toContain("storage: 'sqlite'");
    // Per-feature usage was recorded as new work.
    const usage = await prisma.usageRecord.findMany({ where: { runId: second.run.id } });
    expect(usage.length).toBeGreaterThan(0);
    expect(usage.every((u) => u.featureId === featureId && u.kind === 'new_work')).toBe(true);
  }, 120_000);

  it('a failing verification leaves main alone and hands the feature back with the output', async () => {
    const { projectId, featureId } = await runningProject(
      'A project whose checks fail.',
      'echo "3 tests failed" && exit 3',
    );
    const repos = app.get<ProjectRepository>(PROJECT_REPOSITORY);
    await repos.ensure(projectId);
    const mainBefore = await repos.mainCommit(projectId);
    const { run, result } = await session(projectId);
    expect(result).toMatchObject({ outcome: 'finished', status: 'failed', featureId });
    expect(await repos.mainCommit(projectId)).toBe(mainBefore);
    const feature = await prisma.feature.findUniqueOrThrow({ where: { id: featureId } });
    expect(feature).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: null });
    expect(feature.lastError).toMatch(/^verification failed: .*3 tests failed/s);
    const events = await prisma.runEvent.findMany({ where: { runId: run.id } });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['feature.claimed', 'workspace.committed', 'workspace.verification']),
    );
  });

  it('the demo’s verification: the scripted test passes `node --test` on main, and a wrong module never passes', async () => {
    const repos = app.get<ProjectRepository>(PROJECT_REPOSITORY);
    const good = await runningProject('A todo list app.', 'node --test');
    const done = await session(good.projectId);
    expect(done.result).toMatchObject({ status: 'succeeded', featureId: good.featureId });
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: good.featureId } })).toMatchObject(
      { status: 'passing' },
    );
    expect(mainFile(good.projectId, `test/${good.featureId}.test.js`)).toContain(
      'adds, completes and filters todos',
    );
    // Every turn after the first reads the previous prompt from cache; the run keeps the totals.
    const usage = await prisma.usageRecord.findMany({ where: { runId: done.run.id } });
    const sum = (key: 'cacheReadTokens' | 'cacheWriteTokens') =>
      usage.reduce((n, u) => n + u[key], 0);
    expect(usage.slice(1).every((u) => u.cacheReadTokens > u.inputTokens)).toBe(true);
    expect(await prisma.run.findUniqueOrThrow({ where: { id: done.run.id } })).toMatchObject({
      cacheReadTokens: sum('cacheReadTokens'),
      cacheWriteTokens: sum('cacheWriteTokens'),
    });
    expect(sum('cacheWriteTokens')).toBeGreaterThan(0);

    // The agent claims passing over a module with a bug; the same test, run by the project's
    // verification command on the merge, refuses it.
    const bad = await runningProject('[scenario:coding-broken] A todo list app.', 'node --test');
    await repos.ensure(bad.projectId);
    const mainBefore = await repos.mainCommit(bad.projectId);
    const { run, result } = await session(bad.projectId);
    expect(result).toMatchObject({ status: 'failed', featureId: bad.featureId });
    expect(await repos.mainCommit(bad.projectId)).toBe(mainBefore);
    const feature = await prisma.feature.findUniqueOrThrow({ where: { id: bad.featureId } });
    expect(feature).toMatchObject({ status: 'pending', leaseOwner: null });
    expect(feature.lastError).toMatch(/^verification failed: .*# fail 1/s);
    const events = await prisma.runEvent.findMany({ where: { runId: run.id } });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['workspace.verification']));
    expect(events.map((e) => e.type)).not.toContain('feature.passing');
  }, 120_000);

  it('a retried attempt finds the merge its dead predecessor queued done, and claims nothing else', async () => {
    const { projectId, featureId } = await runningProject('A todo list app.', 'node --test');
    const first = await session(projectId);
    expect(first.result).toMatchObject({ status: 'succeeded', featureId });
    // As if attempt 1 died once its request was merged, before it heard (its runner lost, or
    // the database gone for a moment while it waited): the queue journaled the merge anyway.
    await prisma.run.update({
      where: { id: first.run.id },
      data: { status: 'running', finishedAt: null },
    });
    const other = await app.get(FeaturesService).create(projectId, {
      category: 'storage',
      name: 'Export todos',
      description: 'Write them out.',
      steps: ['Export and read back'],
    });
    // Still running, with work left (the first feature's pass had made it ready).
    await prisma.project.update({ where: { id: projectId }, data: { status: 'running' } });
    const retried = await sessions.run(
      { runId: first.run.id, projectId },
      { ...ctx(), attempt: 2, maxAttempts: 2 },
    );
    expect(retried).toMatchObject({ status: 'succeeded', featureId });
    const passing = await prisma.runEvent.findMany({
      where: { runId: first.run.id, type: 'feature.passing' },
    });
    expect(passing.map((e) => (e.data as { featureId: string }).featureId)).toEqual([featureId]);
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({
      status: 'pending',
      leaseOwner: null,
      attempts: 0,
    });
  }, 120_000);

  it('a stop while the session waits for its merge lets the merge land and the run report it', async () => {
    // Verification takes a few seconds (it runs sandboxed, so it cannot signal out).
    const { projectId, featureId } = await runningProject('A todo list app.', 'sleep 4');
    const run = await prisma.run.create({ data: { projectId, role: 'coding' } });
    const running = sessions.run({ runId: run.id, projectId }, ctx());
    await waitFor('the branch to be queued', () =>
      prisma.runEvent.findFirst({ where: { runId: run.id, type: 'workspace.queued' } }),
    );
    // The stop reaches the session while it waits for the merge queue.
    expect(app.get(ActiveSessions).stopProject(projectId, 'stopped by request')).toBe(1);
    expect(await running).toMatchObject({ outcome: 'finished', status: 'succeeded', featureId });
    const events = await prisma.runEvent.findMany({ where: { runId: run.id } });
    expect(events.filter((e) => e.type === 'feature.passing')).toHaveLength(1);
    expect(events.map((e) => e.type)).toContain('workspace.merged');
    expect(await prisma.feature.findUniqueOrThrow({ where: { id: featureId } })).toMatchObject({
      status: 'passing',
      leaseOwner: null,
    });
  }, 120_000);

  it('runs on the project’s provider (Ollama), and falls back to Claude for a chat-only model', async () => {
    const local = await runningProject('A local build.', undefined, {
      provider: 'ollama',
      model: 'llama3.1:8b',
    });
    const { run, result } = await session(local.projectId);
    expect(result).toMatchObject({ outcome: 'finished', status: 'succeeded' });
    expect(await prisma.run.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      provider: 'ollama',
      model: 'llama3.1:8b',
    });
    const usage = await prisma.usageRecord.findMany({ where: { runId: run.id } });
    expect(usage.length).toBeGreaterThan(0);
    expect(usage.every((u) => u.provider === 'ollama' && Number(u.costUsd) === 0)).toBe(true);

    const chatOnly = await runningProject('A chat-only model.', undefined, {
      provider: 'ollama',
      model: 'gemma3',
    });
    const fallback = await session(chatOnly.projectId);
    expect(fallback.result).toMatchObject({ outcome: 'finished', status: 'succeeded' });
    const events = await prisma.runEvent.findMany({ where: { runId: fallback.run.id } });
    expect(events.find((e) => e.type === 'provider.fallback')?.message).toMatch(
      /gemma3 is chat-only; tools need demo/,
    );
    expect(await prisma.run.findUniqueOrThrow({ where: { id: fallback.run.id } })).toMatchObject({
      provider: 'demo',
    });
  });
});
