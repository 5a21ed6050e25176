// Prisma CLI configuration (Prisma 7 reads it for every command). The CLI's migrate commands
// need a downloaded native engine, so migrations go through tools/prisma/migrate.mjs instead;
// only `prisma generate` (tools/prisma/generate.mjs) runs the CLI itself.
import { defineConfig } from 'prisma/config';

const url = process.env['DATABASE_URL'];

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Generate needs no database; leave the datasource out rather than fail without one.
  ...(url ? { datasource: { url } } : {}),
});
