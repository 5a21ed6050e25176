// The dependency check of `make lint` (knip, with the repository's knip.jsonc) refuses a
// package.json that lists a package nothing imports, or code that imports a package
// package.json does not list: shown on a small workspace in tmp/, with the same config.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const knip = join(root, 'node_modules/knip/bin/knip.js');

function workspace(dependencies: Record<string, string>, source: string): string {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, 'tmp/knip-probe-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'probe', dependencies }));
  mkdirSync(join(dir, 'libs/probe/src'), { recursive: true });
  writeFileSync(join(dir, 'libs/probe/src/index.ts'), source);
  copyFileSync(join(root, 'knip.jsonc'), join(dir, 'knip.jsonc'));
  return dir;
}

function check(dir: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [knip, '--no-progress', '--no-config-hints'], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('unused dependency check', () => {
  jest.setTimeout(60_000);
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('fails on a dependency that nothing imports', () => {
    const dir = workspace(
      { 'left-pad': '^1.3.0', yaml: '^2.6.0' },
      "import { parse } from 'yaml';\nexport const x = parse('a: 1');\n",
    );
    dirs.push(dir);
    const { status, output } = check(dir);
    expect(output).toMatch(/Unused dependencies \(1\)\s+left-pad/);
    expect(output).not.toMatch(/yaml/);
    expect(status).toBe(1);
  });

  it('fails on an import that package.json does not list', () => {
    const dir = workspace({}, "import { parse } from 'yaml';\nexport const x = parse('a: 1');\n");
    dirs.push(dir);
    const { status, output } = check(dir);
    expect(output).toMatch(/Unlisted dependencies \(1\)\s+yaml/);
    expect(status).toBe(1);
  });

  it('passes when every dependency is imported', () => {
    const dir = workspace(
      { yaml: '^2.6.0' },
      "import { parse } from 'yaml';\nexport const x = parse('a: 1');\n",
    );
    dirs.push(dir);
    expect(check(dir)).toEqual({ status: 0, output: '' });
  });
});
