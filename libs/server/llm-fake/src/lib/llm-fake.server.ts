// The loopback server: routes provider paths to their adapters, keeps a request log and serves
// the /_fake admin endpoints.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange, Outcome, Provider } from './adapter';
import { handleCountTokens, handleMessages, sendAnthropicError } from './anthropic';
import { GEMINI_PATH, handleGemini, sendGeminiError } from './gemini';
import { readJsonBody, sendJson } from './http';
import { handleOllama, sendOllamaError } from './ollama';
import { PromptCache } from './prompt-cache';
import { ScenarioPlayer } from './scenario-player';
import { loadScenarios } from './scenarios';

export interface LlmFakeOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Folder of scenario files (*.json). */
  scenariosDir: string;
  /** Lifetime of a cached prompt prefix (Anthropic's default: 5 minutes). Shorter in tests. */
  cacheTtlMs?: number;
  /** Shorter prefixes are never cached. Default 1024 tokens (Anthropic Sonnet and Opus). */
  cacheMinTokens?: number;
}

export interface RecordedRequest {
  /** Order of arrival since start or the last reset, from 1. */
  seq: number;
  at: string;
  provider: Provider | 'unknown';
  method: string;
  /** Path and query, without an API key. */
  path: string;
  scenario: string | null;
  turn: number | null;
  /** Status answered. */
  status: number;
  model: string | null;
  stream: boolean;
  /** Request headers without credentials. */
  headers: Record<string, string>;
  /** Parsed JSON body, so tests can check what the client sent. */
  body: unknown;
}

export interface LlmFakeServer {
  /** Base URL for the SDKs, e.g. http://127.0.0.1:4010 (no trailing slash). */
  url: string;
  close(): Promise<void>;
  /** Clears failure counters, cached prompt prefixes and the request log. */
  reset(): void;
  requests(): RecordedRequest[];
  /** Names of the loaded scenarios. */
  scenarioNames(): string[];
}

/** Enough for a long demo run; the oldest entries go first. */
const MAX_RECORDED = 1000;
const SECRET_HEADERS = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'cookie',
  'proxy-authorization',
]);

function safeHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function safePath(url: URL): string {
  const params = new URLSearchParams(url.searchParams);
  params.delete('key');
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

function providerOf(pathname: string): Provider | 'unknown' {
  if (pathname.startsWith('/v1/messages')) return 'anthropic';
  if (/^\/v1(beta|alpha)?\/models\//.test(pathname)) return 'gemini';
  if (pathname.startsWith('/api/')) return 'ollama';
  return 'unknown';
}

export async function startLlmFake(options: LlmFakeOptions): Promise<LlmFakeServer> {
  const scenarios = await loadScenarios(options.scenariosDir);
  const player = new ScenarioPlayer(scenarios);
  const cache = new PromptCache({ ttlMs: options.cacheTtlMs, minTokens: options.cacheMinTokens });
  let log: RecordedRequest[] = [];
  let seq = 0;
  let requestCounter = 0;

  const record = (req: IncomingMessage, url: URL, body: unknown, outcome: Outcome): void => {
    seq += 1;
    log.push({
      seq,
      at: new Date().toISOString(),
      provider: providerOf(url.pathname),
      method: req.method ?? 'GET',
      path: safePath(url),
      ...outcome,
      headers: safeHeaders(req.headers),
      body,
    });
    if (log.length > MAX_RECORDED) log = log.slice(-MAX_RECORDED);
  };

  const reset = (): void => {
    player.reset();
    cache.clear();
    log = [];
    seq = 0;
  };

  const handleAdmin = (req: IncomingMessage, res: ServerResponse, pathname: string): void => {
    if (req.method === 'GET' && pathname === '/_fake/health') {
      sendJson(res, 200, { status: 'ok', scenarios: scenarios.scenarios.map((s) => s.name) });
    } else if (req.method === 'GET' && pathname === '/_fake/requests') {
      sendJson(res, 200, log);
    } else if (req.method === 'POST' && pathname === '/_fake/reset') {
      reset();
      sendJson(res, 200, { status: 'reset' });
    } else {
      sendJson(res, 404, { error: `no admin endpoint ${req.method} ${pathname}` });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://llm-fake');
    const { pathname } = url;
    if (pathname.startsWith('/_fake/')) {
      // Drain the body so keep-alive connections stay usable.
      req.resume();
      return handleAdmin(req, res, pathname);
    }

    const provider = providerOf(pathname);
    requestCounter += 1;
    const requestId = `req_fake_${String(requestCounter).padStart(6, '0')}`;
    const parsed = await readJsonBody(req);
    const body = parsed.ok ? parsed.body : undefined;
    const nothing: Outcome = { status: 0, scenario: null, turn: null, model: null, stream: false };
    const fail = (status: number, message: string): Outcome => {
      if (provider === 'gemini') sendGeminiError(res, status, message);
      else if (provider === 'ollama') sendOllamaError(res, status, message);
      else sendAnthropicError(res, status, message, requestId);
      return { ...nothing, status };
    };

    let outcome: Outcome;
    const gemini = GEMINI_PATH.exec(pathname);
    const ex: Exchange = { req, res, url, body, player, cache, requestId };
    if (!parsed.ok) {
      outcome = fail(400, parsed.message);
    } else if (provider === 'ollama') {
      outcome = handleOllama(ex);
    } else if (req.method !== 'POST') {
      outcome = fail(404, `${req.method} ${pathname} is not served by llm-fake`);
    } else if (pathname === '/v1/messages') {
      outcome = handleMessages(ex);
    } else if (pathname === '/v1/messages/count_tokens') {
      outcome = handleCountTokens(ex);
    } else if (gemini?.[2] && gemini[3]) {
      outcome = handleGemini(ex, decodeURIComponent(gemini[2]), gemini[3]);
    } else {
      outcome = fail(404, `${req.method} ${pathname} is not served by llm-fake`);
    }
    record(req, url, body, outcome);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A bug in the fake must show up as a readable error, not a hung client.
      if (!res.headersSent)
        sendJson(res, 500, {
          type: 'error',
          error: { type: 'api_error', message: `llm-fake: ${String(err)}` },
        });
      else res.end();
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard address is not something a client can dial; loopback always works.
  const dialHost =
    address.address === '0.0.0.0' || address.address === '::'
      ? '127.0.0.1'
      : address.family === 'IPv6'
        ? `[${address.address}]`
        : address.address;

  return {
    url: `http://${dialHost}:${address.port}`,
    reset,
    requests: () => log.map((entry) => ({ ...entry })),
    scenarioNames: () => scenarios.scenarios.map((s) => s.name),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDKs keep connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}
