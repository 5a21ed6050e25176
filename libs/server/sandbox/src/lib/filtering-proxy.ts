// The only way out of a sandbox's network namespace: an HTTP proxy in the runner, listening on a
// unix socket that is bound (read-only) into the sandbox and bridged to a loopback port inside.
// It lets through CONNECT tunnels (https) and plain-HTTP requests in absolute form to the hosts
// the project allows, and answers 403 to everything else. Hand-written (Node's http/net, ~100
// lines): the proxy libraries in the registry are forward proxies without a host filter, and the
// filter is the point.
import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * `host` allows that host on any port, `host:port` on that port only, `*.example.org` any
 * subdomain; `[::1]:8080` for IPv6. Matching is case-insensitive.
 */
export function isHostAllowed(allowed: readonly string[], hostname: string, port: number): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!e) return false;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(e);
    if (!m) return false;
    const pattern = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    if (m[2] !== undefined && Number(m[2]) !== port) return false;
    if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
    return host === pattern;
  });
}

/** Splits `host:port` / `[v6]:port` of a CONNECT target. */
function parseAuthority(authority: string): { hostname: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(authority);
  if (!m) return null;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  return { hostname: (m[1] ?? '').replace(/^\[(.*)\]$/, '$1'), port };
}

export interface FilteringProxyOptions {
  allowedHosts: readonly string[];
  /** Called for every refused request (the session logs it, so an operator sees what was tried). */
  onRefused?: (target: string) => void;
}

export class FilteringProxy {
  private readonly server: http.Server;
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly options: FilteringProxyOptions) {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) =>
      this.tunnel(req, client, head),
    );
    this.server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Listens on a unix socket path (or a loopback port when given a number, for tests). */
  listen(target: string | number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const done = () => {
        this.server.off('error', reject);
        resolve();
      };
      if (typeof target === 'number') this.server.listen(target, '127.0.0.1', done);
      else this.server.listen(target, done);
    });
  }

  address(): net.AddressInfo | string | null {
    return this.server.address();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private refuse(target: string): string {
    this.options.onRefused?.(target);
    return `autocoder sandbox: ${target} is not an allowed host (SANDBOX_ALLOWED_HOSTS)\n`;
  }

  private tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = parseAuthority(req.url ?? '');
    if (!target || !isHostAllowed(this.options.allowedHosts, target.hostname, target.port)) {
      const body = this.refuse(req.url ?? '?');
      client.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const upstream = net.connect(target.port, target.hostname, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute URL expected\n');
      return;
    }
    const port = Number(url.port || 80);
    if (url.protocol !== 'http:' || !isHostAllowed(this.options.allowedHosts, url.hostname, port)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(this.refuse(url.host));
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const upstream = http.request(
      {
        host: url.hostname,
        port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unreachable\n');
    });
    req.pipe(upstream);
  }
}
