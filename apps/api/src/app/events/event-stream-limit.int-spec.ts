// Open event streams per user or token are capped (SSE_MAX_STREAMS_PER_CLIENT): one more answers
// 429 with the reason, and closing a stream frees its place. Real api, Postgres and Redis.
import { randomBytes } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('event streams per client', () => {
  let api: TestApi;
  let admin: string;
  let viewer: string;
  let projectId: string;
  const open: AbortController[] = [];

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP, SSE_MAX_STREAMS_PER_CLIENT: '2' });
    ({ admin, viewer } = await tokensFor(api));
    const project = await api.prisma.project.create({
      data: { name: `sse-${randomBytes(3).toString('hex')}`, spec: 'x' },
    });
    projectId = project.id;
  }, 60_000);

  afterAll(async () => {
    for (const c of open) c.abort();
    await api?.close();
  });

  /** Opens the project's event stream; the answer's status, and its controller to close it. */
  async function stream(token: string): Promise<{ status: number; body: string; close(): void }> {
    const controller = new AbortController();
    open.push(controller);
    const res = await fetch(`${api.base}/api/v1/projects/${projectId}/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const sse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    const body = sse ? '' : await res.text();
    return { status: res.status, body, close: () => controller.abort() };
  }

  it('answers 429 past the cap, per token, and frees a place when a stream closes', async () => {
    const first = await stream(admin);
    const second = await stream(admin);
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await stream(admin);
    expect(third.status).toBe(429);
    expect((JSON.parse(third.body) as { message: string }).message).toMatch(
      /at most 2 event streams/,
    );
    // Another token has places of its own.
    expect((await stream(viewer)).status).toBe(200);

    first.close();
    // The server sees the closed connection shortly after; poll until the place is free.
    let status = 429;
    for (let i = 0; i < 50 && status === 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const next = await stream(admin);
      status = next.status;
    }
    expect(status).toBe(200);
  }, 60_000);
});
