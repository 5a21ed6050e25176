// The layer rules of eslint.config.mjs (docs/architecture.md, "Nx projects, tags and allowed
// dependencies") refuse what they should: ESLint's Node API lints small sources placed, by
// path, inside real projects, without writing them to disk. It runs in a child process, since
// the config is an ES module that Jest's module system does not load.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

const LINT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
(async () => {
  const out = [];
  for (const c of cases) {
    const [result] = await eslint.lintText(c.code, { filePath: c.path });
    out.push(result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

/** The enforce-module-boundaries messages of each source, as if it were the file at its path. */
function lintAll(cases: { path: string; code: string }[]): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINT], {
    cwd: root,
    input: JSON.stringify(cases.map((c) => ({ ...c, path: resolve(root, c.path) }))),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[][];
}

const results = new Map<string, string[]>();
const key = (path: string, code: string) => `${path}\n${code}`;

/** Looked up from one batch run in beforeAll (one project graph for every case). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const found = results.get(key(path, code));
  if (!found) throw new Error(`not among the linted cases: ${path}`);
  return found;
}

const importing = (entry: string) => `import * as m from '${entry}';\nexport const x = m;\n`;

const CASES: [string, string][] = [
  ['libs/admin/ui/src/lib/probe.ts', '@autocoder/admin-feature-questions'],
  ['libs/admin/feature-stats/src/lib/probe.ts', '@autocoder/admin-feature-questions'],
  ['libs/admin/data-access-api/src/lib/probe.ts', '@autocoder/admin-ui'],
  ['libs/server/config/src/lib/probe.ts', '@autocoder/server-models'],
  ['libs/server/workspace/src/lib/probe.ts', '@autocoder/server-audit'],
  ['libs/server/audit/src/lib/probe.ts', '@autocoder/server-test-support'],
  ['libs/server/audit/src/lib/probe.spec.ts', '@autocoder/server-test-support'],
  ['libs/admin/feature-stats/src/lib/probe.ts', '@autocoder/admin-ui'],
  ['libs/server/audit/src/lib/probe.ts', '@autocoder/server-db'],
];

describe('module boundaries', () => {
  beforeAll(() => {
    const cases = CASES.map(([path, entry]) => ({ path, code: importing(entry) }));
    lintAll(cases).forEach((messages, i) => {
      const c = cases[i];
      if (c) results.set(key(c.path, c.code), messages);
    });
  }, 180_000);

  it('refuses a console ui lib importing a feature lib', async () => {
    expect(
      await boundaryErrors(
        'libs/admin/ui/src/lib/probe.ts',
        importing('@autocoder/admin-feature-questions'),
      ),
    ).toEqual([expect.stringContaining('"type:ui" can only depend on libs tagged with "type:ui"')]);
  });

  it('refuses one console feature importing another (the app composes them)', async () => {
    expect(
      await boundaryErrors(
        'libs/admin/feature-stats/src/lib/probe.ts',
        importing('@autocoder/admin-feature-questions'),
      ),
    ).toEqual([expect.stringContaining('"type:feature" can only depend on libs tagged with')]);
  });

  it('refuses console data access importing ui', async () => {
    expect(
      await boundaryErrors(
        'libs/admin/data-access-api/src/lib/probe.ts',
        importing('@autocoder/admin-ui'),
      ),
    ).toEqual([expect.stringContaining('"type:data-access" can only depend on')]);
  });

  it('refuses a server util lib importing data access, and data access importing a domain lib', async () => {
    expect(
      await boundaryErrors(
        // server-models: a data-access lib that imports no util lib, so the probe makes no cycle
        // (Nx reports a cycle instead of the layer).
        'libs/server/config/src/lib/probe.ts',
        importing('@autocoder/server-models'),
      ),
    ).toEqual([expect.stringContaining('"type:util" can only depend on')]);
    expect(
      await boundaryErrors(
        'libs/server/workspace/src/lib/probe.ts',
        importing('@autocoder/server-audit'),
      ),
    ).toEqual([expect.stringContaining('"type:data-access" can only depend on')]);
  });

  it('lets test helpers into tests only', async () => {
    const helper = importing('@autocoder/server-test-support');
    expect(await boundaryErrors('libs/server/audit/src/lib/probe.ts', helper)).toEqual([
      expect.stringContaining('"type:feature" can only depend on'),
    ]);
    expect(await boundaryErrors('libs/server/audit/src/lib/probe.spec.ts', helper)).toEqual([]);
  });

  it('allows the layers downwards', async () => {
    expect(
      await boundaryErrors(
        'libs/admin/feature-stats/src/lib/probe.ts',
        importing('@autocoder/admin-ui'),
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors('libs/server/audit/src/lib/probe.ts', importing('@autocoder/server-db')),
    ).toEqual([]);
  });
});
