// The session's tools and its merge verification in the real sandbox (bwrap), over a real project
// repository: what the agent's bash tool and the verification command can and cannot reach.
import { runBashTool } from '@autocoder/server-agent';
import { loadConfig } from '@autocoder/server-config';
import { directoryRemotes, ProjectRepository } from '@autocoder/server-workspace';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { openSandboxedRunner, sandboxesFromConfig } from './session-sandbox';

describe('session sandbox wiring', () => {
  const root = path.join(process.cwd(), 'tmp', `session-sandbox-${randomUUID()}`);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
    WORKSPACE_ROOT: root,
    GIT_SERVER_URL: `${root}/.remotes`,
    SANDBOX: 'bwrap',
    SANDBOX_ALLOWED_HOSTS: 'none',
  });
  const repos = new ProjectRepository({
    root,
    remotes: directoryRemotes(path.join(root, '.remotes')),
  });
  const projectId = randomUUID();
  const otherProject = randomUUID();

  beforeAll(async () => {
    await repos.ensure(projectId);
    await repos.ensure(otherProject);
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it("runs the agent's commands in one sandbox per session: scripts run, servers stay, nothing else is reachable", async () => {
    const wt = await repos.createWorktree(projectId, 'run-1');
    await fs.writeFile(path.join(wt.path, 'init.sh'), '#!/bin/sh\necho "init ran as $HOME"\n', {
      mode: 0o755,
    });
    const sandbox = await openSandboxedRunner(
      sandboxesFromConfig(config),
      config,
      projectId,
      wt.path,
    );
    expect(sandbox.run).toBeDefined();
    const bash = (command: string) =>
      runBashTool({ command }, { worktree: wt.path, sandbox: sandbox.run });
    try {
      expect((await bash('./init.sh')).content).toContain('init ran as /tmp/home');
      // Without the sandbox the same script is refused (not listed by the project).
      expect((await runBashTool({ command: './init.sh' }, { worktree: wt.path })).content).toMatch(
        /^Refused/,
      );
      expect(
        (
          await bash(
            `node -e "require('http').createServer((q,s)=>s.end('up')).listen(4321)" > server.log 2>&1 &`,
          )
        ).isError,
      ).toBe(false);
      expect(
        (await bash('curl -s --retry 50 --retry-connrefused --retry-delay 1 http://127.0.0.1:4321'))
          .content,
      ).toContain('up');
      // Other projects are absent; the project's repository is read-only; git still reads it.
      expect(
        (await bash(`node -e "require('fs').readdirSync('${path.join(root, otherProject)}')"`))
          .content,
      ).toContain('ENOENT');
      expect((await bash('git log --oneline | wc -l')).content).toMatch(/^1\n/);
      expect(
        (
          await bash(
            `node -e "require('fs').writeFileSync('${path.join(root, projectId, 'repo', 'HEAD')}','x')"`,
          )
        ).content,
      ).toContain('EROFS');
      expect((await bash('git push origin HEAD:main')).content).toMatch(/^Refused: .*git push/);
    } finally {
      await sandbox.close();
    }
  });

  it('verifies a merge in a sandbox of its own around the integration worktree', async () => {
    const wt = await repos.createWorktree(projectId, 'run-2');
    await fs.writeFile(path.join(wt.path, 'feature.txt'), 'done\n');
    await repos.commitAll(wt, 'feature');
    const sandboxes = sandboxesFromConfig(config);
    const merge = await repos.mergeToMain(projectId, wt, {
      verifyCommand: `test "$(ls /proc | grep -cE '^[0-9]+$')" -lt 10 && touch verified && node -e "require('net').connect(5432,'127.0.0.1').on('error',e=>{console.log(e.code);process.exit(3)}).on('connect',()=>process.exit(0))"`,
      runner: async (integration) => {
        const opened = await openSandboxedRunner(sandboxes, config, projectId, integration);
        if (!opened.run) throw new Error('expected a sandbox');
        return { run: opened.run, close: opened.close };
      },
    });
    expect(merge.status).toBe('verification_failed');
    if (merge.status === 'verification_failed') {
      expect(merge.verification.exitCode).toBe(3);
      expect(merge.output).toContain('ECONNREFUSED');
    }
  });
});
