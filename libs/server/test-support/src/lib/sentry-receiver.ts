// A loopback stand-in for Sentry's ingest: the real SDKs post envelopes to it (DSN
// http://<key>@127.0.0.1:<port>/<project>), and tests read the events and the raw bytes.
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import { waitUntil } from './wait-for';

/** One envelope item of type `event`: the error report as Sentry would store it. */
export interface ReceivedEvent {
  event_id?: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  exception?: { values?: { type?: string; value?: string }[] };
  request?: Record<string, unknown>;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface SentryReceiver {
  /** DSN pointing here (project 42, public key `testkey`). */
  dsn: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Every envelope body as received (decompressed), for "the secret is nowhere" checks. */
  raw: string[];
  /** Items of type `event` (errors), in arrival order. */
  events: ReceivedEvent[];
  /** Resolves with the events once `count` have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body);
  if (encoding === 'deflate') return inflateSync(body);
  if (encoding === 'br') return brotliDecompressSync(body);
  return body;
}

/** Parses an envelope: a JSON header line, then per item a JSON item header and its payload. */
function parseEnvelope(text: string): { type: string; payload: unknown }[] {
  const lines = text.split('\n');
  const items: { type: string; payload: unknown }[] = [];
  // lines[0] is the envelope header.
  for (let i = 1; i < lines.length; i++) {
    const headerLine = lines[i];
    if (!headerLine?.trim()) continue;
    const header = JSON.parse(headerLine) as { type?: string; length?: number };
    const payloadLine = lines[++i] ?? '';
    let payload: unknown = payloadLine;
    try {
      payload = JSON.parse(payloadLine);
    } catch {
      // attachments and the like are not JSON
    }
    items.push({ type: header.type ?? 'unknown', payload });
  }
  return items;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startSentryReceiver(): Promise<SentryReceiver> {
  const raw: string[] = [];
  const events: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    // The browser SDK posts cross-origin (CORS, credentials omitted).
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'POST' || !/^\/api\/\d+\/envelope\/?(\?|$)/.test(req.url ?? '')) {
      res.writeHead(404).end();
      return;
    }
    readBody(req)
      .then((body) => {
        const text = decode(body, req.headers['content-encoding']).toString('utf8');
        raw.push(`${req.url ?? ''}\n${JSON.stringify(req.headers)}\n${text}`);
        for (const item of parseEnvelope(text)) {
          if (item.type === 'event') events.push(item.payload as ReceivedEvent);
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      })
      .catch(() => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    dsn: `http://testkey@127.0.0.1:${port}/42`,
    origin,
    raw,
    events,
    async waitForEvents(count, timeoutMs = 15_000) {
      await waitUntil(
        `${count} Sentry event(s)`,
        () => events.length,
        (n) => n >= count,
        { timeoutMs },
      );
      return events;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
