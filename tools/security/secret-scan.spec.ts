// The secret scan that the pre-commit hook runs on staged files, over every tracked file, and
// proof that it refuses what it should (secrets are assembled at run time, so this file itself
// stays clean).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const script = join(root, 'tools/security/check-secrets.mjs');

function scan(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('secret scan', () => {
  let dir: string;
  beforeAll(() => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(root, 'tmp/secret-scan-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds no secret and no environment file among the tracked files', () => {
    const { status, output } = scan();
    expect(output).toMatch(/secret scan: \d+ files clean/);
    expect(status).toBe(0);
  });

  it('refuses a GitHub token and an Anthropic key', () => {
    const alnum = 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5bC7d';
    const file = join(dir, 'config.ts');
    writeFileSync(
      file,
      [
        `const token = "${'gh' + 'p_'}${alnum.slice(0, 36)}";`,
        `const key = "${'sk-' + 'ant-api03-'}${alnum.repeat(3).slice(0, 93)}-${alnum.slice(0, 6)}AA";`,
      ].join('\n'),
    );
    const { status, output } = scan(relative(root, file));
    expect(status).toBe(1);
    expect(output).toContain('GITHUB_TOKEN');
    expect(output).toContain('ANTHROPIC_API_KEY');
    expect(output).not.toContain(alnum.slice(0, 36)); // masked in the report
  });

  it('refuses environment files but lets examples through', () => {
    for (const name of ['.env', '.env.local', 'prod.env']) {
      const { status, output } = scan(join('deploy', name));
      expect(status).toBe(1);
      expect(output).toContain(`refused: deploy/${name} is an environment file`);
    }
    const example = join(dir, '.env.example');
    writeFileSync(example, 'ANTHROPIC_API_KEY=\n');
    expect(scan(relative(root, example)).status).toBe(0);
  });
});
