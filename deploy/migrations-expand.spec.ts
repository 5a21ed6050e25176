// Migrations run while the live colour still serves (docs/blue-green.md, "Expand, then
// contract"): a statement that removes or narrows what the live release may use must say why it
// is safe, in a `-- contract: <why>` comment just before it (e.g. "-- contract: release N+1
// stopped naming verifyCommand"). This check finds such statements in prisma/migrations.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './deploy-test-utils';
import { contractingStatements } from './migration-rules';

describe('prisma/migrations: expand only, unless a statement says why contracting is safe', () => {
  const dir = repoPath('prisma', 'migrations');
  const migrations = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  it('has migrations to check', () => {
    expect(migrations.length).toBeGreaterThan(0);
  });

  it('marks every contracting statement with a `-- contract:` reason', () => {
    const findings = migrations.flatMap((name) =>
      contractingStatements(name, readFileSync(join(dir, name, 'migration.sql'), 'utf8')),
    );
    expect(findings).toEqual([]);
  });

  it('recognises contracting statements and accepts a stated reason', () => {
    const found = (sql: string) => contractingStatements('x', sql).map((f) => f.problem);
    expect(found('ALTER TABLE "Project" DROP COLUMN "verifyCommand";')).toEqual([
      'drops something',
    ]);
    expect(found('ALTER TABLE "Project" RENAME COLUMN "a" TO "b";')).toEqual(['renames something']);
    expect(found('ALTER TABLE "Run" ALTER COLUMN "model" SET NOT NULL;')).toEqual([
      'makes a column NOT NULL',
    ]);
    expect(found('ALTER TABLE "Run" ALTER COLUMN "n" SET DATA TYPE BIGINT;')).toEqual([
      "changes a column's type",
    ]);
    expect(found('ALTER TABLE "Run" ADD COLUMN "n" INTEGER NOT NULL;')).toEqual([
      'adds a NOT NULL column without a default',
    ]);
    // Safe in one release.
    expect(found('ALTER TABLE "Run" ADD COLUMN "n" INTEGER NOT NULL DEFAULT 0;')).toEqual([]);
    expect(found('ALTER TABLE "Run" ADD COLUMN "n" TEXT, ADD COLUMN "m" TEXT;')).toEqual([]);
    expect(found('CREATE TABLE "T" ("id" UUID NOT NULL, "n" INTEGER NOT NULL);')).toEqual([]);
    // With a reason, and a trigger body that mentions what it syncs.
    expect(
      found(
        '-- contract: release N+1 stopped naming verifyCommand\nALTER TABLE "Project" DROP COLUMN "verifyCommand";',
      ),
    ).toEqual([]);
    expect(
      found(
        'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW."a" := 1;\n  RETURN NEW;\nEND $$;\nALTER TABLE "T" DROP COLUMN "x";',
      ),
    ).toEqual(['drops something']);
  });
});
