// The sessions' Nest context for integration tests: a test database, llm-fake with the scripted
// scenarios, a scratch workspace, a unique queue prefix, and the real Claude (demo) and Ollama
// clients pointed at the fake.
import { AnthropicProvider, createAnthropicClient, OllamaProvider } from '@autocoder/server-agent';
import { AppConfig, ConfigModule, loadConfig } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { REPO_ROOT } from '@autocoder/server-test-support';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionsModule } from '../sessions.module';

export interface SessionTestApp {
  db: TestDatabase;
  fake: LlmFakeServer;
  app: INestApplicationContext;
  prisma: PrismaService;
  workspace: string;
  close(): Promise<void>;
}

export async function startSessionTestApp(name: string): Promise<SessionTestApp> {
  const db = await createTestDatabase();
  const fake = await startLlmFake({
    port: 0,
    scenariosDir: join(REPO_ROOT, 'apps/llm-fake/scenarios'),
  });
  const workspace = mkdtempSync(join(tmpdir(), `${name}-int-`));
  const prefix = `${name}-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    WORKSPACE_ROOT: workspace,
    GIT_SERVER_URL: `${workspace}/.remotes`,
    LLM_PROVIDER: 'demo',
    LLM_FAKE_URL: fake.url,
    LOG_LEVEL: 'silent',
  });
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      DbModule.forRoot({ databaseUrl: db.url }),
      QueueModule.forRoot({
        role: 'worker',
        redisUrl: config.REDIS_URL,
        prefix,
        attempts: 1,
        backoffMs: 1000,
      }),
      LiveEventsModule,
      SessionsModule.forRoot((c: AppConfig) => ({
        default: {
          provider: new AnthropicProvider(
            createAnthropicClient({ provider: 'demo', fakeUrl: c.LLM_FAKE_URL }),
            'demo',
          ),
          model: c.ANTHROPIC_MODEL,
        },
        others: {
          ollama: { provider: new OllamaProvider({ host: c.LLM_FAKE_URL }), model: 'llama3.1' },
        },
      })),
    ],
  }).compile();
  const app = await moduleRef.init();
  return {
    db,
    fake,
    app,
    prisma: app.get(PrismaService),
    workspace,
    async close() {
      await app.close();
      await fake.close();
      await db.drop();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}
