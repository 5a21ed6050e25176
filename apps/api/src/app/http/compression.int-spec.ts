// Compression of the api's answers: JSON and the console's files are gzipped when the client asks,
// server-sent events never are (a compressor would hold the stream back). Against the real app.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startTestApi, type TestApi } from '../../testing/test-api';

/** One GET without any client-side decoding: the raw head and body as they crossed the wire. */
function rawGet(
  url: string,
  headers: Record<string, string>,
  { headOnly = false } = {},
): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers }, (res) => {
      if (headOnly) {
        resolve({ res, body: Buffer.alloc(0) });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('response compression', () => {
  let api: TestApi;
  let consoleDir: string;
  let projectId: string;
  // Big enough to pass the 1 kB threshold below which compressing is not worth it.
  const script = `export const words = ${JSON.stringify('console '.repeat(2000))};\n`;

  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(
      join(consoleDir, 'index.html'),
      '<!doctype html><body><ac-root></ac-root></body>',
    );
    writeFileSync(join(consoleDir, 'main-ABCDEFGH.js'), script);
    api = await startTestApi({ AUTH_MODE: 'none', CONSOLE_DIR: consoleDir });
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${api.base}/api/v1/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Compressed ${tag} ${i}`, spec: 'A spec.' }),
      });
      expect(res.status).toBe(201);
      projectId = ((await res.json()) as { id: string }).id;
    }
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  it('gzips JSON when asked, and only then', async () => {
    const url = `${api.base}/api/v1/projects?limit=50`;
    const zipped = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(zipped.res.statusCode).toBe(200);
    expect(zipped.res.headers['content-encoding']).toBe('gzip');
    expect(zipped.res.headers['vary']).toMatch(/accept-encoding/i);
    const page = JSON.parse(gunzipSync(zipped.body).toString('utf8')) as { items: unknown[] };
    expect(page.items).toHaveLength(8);

    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    expect(plain.res.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(zipped.body.length);
  });

  it("gzips the console's scripts and keeps the shell's CSP nonce", async () => {
    const js = await rawGet(`${api.base}/main-ABCDEFGH.js`, { 'accept-encoding': 'gzip' });
    expect(js.res.statusCode).toBe(200);
    expect(js.res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(js.body).toString('utf8')).toBe(script);

    const shell = await rawGet(`${api.base}/projects`, {
      'accept-encoding': 'gzip',
      accept: 'text/html',
    });
    expect(shell.res.statusCode).toBe(200);
    const nonce = /'nonce-([^']+)'/.exec(String(shell.res.headers['content-security-policy']))?.[1];
    expect(nonce).toBeTruthy();
    const html =
      shell.res.headers['content-encoding'] === 'gzip'
        ? gunzipSync(shell.body).toString('utf8')
        : shell.body.toString('utf8');
    expect(html).toContain(`<ac-root ngCspNonce="${nonce}"`);
  });

  it('never compresses server-sent events', async () => {
    const sse = await rawGet(
      `${api.base}/api/v1/projects/${projectId}/events`,
      { 'accept-encoding': 'gzip, br', accept: 'text/event-stream' },
      { headOnly: true },
    );
    expect(sse.res.statusCode).toBe(200);
    expect(sse.res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(sse.res.headers['content-encoding']).toBeUndefined();
  });

  it.each(['gzip', 'br', 'deflate'])(
    'answers a request body that is not the %s it claims with 400, not 500',
    async (encoding) => {
      const res = await fetch(`${api.base}/api/v1/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
        body: '{"name":"not compressed","spec":"at all"}',
      });
      expect(res.status).toBe(400);
      const answer = (await res.json()) as { message: string; requestId?: string };
      expect(answer.message).toMatch(new RegExp(`could not be decoded.*${encoding}`));
      expect(answer.requestId).toBeTruthy();
    },
  );
});
