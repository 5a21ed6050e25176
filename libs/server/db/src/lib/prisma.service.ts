import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

/** Settings of DbModule.forRoot. */
export interface DbModuleOptions {
  /** postgresql:// connection string. */
  databaseUrl: string;
  /** Size of the connection pool (pg's default, 10, when unset). */
  maxConnections?: number;
}

/** Injection token of the DbModuleOptions. */
export const DB_MODULE_OPTIONS = Symbol('DB_MODULE_OPTIONS');

/**
 * The Prisma client of the application, one per process. Prisma 7 talks to Postgres through the
 * pg driver adapter (no native query engine).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(DB_MODULE_OPTIONS) options: DbModuleOptions) {
    super({
      adapter: new PrismaPg({ connectionString: options.databaseUrl, max: options.maxConnections }),
    });
  }

  // Connect at boot so a wrong DATABASE_URL fails the start, not the first request.
  async onModuleInit(): Promise<void> {
    await this.$connect();
  }

  // Ends the pool; without it, enableShutdownHooks() and Jest would wait on open sockets.
  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
