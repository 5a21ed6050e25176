/** Settings of DbModule.forRoot. */
export interface DbModuleOptions {
  /** postgresql:// connection string. */
  databaseUrl: string;
  /** Size of the connection pool (pg's default, 10, when unset). */
  maxConnections?: number;
}

/** Injection token of the DbModuleOptions. */
export const DB_MODULE_OPTIONS = Symbol('DB_MODULE_OPTIONS');
