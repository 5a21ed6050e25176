import {
  checkBashCommand,
  DEFAULT_ALLOWED_COMMANDS,
  sedScriptProblem,
  type BashPolicy,
} from './bash-allowlist';
import {
  BASH_ALLOWLIST_CORPUS,
  CORPUS_EXTRA_ALLOWED,
  CORPUS_WORKTREE,
  SANDBOXED_CHANGES,
  SANDBOXED_CORPUS,
} from './bash-allowlist.corpus';
import { parseBash } from './bash-parser';

const policy: BashPolicy = {
  allowed: new Set(DEFAULT_ALLOWED_COMMANDS),
  worktree: CORPUS_WORKTREE,
  extraAllowed: CORPUS_EXTRA_ALLOWED,
};

function commandsOf(command: string, p: BashPolicy = policy): string[] {
  const verdict = checkBashCommand(command, p);
  if (!verdict.ok) throw new Error(`refused: ${verdict.reason}`);
  return verdict.commands;
}

function reasonOf(command: string, p: BashPolicy = policy): string {
  const verdict = checkBashCommand(command, p);
  if (verdict.ok) throw new Error(`allowed: ${verdict.commands.join(', ')}`);
  return verdict.reason;
}

describe('bash allowlist corpus', () => {
  it('has at least 200 commands with both outcomes well represented', () => {
    const allowed = BASH_ALLOWLIST_CORPUS.filter((e) => e.allowed).length;
    const blocked = BASH_ALLOWLIST_CORPUS.length - allowed;
    expect(BASH_ALLOWLIST_CORPUS.length).toBeGreaterThanOrEqual(200);
    expect(allowed).toBeGreaterThanOrEqual(80);
    expect(blocked).toBeGreaterThanOrEqual(80);
    expect(new Set(BASH_ALLOWLIST_CORPUS.map((e) => e.command)).size).toBe(
      BASH_ALLOWLIST_CORPUS.length,
    );
  });

  it('gives the expected verdict for every corpus command', () => {
    // One test with a list of mismatches keeps the output readable when several fail.
    const mismatches: string[] = [];
    for (const entry of BASH_ALLOWLIST_CORPUS) {
      const verdict = checkBashCommand(entry.command, policy);
      const detail = verdict.ok ? `commands=${verdict.commands.join(',')}` : verdict.reason;
      if (verdict.ok !== entry.allowed) {
        mismatches.push(
          `${JSON.stringify(entry.command)}: expected ${entry.allowed ? 'allowed' : 'refused'}, got ${detail}`,
        );
      } else if (!verdict.ok && entry.reason && !verdict.reason.includes(entry.reason)) {
        mismatches.push(
          `${JSON.stringify(entry.command)}: reason ${JSON.stringify(verdict.reason)} lacks ${JSON.stringify(entry.reason)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives every refusal a short reason', () => {
    for (const entry of BASH_ALLOWLIST_CORPUS.filter((e) => !e.allowed)) {
      const reason = reasonOf(entry.command);
      expect(reason.length).toBeGreaterThan(5);
      expect(reason.length).toBeLessThan(160);
    }
  });
});

describe('commands listed in an allowed verdict', () => {
  it('lists every program in execution order, substitutions before their command', () => {
    expect(commandsOf('ls -la | grep x | wc -l')).toEqual(['ls', 'grep', 'wc']);
    expect(commandsOf('echo "$(git rev-parse HEAD)"')).toEqual(['git', 'echo']);
    expect(commandsOf('cd app && npm run build || echo failed')).toEqual(['cd', 'npm', 'echo']);
    expect(commandsOf('(cd app; npm test) && { echo ok; }')).toEqual(['cd', 'npm', 'echo']);
  });

  it('lists wrappers and the programs they run', () => {
    expect(commandsOf('env FOO=1 timeout 5 npx jest')).toEqual(['env', 'timeout', 'npx', 'jest']);
    expect(commandsOf('bash -c "git status && sh -c \'ls\'"')).toEqual(['bash', 'git', 'sh', 'ls']);
    expect(commandsOf('find . -name "*.log" | xargs echo')).toEqual(['find', 'xargs', 'echo']);
    expect(commandsOf('nohup node server.js > out.log 2>&1 &')).toEqual(['nohup', 'node']);
  });

  it('resolves quoting and node_modules/.bin paths to the program name', () => {
    expect(commandsOf("'g''it' status")).toEqual(['git']);
    expect(commandsOf('./node_modules/.bin/jest')).toEqual(['jest']);
    expect(commandsOf('./init.sh --seed')).toEqual(['./init.sh']);
  });

  it('includes programs in here-docs, loops and conditionals', () => {
    expect(commandsOf('cat <<EOF\n$(pwd)\nEOF')).toEqual(['pwd', 'cat']);
    expect(commandsOf('for f in $(ls src); do echo $f; done')).toEqual(['ls', 'echo']);
    expect(commandsOf('if test -f x; then echo y; elif true; then pwd; else false; fi')).toEqual([
      'test',
      'echo',
      'true',
      'pwd',
      'false',
    ]);
  });

  it('lists nothing extra for a bare assignment', () => {
    expect(commandsOf('FOO=1')).toEqual([]);
    expect(commandsOf('FOO=$(git rev-parse HEAD)')).toEqual(['git']);
  });
});

describe('policy', () => {
  it('refuses programs missing from the allowed set and accepts extraAllowed names', () => {
    const minimal: BashPolicy = { allowed: new Set(['ls']), worktree: CORPUS_WORKTREE };
    expect(reasonOf('git status', minimal)).toBe("program 'git' is not allowed");
    expect(commandsOf('python3 manage.py test', { ...minimal, extraAllowed: ['python3'] })).toEqual(
      ['python3'],
    );
  });

  it('never lets extraAllowed enable privilege escalation or eval', () => {
    const loose = { ...policy, extraAllowed: ['sudo', 'eval', 'source'] };
    expect(reasonOf('sudo ls', loose)).toContain('privilege escalation');
    expect(reasonOf('eval ls', loose)).toContain("'eval' is not allowed");
  });

  it('requires an absolute worktree', () => {
    expect(reasonOf('ls', { ...policy, worktree: 'relative/dir' })).toContain('absolute');
  });

  it('tracks the directory through cd when checking paths', () => {
    expect(commandsOf('cd src && cd app && cat ../../package.json')).toEqual(['cd', 'cd', 'cat']);
    expect(reasonOf('cd src && cat ../../x')).toBe('cat: path ../../x is outside the worktree');
  });
});

describe('parser details', () => {
  it('parses the structures the checker relies on', () => {
    const script = parseBash('a=1 ls -l "x y" 2>&1 | grep -v z && { echo $(pwd); } &');
    expect(script.items).toHaveLength(1);
    expect(script.items[0].background).toBe(true);
    const first = script.items[0].andOr.first.commands[0];
    expect(first.type).toBe('simple');
    if (first.type === 'simple') {
      expect(first.assigns.map((a) => a.name)).toEqual(['a']);
      expect(first.words.map((w) => w.raw)).toEqual(['ls', '-l', '"x y"']);
      expect(first.redirects.map((r) => [r.fd, r.op])).toEqual([['2', '>&']]);
    }
  });

  it('refuses what unbash reads but the allowlist does not model', () => {
    for (const command of [
      'echo ${ cd ..; }',
      'ls !(x)',
      '{fd}>x ls',
      'cat <<EOF\nno closing line',
      'cat <<EOF\nEO\\\nF\nls\nEOF',
      'ls &\\\n& ls',
      'echo $(ls &&)',
      "sh -c 'cat <(ls)'",
    ]) {
      expect(reasonOf(command)).toContain('parse error');
    }
  });

  it('refuses what unbash reads differently from bash', () => {
    // unbash 6.0.5 ends the pattern at the '/' inside $( ) and sees only `rm -rf`.
    expect(checkBashCommand('echo ${x//$(rm -rf /)/y}', policy).ok).toBe(false);
    // bash 5.2 reads $'\x{2f}' as '/'; unbash (and the old parser) kept it literal.
    expect(reasonOf("cat $'\\x{2f}etc/passwd'")).toContain('not a literal word');
  });

  it('reads sed scripts conservatively', () => {
    expect(sedScriptProblem('s/a/b/g; /^#/d; 1,5p')).toBeNull();
    expect(sedScriptProblem('s|a|b|w out')).toContain('writes files');
    expect(sedScriptProblem('1e ls')).toContain('runs commands');
    expect(sedScriptProblem('$!N; P; D')).toBeNull();
  });
});

describe('cost', () => {
  it('checks the whole corpus in well under a millisecond per command', () => {
    for (const entry of BASH_ALLOWLIST_CORPUS) checkBashCommand(entry.command, policy);
    const rounds = 5;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      for (const entry of BASH_ALLOWLIST_CORPUS) checkBashCommand(entry.command, policy);
    }
    const perCommandMs =
      Number(process.hrtime.bigint() - start) / 1e6 / (rounds * BASH_ALLOWLIST_CORPUS.length);
    // Generous bound for a shared CI core; the measured figure is far lower.
    expect(perCommandMs).toBeLessThan(1);
  });
});

describe('bash allowlist in a sandbox', () => {
  const sandboxed: BashPolicy = { ...policy, extraAllowed: [], sandboxed: true };

  it('keeps every corpus verdict but the script ones, and holds the sandbox corpus', () => {
    const mismatches: string[] = [];
    const expectations = [
      ...BASH_ALLOWLIST_CORPUS.filter((e) => !CORPUS_EXTRA_ALLOWED.includes(e.command)).map(
        (e) => ({ ...e, allowed: SANDBOXED_CHANGES.includes(e.command) ? true : e.allowed }),
      ),
      ...SANDBOXED_CORPUS,
    ];
    for (const entry of expectations) {
      const verdict = checkBashCommand(entry.command, sandboxed);
      if (verdict.ok !== entry.allowed) {
        mismatches.push(
          `${JSON.stringify(entry.command)}: expected ${entry.allowed ? 'allowed' : 'refused'}, got ${verdict.ok ? 'allowed' : verdict.reason}`,
        );
      } else if (!verdict.ok && entry.reason && !verdict.reason.includes(entry.reason)) {
        mismatches.push(`${JSON.stringify(entry.command)}: reason ${verdict.reason}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('runs worktree scripts only when sandboxed', () => {
    expect(reasonOf('./setup.sh', { ...policy, extraAllowed: [] })).toContain('not allowed');
    expect(commandsOf('./setup.sh', sandboxed)).toEqual(['./setup.sh']);
    expect(commandsOf('bash tools/setup.sh', sandboxed)).toEqual(['bash', 'tools/setup.sh']);
  });
});
