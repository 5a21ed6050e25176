import { Test, TestingModule } from '@nestjs/testing';
import { DbModule } from '../lib/db.module';
import { createTestDatabase, TestDatabase } from './test-database';

/** A test database with the db lib's module (Prisma and every repository) on it. */
export interface DbTestModule {
  db: TestDatabase;
  module: TestingModule;
  get<T>(token: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** `maxConnections`: the pool size, for tests that run many statements at once. */
export async function startDbTestModule(maxConnections = 4): Promise<DbTestModule> {
  const db = await createTestDatabase();
  const module = await Test.createTestingModule({
    imports: [DbModule.forRoot({ databaseUrl: db.url, maxConnections })],
  }).compile();
  await module.init();
  return {
    db,
    module,
    get: (token) => module.get(token),
    async close() {
      await module.close();
      await db.drop();
    },
  };
}
