// The console's live feed: runners publish on Redis, the api relays server-sent events.
import { LiveEvents } from '@autocoder/server-live-events';
import { waitFor } from '@autocoder/server-test-support';
import { Redis } from 'ioredis';
import { ApiClient } from './support/api-client';
import { startStack, Stack } from './support/stack';

interface SseMessage {
  event: string;
  data: { type?: string; runId?: string; message?: string; data?: { status?: string } };
}

/** Reads an SSE stream until `until` says stop; returns every message seen. */
async function readSse(
  url: string,
  until: (m: SseMessage) => boolean,
  signal: AbortSignal,
  onOpen: () => void,
) {
  const res = await fetch(url, { signal, headers: { accept: 'text/event-stream' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  onOpen();
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!data) continue;
      const message = { event, data: JSON.parse(data) as SseMessage['data'] };
      messages.push(message);
      if (until(message)) return messages;
    }
  }
  return messages;
}

describe('live events (SSE)', () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({ runners: 1 });
    api = new ApiClient(stack.apiUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('streams a run from queued to succeeded as the runner works', async () => {
    const project = await api.createProject('Live', '[scenario:small] Live feed.', false);
    const abort = new AbortController();
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const reading = readSse(
      `${stack.apiUrl}/api/v1/projects/${project.id}/events`,
      (m) => m.event === 'run.status' && m.data.data?.status === 'succeeded',
      abort.signal,
      opened,
    );
    await open;
    // The api subscribes to the project's channel as the stream opens, after answering: wait until
    // Redis counts that subscription before the work starts, or the first events could be missed.
    const channel = new LiveEvents({
      redisUrl: stack.env['REDIS_URL'] ?? '',
      prefix: stack.env['QUEUE_PREFIX'] ?? '',
      attempts: 1,
      backoffMs: 0,
    }).channel(project.id);
    const redis = new Redis(stack.env['REDIS_URL'] ?? '');
    try {
      await waitFor('the api to subscribe to live events', async () => {
        const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
        return Number(n) > 0;
      });
    } finally {
      redis.disconnect();
    }
    const started = await api.post<{ id: string }>(`/api/v1/projects/${project.id}/runs`, {
      role: 'initializer',
    });
    expect(started.status).toBe(202);
    const messages = await reading;
    abort.abort();
    const types = messages.map((m) => m.event);
    expect(types).toEqual(
      expect.arrayContaining([
        'run.status',
        'run.started',
        'model.request',
        'features.created',
        'run.succeeded',
      ]),
    );
    expect(messages.every((m) => m.event === 'keepalive' || m.data.runId === started.body.id)).toBe(
      true,
    );
  });

  it('answers 404 for an unknown project and 400 for a bad id', async () => {
    expect(
      (await api.get('/api/v1/projects/00000000-0000-4000-8000-000000000000/events')).status,
    ).toBe(404);
    expect((await api.get('/api/v1/projects/nope/events')).status).toBe(400);
  });
});
