// The git work of one coding session done by a plain script, sequentially, against the same kind
// of remote the platform uses: fetch main into a bare cache, add a worktree on a new branch,
// write a file and commit, push the branch, merge it in an integration worktree, publish main by
// compare-and-swap (push --force-with-lease), clean up both worktrees and the remote branch.
// bench/sessions.mjs reports the platform's sessions/s against this script's in the same run.
//
//   node bench/git-baseline.mjs --remote <url> [--sessions 100]    (prints JSON)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Runs `sessions` sessions' git operations one after the other on a fresh remote repository
 * (created by `createRemote()`, which returns `{ url, env }`); returns sessions per second.
 */
export async function plainGitSessions({ createRemote, sessions }) {
  const { url, env: remoteEnv = {} } = await createRemote();
  const dir = mkdtempSync(join(tmpdir(), 'bench-git-baseline-'));
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@localhost',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@localhost',
    ...remoteEnv,
  };
  const cache = join(dir, 'repo');
  const g = (cwd, ...args) =>
    execFileSync('git', args, {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  try {
    g(dir, 'init', '-q', '--bare', '--initial-branch=main', cache);
    const tree = g(dir, `--git-dir=${cache}`, 'hash-object', '-w', '-t', 'tree', '/dev/null');
    const initial = g(dir, `--git-dir=${cache}`, 'commit-tree', tree, '-m', 'Initial commit');
    g(dir, `--git-dir=${cache}`, 'push', '-q', url, `${initial}:refs/heads/main`);
    const started = performance.now();
    for (let i = 0; i < sessions; i++) {
      const gd = `--git-dir=${cache}`;
      g(dir, gd, 'fetch', '-q', '--no-tags', url, '+refs/heads/main:refs/heads/main');
      const wt = join(dir, `wt-${i}`);
      g(dir, gd, 'worktree', 'add', '-q', '-b', `session/${i}`, wt, 'main');
      mkdirSync(join(wt, 'features'), { recursive: true });
      writeFileSync(join(wt, 'features', `f${i}.js`), `export const f${i} = ${i};\n`);
      g(wt, 'add', '--all');
      g(wt, 'commit', '-q', '-m', `feature ${i}`);
      const branch = `autocoder/session/${i}`;
      g(dir, gd, 'push', '-q', '--force', url, `session/${i}:refs/heads/${branch}`);
      g(
        dir,
        gd,
        'fetch',
        '-q',
        '--no-tags',
        url,
        `+refs/heads/${branch}:refs/autocoder/incoming/${i}`,
      );
      const integ = join(dir, `integ-${i}`);
      const base = g(dir, gd, 'rev-parse', 'main');
      g(dir, gd, 'worktree', 'add', '-q', '--detach', integ, base);
      g(
        integ,
        'merge',
        '-q',
        '--no-ff',
        '-m',
        `Merge feature ${i}`,
        `refs/autocoder/incoming/${i}`,
      );
      const merged = g(integ, 'rev-parse', 'HEAD');
      g(
        dir,
        gd,
        'push',
        '-q',
        `--force-with-lease=refs/heads/main:${base}`,
        url,
        `${merged}:refs/heads/main`,
      );
      g(dir, gd, 'update-ref', 'refs/heads/main', merged);
      g(dir, gd, 'worktree', 'remove', '--force', integ);
      g(dir, gd, 'worktree', 'remove', '--force', wt);
      g(dir, gd, 'branch', '-q', '-D', `session/${i}`);
      g(dir, gd, 'push', '-q', url, `:refs/heads/${branch}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const onMain = g(dir, `--git-dir=${cache}`, 'ls-tree', '--name-only', 'main', 'features/')
      .split('\n')
      .filter(Boolean).length;
    if (onMain !== sessions) throw new Error(`plain git: ${onMain} of ${sessions} files on main`);
    return {
      sessions,
      seconds: Math.round(seconds * 100) / 100,
      sessionsPerSecond: Math.round((sessions / seconds) * 100) / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const sessions = Number(arg('sessions', '100'));
  const remote = arg('remote', undefined);
  const result = await plainGitSessions({
    sessions,
    createRemote: async () => {
      if (remote) return { url: remote };
      const bare = mkdtempSync(join(tmpdir(), 'bench-git-remote-'));
      execFileSync('git', ['init', '-q', '--bare', '--initial-branch=main', bare]);
      return { url: pathToFileURL(bare).href };
    },
  });
  console.log(JSON.stringify(result, null, 2));
}
