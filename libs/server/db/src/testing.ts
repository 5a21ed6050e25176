// Test helpers, imported as '@autocoder/server-db/testing'; never from application code.
export * from './testing/test-database';
export * from './testing/db-test-module';
