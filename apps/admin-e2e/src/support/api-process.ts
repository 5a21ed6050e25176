import { freePort, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import { CONSOLE_DIR } from './paths';

export interface ConsoleApi {
  /** e.g. http://127.0.0.1:43123 — serves both `/api/v1` and the console. */
  baseUrl: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

export interface StartConsoleApiOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** How long GET /health/ready may take to answer 200. */
  readyTimeoutMs?: number;
  /** More environment (wins over the defaults, e.g. AUTH_MODE=oidc and the IdP's address). */
  env?: Record<string, string>;
  /** A port chosen beforehand (the IdP must know the callback address); else a free one. */
  port?: number;
}

/**
 * Starts the built api on a free port with its own queue prefix, serving the built console
 * (CONSOLE_DIR), and resolves once /health/ready answers 200. No runner: the browser test
 * only reads and writes through the api.
 */
export async function startConsoleApi(options: StartConsoleApiOptions): Promise<ConsoleApi> {
  const port = options.port ?? (await freePort());
  const api = ServiceProcess.start('api', {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl ?? process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    // Own BullMQ keys, so parallel suites and a developer's runner never see these jobs.
    QUEUE_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    CONSOLE_DIR,
    LOG_LEVEL: 'warn',
    // The sign-in flow has its own browser test (auth.e2e-spec.ts) with the dev IdP.
    AUTH_MODE: 'none',
    ...options.env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;

  // Fail as soon as the api dies (bad config, port taken) instead of after the whole timeout.
  const died = api.waitForExit().then(() => {
    throw new Error(`the api exited (${JSON.stringify(api.exit)}) before it was ready`);
  });
  try {
    await Promise.race([
      waitForHttp(`${baseUrl}/health/ready`, { timeoutMs: options.readyTimeoutMs ?? 120_000 }),
      died,
    ]);
  } catch (error) {
    await api.stop();
    throw new Error(`${(error as Error).message}\n--- api output ---\n${api.output().join('\n')}`);
  }
  return { baseUrl, process: api, stop: () => api.stop() };
}
