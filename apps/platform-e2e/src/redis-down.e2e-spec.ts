// With Redis unreachable the api stays up, says so on /health/ready and answers 503 to enqueue.
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { freePort, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { ApiClient } from './support/api-client';

describe('api with Redis unreachable', () => {
  let db: TestDatabase;
  let api: ServiceProcess;
  let client: ApiClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const deadRedisPort = await freePort(); // nothing listens there
    api = ServiceProcess.start('api', {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${deadRedisPort}`,
      QUEUE_PREFIX: 'e2e-redis-down',
      AUTH_MODE: 'none',
      API_PORT: String(port),
    });
    client = new ApiClient(`http://127.0.0.1:${port}`);
    await waitForHttp(`${client.baseUrl}/health/live`);
  });

  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('reports Redis down on /health/ready with 503 while Postgres is up', async () => {
    const res = await client.get<{
      status: string;
      error?: Record<string, unknown>;
      info?: Record<string, unknown>;
    }>('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.error).toHaveProperty('redis');
    expect(res.body.info).toHaveProperty('database');
  });

  it('answers 503 to a request that must enqueue, records why, and keeps serving', async () => {
    const created = await client.post<{ id: string }>('/api/v1/projects', {
      name: 'Queued',
      spec: 'x',
      start: false,
    });
    expect(created.status).toBe(201);
    const started = await client.post(`/api/v1/projects/${created.body.id}/runs`, {
      role: 'initializer',
    });
    expect(started.status).toBe(503);
    expect(client.error(started).message).toMatch(/queue is unavailable/);
    const runs = await client.get<{ items: { status: string; error: string }[] }>(
      `/api/v1/projects/${created.body.id}/runs`,
    );
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0].status).toBe('failed');
    expect((await client.get('/health/live')).status).toBe(200);
    expect(api.exit).toBeUndefined();
  });
});
