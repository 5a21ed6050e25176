// The api in-process for integration tests: its own database (a clone of the migrated template),
// its own queue prefix on the real Redis, listening on a free port.
import { ApiTokensService } from '@autocoder/server-auth';
import { loadConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { ApiAppOptions } from '../app/api.module';
import { createApiApp } from '../app/create-api-app';

export interface TestApi {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  base: string;
  prisma: PrismaService;
  close(): Promise<void>;
}

/**
 * AUTH_MODE=oidc as deployed, with an issuer where nothing listens: people are API-token users
 * (see tokensFor); sign-in through a real IdP has its own tests.
 */
export const OIDC_WITHOUT_IDP = {
  AUTH_MODE: 'oidc',
  OIDC_ISSUER_URL: 'http://127.0.0.1:9',
  SESSION_SECRET: randomBytes(32).toString('base64url'),
} as const;

/** Starts the api on a fresh database; `db` shares one between several instances. */
export async function startTestApi(
  env: Record<string, string>,
  shared?: { db: TestDatabase; prefix: string },
  options?: ApiAppOptions,
  /** A port chosen beforehand (an IdP must know the callback address); else a free one. */
  port = 0,
): Promise<TestApi & { db: TestDatabase; prefix: string }> {
  const db = shared?.db ?? (await createTestDatabase());
  const prefix = shared?.prefix ?? `it-${randomBytes(4).toString('hex')}`;
  const app = await createApiApp(
    loadConfig({ DATABASE_URL: db.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'silent', ...env }),
    options,
  );
  await app.listen(port, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    base,
    db,
    prefix,
    prisma: app.get(PrismaService),
    close: async () => {
      await app.close();
      if (!shared) await db.drop();
    },
  };
}

/** An admin and a viewer (users of their own) with an API token each. */
export async function tokensFor(api: TestApi): Promise<{ admin: string; viewer: string }> {
  const tokens = api.app.get(ApiTokensService);
  const tag = randomBytes(3).toString('hex');
  const make = async (role: 'admin' | 'viewer') => {
    const user = await api.prisma.user.create({
      data: {
        issuer: 'urn:test',
        subject: `${role}-${tag}`,
        role,
        email: `${role}-${tag}@example.test`,
      },
    });
    return (await tokens.create(user.id, { name: role, role })).token;
  };
  return { admin: await make('admin'), viewer: await make('viewer') };
}
