import { CONSOLE_SESSION, ConsoleSession, refuseQueryCredentials } from '@autocoder/server-auth';
import { AppConfig } from '@autocoder/server-config';
import { requestIdFor } from '@autocoder/server-observability';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from 'nestjs-pino';
import { API_PREFIX, ApiAppOptions, ApiModule } from './api.module';
import { responseCompression } from './http/compression';
import { refuseControlCharacters } from './http/control-characters';
import { openApiDocument } from './http/openapi';
import { applySecurityHeaders, cspNonce } from './http/security-headers';

export { API_PREFIX };
/** A path whose last segment names a file: has a dot (`.env`, `main.js.map`). */
const FILE_NAME = /\/[^/]*\.[^/]*$/;
/** Largest JSON body accepted; a spec is the largest thing anyone sends. */
const BODY_LIMIT = '1mb';

/** Builds the api (also used by in-process tests); the caller listens. */
export async function createApiApp(
  config: AppConfig,
  options: ApiAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // The request id first, so even a body-parser rejection answers with it.
  app.use((req: IncomingMessage & { id?: string }, res: ServerResponse, next: () => void) => {
    req.id = requestIdFor(req, res);
    next();
  });
  // ?access_token= and the like: 400 before a session, a guard or a route reads the request.
  app.use(refuseQueryCredentials);
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.use(responseCompression());
  // Console sessions (AUTH_MODE=oidc): cookie and session before any route reads them.
  const session = app.get<ConsoleSession | null>(CONSOLE_SESSION);
  if (session) app.use(...session.handlers);
  // X-Forwarded-For names the client only when a configured proxy sent it: any other peer (a pod,
  // an agent's process on a runner) could otherwise pick its own address for rate limits and
  // the audit trail.
  app.set('trust proxy', config.TRUSTED_PROXIES.length > 0 ? config.TRUSTED_PROXIES : false);
  applySecurityHeaders(app, config);
  // Before authentication, the audit trail and any route: NUL never reaches Postgres (400, not
  // 500). After the security headers, so the 400 carries them.
  app.use(refuseControlCharacters());
  app.disable('x-powered-by');
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      // MCP clients are configured with http(s)://host/mcp.
      { path: 'mcp', method: RequestMethod.ALL },
    ],
  });

  SwaggerModule.setup('api/docs', app, openApiDocument(app), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });

  if (config.CONSOLE_DIR) serveConsole(app, resolve(config.CONSOLE_DIR));
  return app;
}

/**
 * Serves the built console for local use (make dev, browser tests): static files, and
 * index.html for client-side routes. Behind Traefik the admin container does this instead.
 */
function serveConsole(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index))
    throw new Error(`CONSOLE_DIR ${dir} has no index.html; build the console first`);
  // Angular puts the root element's ngCspNonce on the styles it inserts: this response's nonce.
  const shell = readFileSync(index, 'utf8');
  if (!shell.includes('<ac-root')) throw new Error(`${index} has no <ac-root> element`);
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.use(
    express.static(dir, { index: false, dotfiles: 'deny', fallthrough: true, maxAge: '1h' }),
  );
  server.get(/^\/(?!api\/|api$|health\/|metrics$|mcp$).*/, (req, res, next) => {
    if (req.method !== 'GET' || !req.accepts('html')) return next();
    // A file that is not there (/.env, /main.js.map) is a 404, not the console's page: client
    // routes have no extension.
    if (FILE_NAME.test(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(shell.replace('<ac-root', `<ac-root ngCspNonce="${cspNonce(res)}"`));
  });
}
