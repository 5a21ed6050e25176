import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { startLlmFake, LlmFakeServer } from '@autocoder/server-llm-fake';
import { GitServer, startGitServer } from '@autocoder/server-git-server';
import { freePort, REPO_ROOT, ServiceProcess, waitForHttp } from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Stack {
  db: TestDatabase;
  fake: LlmFakeServer;
  /** The bundled git server on loopback: every project's repository (a new one after restartGit). */
  readonly git: GitServer;
  /** Closes the git server and starts it again on the same root, token and port. */
  restartGit(opts?: { downMs?: number }): Promise<void>;
  /** Its root on disk (for tests that look at a repository directly). */
  gitRoot: string;
  api: ServiceProcess;
  apiUrl: string;
  runners: ServiceProcess[];
  /** Environment shared by api and runners (same Redis, same prefix, same database). */
  env: Record<string, string>;
  /** Parent of every process's own WORKSPACE_ROOT (`<root>/<runner id | api>`): nothing shared. */
  workspaceRoot: string;
  /** The bare repository of a project on the git server. */
  repoOf(projectId: string): string;
  startRunner(extra?: Record<string, string>): Promise<ServiceProcess>;
  /** A runner process's RUNNER_ID (also the name of its WORKSPACE_ROOT under workspaceRoot). */
  runnerIdOf(runner: ServiceProcess): string | undefined;
  startApi(extra?: Record<string, string>): Promise<{ api: ServiceProcess; url: string }>;
  stop(): Promise<void>;
}

export interface StackOptions {
  runners?: number;
  env?: Record<string, string>;
  /**
   * A database the caller made (e.g. on a private Postgres it restarts); the stack uses it and
   * leaves dropping it to the caller. Default: a fresh one on the shared test server.
   */
  db?: TestDatabase;
  /** Redis of api and runners (e.g. a private one the test restarts). Default TEST_REDIS_URL or local. */
  redisUrl?: string;
}

/**
 * The real platform on this machine: a fresh database, llm-fake, the built api and runner
 * processes on the shared Redis under a unique queue prefix.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const ownsDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  const dropDb = () => (ownsDb ? db.drop() : Promise.resolve());
  const workspaceRoot = mkdtempSync(join(tmpdir(), 'autocoder-ws-'));
  const gitRoot = join(workspaceRoot, 'git-server');
  const gitToken = randomBytes(24).toString('hex');
  let git = await startGitServer({ root: gitRoot, token: gitToken, port: 0 });
  const fake = await startLlmFake({
    port: 0,
    scenariosDir: resolve(REPO_ROOT, 'apps/llm-fake/scenarios'),
  });
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: options.redisUrl ?? process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `e2e-${randomBytes(4).toString('hex')}`,
    LLM_PROVIDER: 'demo',
    LLM_FAKE_URL: fake.url,
    JOB_ATTEMPTS: '2',
    JOB_BACKOFF_MS: '300',
    JOB_LOCK_MS: '10000',
    SHUTDOWN_GRACE_MS: '5000',
    GIT_SERVER_URL: git.url,
    GIT_SERVER_TOKEN: gitToken,
    MERGE_QUEUE_TICK_MS: '1000',
    CONTROL_TICK_MS: '1000',
    // These tests are about the engine; auth has its own (apps/api auth.int-spec.ts).
    AUTH_MODE: 'none',
    ...options.env,
  };
  const processes: ServiceProcess[] = [];
  const runnerIds = new Map<ServiceProcess, string>();

  const startApi = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const api = ServiceProcess.start('api', {
      ...env,
      API_PORT: String(port),
      WORKSPACE_ROOT: join(workspaceRoot, `api-${processes.length}`),
      ...extra,
    });
    processes.push(api);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health/live`).catch((err: Error) => {
      throw new Error(`${err.message}\napi output:\n${api.output().join('\n')}`);
    });
    return { api, url };
  };

  const startRunner = async (extra: Record<string, string> = {}) => {
    const port = await freePort();
    const id = `runner-${processes.length}`;
    const runner = ServiceProcess.start('runner', {
      ...env,
      RUNNER_HEALTH_PORT: String(port),
      RUNNER_ID: id,
      WORKSPACE_ROOT: join(workspaceRoot, id),
      ...extra,
    });
    processes.push(runner);
    runnerIds.set(runner, id);
    await waitForHttp(`http://127.0.0.1:${port}/health`).catch((err: Error) => {
      throw new Error(`${err.message}\nrunner output:\n${runner.output().join('\n')}`);
    });
    return runner;
  };

  try {
    const { api, url } = await startApi();
    const runners: ServiceProcess[] = [];
    for (let i = 0; i < (options.runners ?? 1); i++) runners.push(await startRunner());
    return {
      db,
      fake,
      get git() {
        return git;
      },
      async restartGit(opts: { downMs?: number } = {}) {
        const port = git.port;
        await git.close();
        if (opts.downMs) await new Promise((r) => setTimeout(r, opts.downMs));
        git = await startGitServer({ root: gitRoot, token: gitToken, port });
      },
      gitRoot,
      repoOf: (projectId: string) => join(gitRoot, `${projectId}.git`),
      api,
      apiUrl: url,
      runners,
      env,
      workspaceRoot,
      startRunner,
      runnerIdOf: (runner: ServiceProcess) => runnerIds.get(runner),
      startApi,
      async stop() {
        await Promise.all(processes.map((p) => p.stop()));
        await fake.close();
        await git.close();
        await dropDb();
        rmSync(workspaceRoot, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await git.close();
    await fake.close();
    await dropDb();
    rmSync(workspaceRoot, { recursive: true, force: true });
    throw err;
  }
}
