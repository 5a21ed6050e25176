// Domain libs throw DomainError, never Nest's HTTP exceptions (eslint.config.mjs, "Domain code
// throws DomainError"): ESLint's Node API lints small sources placed, by path, inside real
// projects, both from the root (as `npx eslint <paths>` does) and from a lib (as `nx lint` does,
// with the lib's own config). A child process, since the config is an ES module Jest cannot load.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

const LINT = `
const { ESLint } = require('eslint');
const { cwd, cases } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd });
(async () => {
  const out = [];
  for (const c of cases) {
    const [result] = await eslint.lintText(c.code, { filePath: c.path });
    out.push(result.messages.map((m) => (m.ruleId ?? 'fatal') + ': ' + m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

/** ESLint's messages for each source, as if it were the file at its path, linted from `cwd`. */
function lintAll(cwd: string, cases: { path: string; code: string }[]): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINT], {
    cwd: root,
    input: JSON.stringify({
      cwd: resolve(root, cwd),
      cases: cases.map((c) => ({ ...c, path: resolve(root, c.path) })),
    }),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}

const importing = (names: string[], from = '@nestjs/common') =>
  `import { ${names.join(', ')} } from '${from}';\nexport const x = [${names.join(', ')}];\n`;

/** Every HTTP exception class Nest exports, by Nest's own account. */
function nestHttpExceptions(): string[] {
  const common = require('@nestjs/common') as Record<string, unknown>;
  const base = common['HttpException'] as abstract new (...args: never[]) => unknown;
  return Object.entries(common)
    .filter(
      ([, value]) =>
        typeof value === 'function' && (value === base || value.prototype instanceof base),
    )
    .map(([name]) => name)
    .sort();
}

describe('no HTTP exceptions in domain libs', () => {
  const all = nestHttpExceptions();
  const refused = (name: string) =>
    expect.stringMatching(
      new RegExp(`^no-restricted-imports: '${name}' import from '@nestjs/common'`),
    );

  it('finds the HTTP exceptions in Nest (the test would prove nothing otherwise)', () => {
    expect(all).toEqual(
      expect.arrayContaining(['HttpException', 'NotFoundException', 'ServiceUnavailableException']),
    );
    expect(all.length).toBeGreaterThan(15);
  });

  it('refuses every one of them, and HttpStatus, in domain code; allows them at the edge', () => {
    const names = [...all, 'HttpStatus'];
    const [queue, engineDeep, auth, authGuard, api, audit, spec, injectable] = lintAll('.', [
      { path: 'libs/server/queue/src/lib/probe.ts', code: importing(names) },
      {
        path: 'libs/server/orchestration/src/lib/probe.ts',
        code: importing(['NotFoundException'], '@nestjs/common/exceptions/not-found.exception'),
      },
      {
        path: 'libs/server/auth/src/lib/probe.service.ts',
        code: importing(['ForbiddenException']),
      },
      { path: 'libs/server/auth/src/lib/auth.guard.ts', code: importing(['ForbiddenException']) },
      { path: 'apps/api/src/app/probe.ts', code: importing(['NotFoundException', 'HttpStatus']) },
      { path: 'libs/server/audit/src/lib/probe.ts', code: importing(['HttpException']) },
      { path: 'libs/server/projects/src/lib/probe.spec.ts', code: importing(['HttpException']) },
      { path: 'libs/server/projects/src/lib/probe.ts', code: importing(['Injectable', 'Logger']) },
    ]);
    expect(queue).toEqual(names.map(refused));
    expect(engineDeep).toEqual([
      expect.stringMatching(/^no-restricted-imports: '@nestjs\/common\/exceptions\/not-found/),
    ]);
    expect(auth).toEqual([refused('ForbiddenException')]);
    expect([authGuard, api, audit, spec, injectable]).toEqual([[], [], [], [], []]);
  }, 180_000);

  it('refuses them with the lib’s own config too (nx lint), and keeps its other restrictions', () => {
    const [exception, testHelpers] = lintAll('libs/server/chat', [
      {
        path: 'libs/server/chat/src/lib/probe.ts',
        code: importing(['ConflictException']),
      },
      {
        path: 'libs/server/chat/src/lib/probe-helpers.ts',
        code: `import * as t from '@autocoder/server-db/testing';\nexport const x = t;\n`,
      },
    ]);
    expect(exception).toEqual([refused('ConflictException')]);
    expect(testHelpers).toEqual([
      expect.stringMatching(/^no-restricted-imports: '@autocoder\/server-db\/testing'/),
    ]);
  }, 180_000);
});
