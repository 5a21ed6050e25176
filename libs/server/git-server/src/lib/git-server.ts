// The bundled git server: smart HTTP (git http-backend as CGI) for every repository under one
// root, a small admin API to list, create and remove repositories, and /health. One shared token guards
// everything but /health. Plain node:http so tests and the e2e stack run it in-process.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { basicUserOf, createTokenCheck } from './authorization';
import { cleanGitEnv, runGit } from './git-env';
import { BackendProcesses, runHttpBackend } from './http-backend';
import { silentLogger, type GitServerLogger } from './logger';
import { RepositoryStore } from './repositories';
import { checkRepositoryName } from './repository-name';

export interface GitServerOptions {
  /** Folder holding <name>.git repositories; created if missing. */
  root: string;
  /** Shared secret clients send as the Basic password or Bearer token. */
  token: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Largest request body (a pushed pack). Default 1 GiB. */
  maxBodyBytes?: number;
  logger?: GitServerLogger;
}

export interface GitServer {
  /** Base URL, e.g. http://127.0.0.1:3400 (no trailing slash); repositories at `${url}/<name>.git`. */
  url: string;
  port: number;
  /** Stops listening, lets running requests finish (a few seconds at most), then stops git. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024;
const CLOSE_GRACE_MS = 10_000;
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);
const REPOSITORY_API = '/api/repositories/';
/** GET: every repository's name (backups list what to bundle). */
const REPOSITORY_LIST = '/api/repositories';
/** /<name>.git/<rest>; the name is checked separately so a bad one is a 400, not a 404. */
const GIT_PATH = /^\/(.+)\.git(\/.*)$/;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
): void {
  sendJson(res, status, { error: reason }, extra);
}

/** The raw path and query: never normalised, so `..` reaches the name check and is refused. */
function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  if (!options.token) throw new Error('the git server needs a token');
  const root = resolve(options.root);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger ?? silentLogger;
  // Git's home: nothing in it, so no user configuration reaches the repositories.
  const home = join(root, '.home');
  await mkdir(home, { recursive: true });
  const env = cleanGitEnv(home);
  // Fail at start, not at the first clone, when the machine has no git.
  const version = await runGit(['--version'], { cwd: root, env }).catch((err: Error) => ({
    code: -1,
    stdout: '',
    stderr: err.message,
  }));
  if (version.code !== 0) throw new Error(`git is not usable here: ${version.stderr.trim()}`);
  logger.info({ root, git: version.stdout.trim() }, 'git server starting');
  const store = new RepositoryStore(root, env);
  await store.removeTemporaryFolders();
  const authorized = createTokenCheck(options.token);
  const processes = new BackendProcesses();

  async function health(res: ServerResponse): Promise<void> {
    // A real write, not access(W_OK): that says yes to root on a full disk or a gone folder's parent.
    const probe = join(root, `.tmp-health-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
      sendJson(res, 200, { status: 'ok' });
    } catch {
      sendJson(res, 503, { status: 'error', reason: 'repository root is not writable' });
    }
  }

  async function repositoryApi(
    req: IncomingMessage,
    res: ServerResponse,
    rawName: string,
  ): Promise<void> {
    const check = checkRepositoryName(rawName);
    if (!check.ok) return sendError(res, 400, check.reason);
    const name = check.name;
    switch (req.method) {
      case 'PUT': {
        const created = await store.create(name);
        if (created) logger.info({ repository: name }, 'repository created');
        return sendJson(res, created ? 201 : 200, {
          name,
          main: created ? null : await store.mainOf(name),
        });
      }
      case 'GET':
        if (!(await store.exists(name))) return sendError(res, 404, 'no such repository');
        return sendJson(res, 200, { name, main: await store.mainOf(name) });
      case 'DELETE': {
        const removed = await store.remove(name);
        if (!removed) return sendError(res, 404, 'no such repository');
        logger.info({ repository: name }, 'repository deleted');
        res.writeHead(204).end();
        return;
      }
      default:
        return sendError(res, 405, 'method not allowed', { Allow: 'GET, PUT, DELETE' });
    }
  }

  async function smartHttp(
    req: IncomingMessage,
    res: ServerResponse,
    rawName: string,
    rest: string,
    query: string,
  ): Promise<void> {
    const check = checkRepositoryName(rawName);
    if (!check.ok) return sendError(res, 400, check.reason);
    let method: 'GET' | 'POST';
    if (rest === '/info/refs') {
      method = 'GET';
      const service = new URLSearchParams(query).get('service');
      if (req.method === 'GET' && (service === null || !SERVICES.has(service))) {
        return sendError(res, 400, 'smart HTTP only: service=git-upload-pack or git-receive-pack');
      }
    } else if (rest === '/git-upload-pack' || rest === '/git-receive-pack') {
      method = 'POST';
    } else {
      return sendError(res, 404, 'not found');
    }
    if (req.method !== method) return sendError(res, 405, 'method not allowed', { Allow: method });
    if (!(await store.exists(check.name))) return sendError(res, 404, 'no such repository');
    await runHttpBackend(
      req,
      res,
      {
        projectRoot: root,
        env,
        pathInfo: `/${check.name}.git${rest}`,
        queryString: query,
        remoteUser: basicUserOf(req.headers.authorization) ?? 'autocoder',
        maxBodyBytes,
        logger,
      },
      processes,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url ?? '/');
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendError(res, 405, 'method not allowed', { Allow: 'GET' });
      }
      return health(res);
    }
    if (!authorized(req.headers.authorization)) {
      // Connection: close, so an unauthenticated client's body is never read.
      return sendError(res, 401, 'authentication required', {
        'WWW-Authenticate': 'Basic realm="autocoder"',
        Connection: 'close',
      });
    }
    if (path === REPOSITORY_LIST) {
      if (req.method !== 'GET') return sendError(res, 405, 'method not allowed', { Allow: 'GET' });
      return sendJson(res, 200, { repositories: await store.list() });
    }
    if (path.startsWith(REPOSITORY_API))
      return repositoryApi(req, res, path.slice(REPOSITORY_API.length));
    const git = GIT_PATH.exec(path);
    if (git) return smartHttp(req, res, git[1] ?? '', git[2] ?? '', query);
    return sendError(res, 404, 'not found');
  }

  const server = createServer({ requestTimeout: 60 * 60 * 1000 }, (req, res) => {
    const started = Date.now();
    res.on('close', () => {
      // Health probes come every few seconds; only failures are worth a line.
      if (req.url === '/health' && res.statusCode === 200) return;
      // Path without the query (service name only) and never the Authorization header.
      logger.info(
        {
          method: req.method,
          path: splitUrl(req.url ?? '/').path,
          status: res.statusCode,
          ms: Date.now() - started,
          ...(req.headers['content-encoding'] && { encoding: req.headers['content-encoding'] }),
          complete: res.writableFinished,
        },
        'request',
      );
    });
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const closed = new Promise<void>((resolveClose) => server.once('close', () => resolveClose()));

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () => {
      closing ??= (async () => {
        server.close();
        server.closeIdleConnections();
        const deadline = Date.now() + CLOSE_GRACE_MS;
        while (processes.size > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        processes.terminateAll();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
