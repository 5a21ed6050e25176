import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cap, FILE_TOOL_SPECS, runFileTool } from './file-tools';

describe('file tools', () => {
  let root: string;
  let worktree: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'file-tools-'));
    worktree = join(root, 'wt');
    mkdirSync(join(worktree, 'src'), { recursive: true });
    writeFileSync(join(worktree, 'src/a.ts'), 'export const a = 1;\nexport const b = 2;\n');
    writeFileSync(join(worktree, 'README.md'), '# Hello\n');
    writeFileSync(join(root, 'secret.txt'), 'TOP SECRET\n');
    symlinkSync(join(root, 'secret.txt'), join(worktree, 'leak.txt'));
    symlinkSync(root, join(worktree, 'up'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('describes every tool with a JSON schema', () => {
    expect(FILE_TOOL_SPECS.map((t) => t.name)).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'list_dir',
      'glob',
      'grep',
    ]);
    expect(FILE_TOOL_SPECS[0].inputSchema).toMatchObject({ type: 'object', required: ['path'] });
  });

  it('reads with line numbers and ranges', async () => {
    expect((await runFileTool(worktree, 'read_file', { path: 'src/a.ts' })).content).toBe(
      '1\texport const a = 1;\n2\texport const b = 2;\n3\t',
    );
    expect(
      (await runFileTool(worktree, 'read_file', { path: 'src/a.ts', offset: 2, limit: 1 })).content,
    ).toBe('2\texport const b = 2;');
  });

  it('writes (creating folders) and edits by exact replacement', async () => {
    expect(
      await runFileTool(worktree, 'write_file', {
        path: 'src/new/x.ts',
        content: 'let x = 1;\nlet y = 1;\n',
      }),
    ).toEqual({
      content: 'Wrote 22 bytes to src/new/x.ts.',
    });
    const twice = await runFileTool(worktree, 'edit_file', {
      path: 'src/new/x.ts',
      old_string: '= 1',
      new_string: '= 2',
    });
    expect(twice).toMatchObject({
      isError: true,
      content: expect.stringContaining('occurs 2 times'),
    });
    await runFileTool(worktree, 'edit_file', {
      path: 'src/new/x.ts',
      old_string: 'let y = 1',
      new_string: 'let y = $&',
    });
    expect(readFileSync(join(worktree, 'src/new/x.ts'), 'utf8')).toBe('let x = 1;\nlet y = $&;\n');
    expect(
      await runFileTool(worktree, 'edit_file', {
        path: 'src/new/x.ts',
        old_string: 'nope',
        new_string: '',
      }),
    ).toMatchObject({
      isError: true,
    });
  });

  it.each([
    ['read_file', { path: '../secret.txt' }],
    ['read_file', { path: '/etc/passwd' }],
    ['read_file', { path: 'leak.txt' }],
    ['read_file', { path: 'up/secret.txt' }],
    ['write_file', { path: 'up/evil.txt', content: 'x' }],
    ['write_file', { path: '../../evil.txt', content: 'x' }],
    ['edit_file', { path: 'leak.txt', old_string: 'TOP', new_string: 'x' }],
    ['list_dir', { path: '..' }],
    ['glob', { pattern: '../*' }],
    ['glob', { pattern: '/etc/*' }],
  ])('refuses %s %j outside the worktree', async (name, input) => {
    const outcome = await runFileTool(worktree, name as 'read_file', input);
    expect(outcome.isError).toBe(true);
    expect(readFileSync(join(root, 'secret.txt'), 'utf8')).toBe('TOP SECRET\n');
  });

  it('lists, globs and greps, skipping what symlinks lead out to', async () => {
    expect((await runFileTool(worktree, 'list_dir', {})).content).toBe(
      'README.md\nleak.txt\nsrc/\nup',
    );
    expect((await runFileTool(worktree, 'glob', { pattern: '**/*.ts' })).content).toBe('src/a.ts');
    expect((await runFileTool(worktree, 'grep', { pattern: 'const b' })).content).toBe(
      'src/a.ts:2: export const b = 2;',
    );
    expect((await runFileTool(worktree, 'grep', { pattern: 'SECRET' })).content).toBe('(no match)');
    expect(await runFileTool(worktree, 'grep', { pattern: '(' })).toMatchObject({ isError: true });
  });

  it('answers invalid input as a tool error, not an exception', async () => {
    expect(await runFileTool(worktree, 'read_file', { file: 'x' })).toMatchObject({
      isError: true,
      content: expect.stringContaining('Invalid input'),
    });
  });

  it('caps long output and says so', () => {
    expect(cap('abcdef', 3)).toBe('abc\n… [cut 3 characters]');
  });
});
