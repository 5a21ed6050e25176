import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBashTool } from './bash-tool';

describe('bash tool', () => {
  let worktree: string;

  beforeEach(() => {
    worktree = mkdtempSync(join(tmpdir(), 'bash-tool-'));
    writeFileSync(join(worktree, 'notes.txt'), 'one\ntwo\nthree\n');
  });

  afterEach(() => rmSync(worktree, { recursive: true, force: true }));

  it('runs an allowed pipeline in the worktree', async () => {
    expect(await runBashTool({ command: 'cat notes.txt | grep t | wc -l' }, { worktree })).toEqual({
      isError: false,
      content: '2\n[exit code 0]',
    });
  });

  it('refuses what the allowlist refuses, without running it', async () => {
    const outcome = await runBashTool(
      { command: "ls; python3 -c \"open('pwned','w')\"" },
      { worktree },
    );
    expect(outcome).toMatchObject({
      isError: true,
      content: expect.stringMatching(/^Refused: .*python3/),
    });
  });

  it('reports a failing command as an error with its exit code', async () => {
    expect(await runBashTool({ command: 'ls missing-file' }, { worktree })).toMatchObject({
      isError: true,
      content: expect.stringContaining('[exit code 2]'),
    });
  });

  it('kills the command at its timeout', async () => {
    const started = Date.now();
    const outcome = await runBashTool({ command: 'sleep 30', timeout_ms: 1000 }, { worktree });
    expect(outcome).toMatchObject({ isError: true, content: expect.stringContaining('timed out') });
    // Far below the sleep's 30 s, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it("gives commands none of the runner's secrets", async () => {
    process.env['ANTHROPIC_API_KEY'] = 'sk-should-not-leak';
    process.env['DATABASE_URL'] = 'postgresql://secret@db/x';
    try {
      const outcome = await runBashTool(
        { command: 'echo "[$ANTHROPIC_API_KEY][$DATABASE_URL]"' },
        { worktree },
      );
      expect(outcome.content).toBe('[][]\n[exit code 0]');
    } finally {
      delete process.env['ANTHROPIC_API_KEY'];
      delete process.env['DATABASE_URL'];
    }
  });
});
