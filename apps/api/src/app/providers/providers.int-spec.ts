// GET /providers against the real Redis (the cache) and llm-fake serving Ollama's /api/tags to the
// real `ollama` client: what is listed, that a second call is served from the cache without
// asking Ollama, that POST /providers/refresh (admin, audited) invalidates it, and that an Ollama
// host that does not answer is reported as unavailable with its reason.
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { REPO_ROOT, waitUntil } from '@autocoder/server-test-support';
import type {
  ProjectDeletePreviewView,
  ProjectView,
  ProviderListView,
} from '@autocoder/shared-contracts';
import type { TestDatabase } from '@autocoder/server-db/testing';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('providers and models (integration)', () => {
  let fake: LlmFakeServer;
  let api: TestApi & { db: TestDatabase; prefix: string };
  let http: App;
  let admin: string;
  let viewer: string;
  let redis: Redis;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const tagRequests = () => fake.requests().filter((r) => r.path === '/api/tags').length;
  const list = async (token = viewer) =>
    (await request(http).get('/api/v1/providers').set(as(token)).expect(200))
      .body as ProviderListView;

  beforeAll(async () => {
    fake = await startLlmFake({
      port: 0,
      scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
    });
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: fake.url,
      OLLAMA_HOST: fake.url,
      OLLAMA_MODEL: 'llama3.1:latest',
      PROVIDERS_CACHE_TTL_SECONDS: '60',
    });
    http = api.app.getHttpServer() as App;
    ({ admin, viewer } = await tokensFor(api));
    redis = new Redis('redis://127.0.0.1:6379');
  }, 60_000);

  afterAll(async () => {
    await redis?.del(`${api.prefix}:providers:v1`);
    redis?.disconnect();
    await api?.close();
    await fake?.close();
  });

  it('lists the demo (active), Anthropic without a key, Gemini through the demo and the Ollama tags', async () => {
    fake.reset();
    const view = await list();
    expect(view.active).toEqual({ provider: 'demo', model: 'claude-sonnet-5-5' });
    expect(view.ttlSeconds).toBe(60);
    const byId = Object.fromEntries(view.providers.map((p) => [p.id, p]));
    expect(Object.keys(byId)).toEqual(['demo', 'anthropic', 'gemini', 'ollama']);

    expect(byId['demo']).toMatchObject({ available: true, active: true });
    expect(byId['demo'].models[0]).toMatchObject({
      id: 'claude-sonnet-5-5',
      tools: true,
      inputPerMTok: 3,
      outputPerMTok: 15,
      roles: ['initializer', 'coding', 'testing', 'chat'],
    });
    expect(byId['anthropic']).toMatchObject({
      available: false,
      active: false,
      unavailableReason: expect.stringContaining('LLM_PROVIDER=demo'),
    });
    expect(byId['anthropic'].models.every((m) => !m.available)).toBe(true);

    // Gemini is chat-only here: no GEMINI_TOOL_MODELS. Prices come from the cost catalogue.
    const flash = byId['gemini'].models.find((m) => m.id === 'gemini-2.5-flash');
    expect(flash).toMatchObject({
      available: true,
      tools: false,
      roles: ['chat'],
      inputPerMTok: 0.3,
      outputPerMTok: 2.5,
      isDefault: true,
    });

    expect(byId['ollama'].available).toBe(true);
    expect(byId['ollama'].models.map((m) => m.id)).toEqual([
      'llama3.1:latest',
      'qwen2.5-coder:latest',
    ]);
    expect(byId['ollama'].models[0]).toMatchObject({
      label: 'Llama3.1',
      tools: true,
      isDefault: true,
      inputPerMTok: 0,
    });
    expect(tagRequests()).toBe(1);
  });

  it('serves the second call from Redis without asking Ollama, until refreshed', async () => {
    await redis.del(`${api.prefix}:providers:v1`);
    fake.reset();
    const first = await list();
    expect(tagRequests()).toBe(1);
    expect(await redis.ttl(`${api.prefix}:providers:v1`)).toBeGreaterThan(50);

    const second = await list(admin);
    expect(second.checkedAt).toBe(first.checkedAt);
    expect(tagRequests()).toBe(1);

    // Viewers read; only admins refresh, and the refresh is audited.
    await request(http).post('/api/v1/providers/refresh').set(as(viewer)).expect(403);
    expect(tagRequests()).toBe(1);
    const refreshed = (
      await request(http).post('/api/v1/providers/refresh').set(as(admin)).expect(200)
    ).body as ProviderListView;
    expect(tagRequests()).toBe(2);
    expect(Date.parse(refreshed.checkedAt)).toBeGreaterThanOrEqual(Date.parse(first.checkedAt));

    const third = await list();
    expect(third.checkedAt).toBe(refreshed.checkedAt);
    expect(tagRequests()).toBe(2);
    await waitUntil(
      'the audited refresh',
      () => api.prisma.auditEvent.count({ where: { action: 'providers.refresh' } }),
      (n) => n === 1,
      { timeoutMs: 5000 },
    );
  });

  it('rebuilds the list when the cached one expires', async () => {
    await redis.del(`${api.prefix}:providers:v1`);
    fake.reset();
    await list();
    await redis.expire(`${api.prefix}:providers:v1`, 0); // what the TTL does, without waiting 60 s
    await list();
    expect(tagRequests()).toBe(2);
  });

  it('reports an Ollama host that does not answer as unavailable with the reason', async () => {
    const dead = await startTestApi(
      {
        ...OIDC_WITHOUT_IDP,
        LLM_PROVIDER: 'demo',
        LLM_FAKE_URL: fake.url,
        OLLAMA_HOST: 'http://127.0.0.1:9',
        OLLAMA_MODEL: 'qwen3:8b',
        OLLAMA_TAGS_TIMEOUT_MS: '1500',
      },
      { db: api.db, prefix: `${api.prefix}-dead` },
    );
    try {
      const { admin: token } = await tokensFor(dead);
      const res = await request(dead.app.getHttpServer() as App)
        .get('/api/v1/providers')
        .set(as(token))
        .expect(200);
      const ollama = (res.body as ProviderListView).providers.find((p) => p.id === 'ollama');
      expect(ollama).toMatchObject({
        available: false,
        unavailableReason: expect.stringContaining('Ollama at http://127.0.0.1:9 is not reachable'),
      });
      // The configured model is still named, unavailable for the provider's reason.
      expect(ollama?.models).toEqual([
        expect.objectContaining({ id: 'qwen3:8b', available: false, tools: true }),
      ]);
    } finally {
      await redis.del(`${api.prefix}-dead:providers:v1`);
      await dead.close();
    }
  });

  it('previews what deleting a project removes', async () => {
    const project = (
      await request(http)
        .post('/api/v1/projects')
        .set(as(admin))
        .send({ name: 'To delete', spec: 'A todo list.', budgetUsd: 10, budgetWarnShare: 0.5 })
        .expect(201)
    ).body as ProjectView;
    expect(project.budgetWarnShare).toBe(0.5);
    await api.prisma.feature.createMany({
      data: [1, 2, 3].map((i) => ({
        projectId: project.id,
        priority: i,
        category: 'core',
        name: `Feature ${i}`,
        description: 'd',
      })),
    });
    await api.prisma.run.create({
      data: { projectId: project.id, role: 'coding', status: 'succeeded' },
    });
    await api.prisma.conversation.create({
      data: { projectId: project.id, kind: 'assistant', title: 'Chat' },
    });
    const preview = (
      await request(http)
        .get(`/api/v1/projects/${project.id}/delete-preview`)
        .set(as(viewer))
        .expect(200)
    ).body as ProjectDeletePreviewView;
    expect(preview).toEqual({
      projectId: project.id,
      name: 'To delete',
      features: 3,
      runs: 1,
      conversations: 1,
      schedules: 0,
      activeRuns: 0,
    });

    // The warning threshold is edited and cleared like the budget.
    const patched = (
      await request(http)
        .patch(`/api/v1/projects/${project.id}`)
        .set(as(admin))
        .send({
          budgetWarnShare: null,
          agents: { testing: { provider: 'ollama', model: 'qwen3' } },
        })
        .expect(200)
    ).body as ProjectView;
    expect(patched.budgetWarnShare).toBeNull();
    expect(patched.agents.testing).toEqual({ provider: 'ollama', model: 'qwen3' });
    const bad = await request(http)
      .patch(`/api/v1/projects/${project.id}`)
      .set(as(admin))
      .send({ budgetWarnShare: 1.5 })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('budgetWarnShare');
  });
});
