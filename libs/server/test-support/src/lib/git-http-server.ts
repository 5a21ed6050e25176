import { execFile, spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A smart-HTTP git server for tests: `git http-backend` behind node:http, with Basic auth. */
export interface GitHttpServer {
  /** http://127.0.0.1:<port> — repositories at `<base>/<name>.git`. */
  base: string;
  /** Where the bare repositories are. */
  root: string;
  /** The Basic credentials accepted (user name and password); change them to rotate. */
  credentials: { username: string; password: string };
  /** Every Authorization header received (to check what clients sent). */
  authorizations: string[];
  /** Creates an empty bare repository `<name>.git` (initial branch main). */
  createRepository(name: string): Promise<string>;
  close(): Promise<void>;
}

const clean = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: process.env['HOME'] ?? '/',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Starts the server on a free loopback port serving the bare repositories under `root`. */
export async function startGitHttpServer(
  root: string,
  credentials: { username: string; password: string },
): Promise<GitHttpServer> {
  const authorizations: string[] = [];
  const state = { credentials };
  const server: Server = createServer((req, res) => {
    const header = req.headers.authorization;
    if (header) authorizations.push(header);
    const expected = `Basic ${Buffer.from(
      `${state.credentials.username}:${state.credentials.password}`,
    ).toString('base64')}`;
    if (header !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('unauthorized\n');
      return;
    }
    serveCgi(root, state.credentials.username, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    root,
    get credentials() {
      return state.credentials;
    },
    set credentials(value) {
      state.credentials = value;
    },
    authorizations,
    async createRepository(name: string) {
      const dir = join(root, `${name}.git`);
      await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir], { env: clean });
      return dir;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The CGI exchange with git http-backend (receive-pack is on: REMOTE_USER is set). */
function serveCgi(root: string, user: string, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    ...clean,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: user,
    REMOTE_ADDR: '127.0.0.1',
    ...(req.headers['content-length'] && { CONTENT_LENGTH: req.headers['content-length'] }),
    ...(req.headers['content-encoding'] && {
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']),
    }),
    ...(req.headers['git-protocol'] && { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
  };
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headerDone = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headerDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headerDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (/^status$/i.test(name)) status = Number(value.split(' ')[0]);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  child.on('close', () => {
    if (!headerDone) res.writeHead(502).end('git http-backend gave no answer\n');
    else res.end();
  });
  child.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}
