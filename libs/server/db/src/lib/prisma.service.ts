import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
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
    const problem = await this.roleProblem().catch(() => null);
    if (problem) new Logger('PrismaService').warn(problem);
  }

  /**
   * Why the connected role could rewrite the audit trail (a superuser skips triggers, an owner
   * disables them), or null for a role of the autocoder_app group that owns nothing.
   */
  async roleProblem(): Promise<string | null> {
    const [row] = await this.$queryRaw<{ super: boolean; owns: boolean }[]>`
      SELECT r.rolsuper AS super,
             EXISTS (SELECT FROM pg_class c WHERE pg_has_role(current_user, c.relowner, 'USAGE')
                       AND c.relnamespace = 'public'::regnamespace) AS owns
        FROM pg_roles r WHERE r.rolname = current_user`;
    if (!row?.super && !row?.owns) return null;
    return `DATABASE_URL connects as ${row.super ? 'a superuser' : 'an owner of the tables'}, which can switch off the audit trail's append-only triggers: give api and runner the app's role (RUNBOOK.md, "Database roles")`;
  }

  // Ends the pool; without it, enableShutdownHooks() and Jest would wait on open sockets.
  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
