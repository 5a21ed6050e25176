/**
 * The bash tool's command allowlist.
 *
 * A command is parsed by unbash, read through the fail-closed adapter in ./bash-parser, and every
 * program it could run is checked: across pipes, lists, subshells, groups, if/for/while bodies,
 * command and process substitutions, here-docs, and through wrappers (bash -c, sh -c, env, xargs,
 * nohup, timeout, exec, command, npx, npm exec, pnpm exec). Anything the checker cannot see
 * through is refused.
 *
 * Rules, in short:
 * - Program names must be literal words (quotes are resolved, expansions refused). A name with a
 *   '/' is refused unless it is `node_modules/.bin/<allowed>` inside the worktree or a script
 *   path listed in `extraAllowed` (e.g. './init.sh'). sudo/su/eval/source/./trap/let/declare and
 *   friends are refused even if listed in `extraAllowed`.
 * - File operands of ls, cat, head, tail, wc, grep, sort, uniq, find, sed, cp, mv, rm, touch,
 *   mkdir, chmod, cd and every redirection must be literal and resolve inside the worktree (reads
 *   too, so `cat /etc/shadow` is refused); writes may not target the worktree root or `.git`.
 *   Paths resolve against every directory a preceding `cd` may have left the shell in.
 * - chmod: only `+x` modes. kill: literal pids > 1 (or %jobs). pkill: one pattern starting with
 *   node, npm, npx, pnpm, vite, next, tsx or ts-node. curl: http(s) to localhost, 127.0.0.1 or
 *   [::1] only, no proxies/--resolve/config files, outputs inside the worktree. find: no
 *   -exec/-ok/-delete/-fprint. sed: no -f, no e/w/r commands or s///e, s///w flags. git: no
 *   program-running config (only a short allowlist of keys for -c and git config writes), no
 *   --upload-pack/--exec/ext:: transports, no push, difftool/mergetool/filter-branch/worktree.
 *   npm/pnpm: no global installs, config writes or publishing.
 * - Assignments (prefix, bare, env, export, for-loop variables) to PATH, LD_*, NODE_OPTIONS,
 *   BASH_ENV, ENV, IFS, HOME, GIT_*, npm_config_* and similar names are refused.
 * - `bash -c`/`sh -c` strings are parsed again (sh strings as POSIX sh); shells reading stdin or
 *   a script file are refused. `xargs` may only run programs without argument rules.
 *
 * - With `sandboxed: true` (the command runs in the session's OS sandbox, @autocoder/server-sandbox)
 *   any script inside the worktree and outside .git may run (`./init.sh`, `bash scripts/x.sh`):
 *   the script could only do what node already can, and the sandbox bounds that. Everything else
 *   above still holds, because it is still harmful inside a sandbox (the worktree is writable
 *   there) or keeps the agent honest (curl to loopback only, no git transports that run programs).
 *
 * Not a sandbox: node, npm scripts and npx packages run arbitrary code by design.
 */
import { posix as path } from 'node:path';
import {
  BashSyntaxError,
  parseBash,
  type Command,
  type Redirect,
  type Script,
  type Word,
} from './bash-parser';

export interface BashPolicy {
  allowed: ReadonlySet<string>;
  /** Absolute path of the run's worktree; commands start there. */
  worktree: string;
  /** Per-project additions: program names, or script paths containing '/' (e.g. './init.sh'). */
  extraAllowed?: readonly string[];
  /** The command runs in an OS sandbox: scripts inside the worktree may run without a listing. */
  sandboxed?: boolean;
}

export type BashVerdict = { ok: true; commands: string[] } | { ok: false; reason: string };

export const DEFAULT_ALLOWED_COMMANDS: readonly string[] = [
  // file tools: operands confined to the worktree
  ...words('ls cat head tail wc grep sort uniq find sed cp mv rm touch mkdir chmod'),
  // shell builtins
  ...words('cd pwd echo true false test [ set export sleep'),
  // toolchain, processes, local HTTP
  ...words('npm npx pnpm node tsc jest vitest git ps lsof kill pkill curl'),
  // wrappers: the command they run is checked too
  ...words('bash sh env nohup timeout exec command xargs'),
];

/** Whitespace-separated list, to keep long tables readable. */
function words(list: string): string[] {
  return list.split(/\s+/).filter(Boolean);
}

/** Options whose value is a path, by how it is used. */
function pathOpts(write: string, read: string): Record<string, PathMode> {
  const modes = (list: string, mode: PathMode) => words(list).map((o) => [o, mode] as const);
  return Object.fromEntries([...modes(write, 'write'), ...modes(read, 'read')]);
}

const MAX_COMMAND_LENGTH = 64 * 1024;
const MAX_CWDS = 32;

export function checkBashCommand(command: string, policy: BashPolicy): BashVerdict {
  if (command.trim() === '') return { ok: false, reason: 'empty command' };
  if (command.length > MAX_COMMAND_LENGTH) return { ok: false, reason: 'command is too long' };
  if (command.includes('\0')) return { ok: false, reason: 'command contains a NUL byte' };
  if (!path.isAbsolute(policy.worktree)) {
    return { ok: false, reason: 'policy worktree must be an absolute path' };
  }
  try {
    const script = parseBash(command);
    if (script.items.length === 0) return { ok: false, reason: 'empty command' };
    const checker = new Checker(policy);
    checker.script(script, { cwds: [checker.worktree], inLoop: false });
    return { ok: true, commands: checker.commands };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    if (err instanceof BashSyntaxError) return { ok: false, reason: `parse error: ${err.message}` };
    throw err;
  }
}

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

interface Env {
  /** Every directory the shell may be in at this point (all inside the worktree). */
  cwds: readonly string[];
  /** cd inside a loop would need a fixpoint; it is refused instead. */
  inLoop: boolean;
}

/** Directories after a command succeeded or failed (only cd makes them differ). */
interface Flow {
  ok: readonly string[];
  fail: readonly string[];
}

type PathMode = 'read' | 'write';

// Never allowed, even via extraAllowed: they escalate privileges or evaluate strings as code.
const HARD_REFUSED = new Map<string, string>([
  ...['sudo', 'su', 'doas', 'pkexec'].map((p): [string, string] => [p, 'privilege escalation']),
  ...['eval', 'source', '.', 'trap', 'alias', 'builtin', 'enable', 'fc', 'let', 'declare']
    .concat(['typeset', 'local', 'readonly', 'mapfile', 'readarray', 'shopt', 'unset', 'read'])
    .map((p): [string, string] => [p, 'evaluates code or changes how the shell parses']),
]);

// Builtins that only steer the shell itself: allowed whatever the policy lists.
const SHELL_CONTROL = new Set(['break', 'continue', 'exit', 'return', ':']);

const DANGEROUS_VARS = new Set(
  words(`
  PATH NODE_OPTIONS NODE_PATH BASH_ENV ENV PROMPT_COMMAND IFS CDPATH GLOBIGNORE SHELLOPTS
  BASHOPTS BASH_XTRACEFD PS0 PS1 PS2 PS3 PS4 HOME XDG_CONFIG_HOME PAGER EDITOR VISUAL
  SHELL BROWSER GCONV_PATH LESSOPEN LESSCLOSE MANPAGER OPENSSL_CONF CURL_HOME SSH_ASKPASS
  TERMINFO
`),
);
const DANGEROUS_VAR_PREFIXES = ['LD_', 'DYLD_', 'GIT_', 'NPM_CONFIG_', 'BASH_FUNC_', 'PNPM_'];

function isDangerousVar(name: string): boolean {
  const upper = name.toUpperCase();
  return DANGEROUS_VARS.has(name) || DANGEROUS_VAR_PREFIXES.some((p) => upper.startsWith(p));
}

const READ_DEVICES = new Set(
  words('/dev/null /dev/stdin /dev/stdout /dev/stderr /dev/zero /dev/urandom /dev/random'),
);
const WRITE_DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);

// ------------------------------------------------------------------ word helpers

function isDynamic(word: Word): boolean {
  return word.parts.some((p) => p.kind !== 'lit');
}

function literal(word: Word): string | null {
  return isDynamic(word) ? null : literalPrefix(word);
}

/** An option-position argument: a dynamic word could turn out to be any option, so it is refused. */
function literalArg(prog: string, word: Word): string {
  const text = literal(word);
  if (text === null) refuse(`${prog}: argument ${word.raw} is not a literal word`);
  return text;
}

/** The literal text before the first expansion (for NAME=$value words). */
function literalPrefix(word: Word): string {
  let text = '';
  for (const part of word.parts) {
    if (part.kind !== 'lit') break;
    text += part.text;
  }
  return text;
}

/** Per character: could bash treat it as glob/brace/tilde syntax? */
function unquotedMask(word: Word): boolean[] {
  const mask: boolean[] = [];
  for (const part of word.parts) {
    // Indexed by UTF-16 unit, like the string it describes.
    if (part.kind === 'lit') mask.push(...new Array<boolean>(part.text.length).fill(!part.quoted));
  }
  return mask;
}

function unquotedText(word: Word): string {
  return word.parts.map((p) => (p.kind === 'lit' && !p.quoted ? p.text : ' ')).join('');
}

// ------------------------------------------------------------------ argument scanning

interface OptSpec {
  /** Short options that take a value (attached or next word). */
  short?: string;
  /** Short options taking an optional attached value only (sed -i[SUFFIX]). */
  attached?: string;
  /** Long options that take a value as the next word when not given with '='. */
  long?: readonly string[];
  /** Options whose value is a path, with how it is used. */
  paths?: Readonly<Record<string, PathMode>>;
  /** Options refused outright (as '-x' or '--long'). */
  refused?: readonly string[];
}

interface Scanned {
  /** name: '-x' or '--long'. */
  opts: { name: string; value: Word | null }[];
  positionals: Word[];
}

function textWord(text: string): Word {
  // Values split out of an option word: treat as unquoted so glob/tilde checks stay strict.
  return { parts: [{ kind: 'lit', text, quoted: false }], raw: text };
}

/** getopt-style scan (GNU permutation: options may follow operands until '--'). */
function scanArgs(prog: string, args: readonly Word[], spec: OptSpec): Scanned {
  const out: Scanned = { opts: [], positionals: [] };
  const refused = new Set(spec.refused ?? []);
  const long = new Set(spec.long ?? []);
  let endOfOpts = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    const text = literal(word);
    if (endOfOpts || text === null || text === '-' || !text.startsWith('-')) {
      if (text === null && literalPrefix(word).startsWith('-')) {
        refuse(`${prog}: option ${word.raw} is not a literal word`);
      }
      out.positionals.push(word);
      continue;
    }
    if (text === '--') {
      endOfOpts = true;
      continue;
    }
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = eq === -1 ? text : text.slice(0, eq);
      if (refused.has(name)) refuse(`${prog}: option ${name} is not allowed`);
      let value: Word | null = null;
      if (eq !== -1) value = textWord(text.slice(eq + 1));
      else if (long.has(name) || spec.paths?.[name] !== undefined) value = args[++i] ?? null;
      out.opts.push({ name, value });
      continue;
    }
    for (let j = 1; j < text.length; j++) {
      const name = '-' + text[j];
      if (refused.has(name)) refuse(`${prog}: option ${name} is not allowed`);
      const rest = text.slice(j + 1);
      if (spec.attached?.includes(text[j])) {
        out.opts.push({ name, value: rest ? textWord(rest) : null });
        break;
      }
      if (spec.short?.includes(text[j]) || spec.paths?.[name] !== undefined) {
        out.opts.push({ name, value: rest ? textWord(rest) : (args[++i] ?? null) });
        break;
      }
      out.opts.push({ name, value: null });
    }
  }
  return out;
}

function hasOpt(scanned: Scanned, ...names: string[]): boolean {
  return scanned.opts.some((o) => names.includes(o.name));
}

// ------------------------------------------------------------------ the checker

/** A script path without anything the shell would expand (it is taken literally). */
function isPlainPath(text: string): boolean {
  return /^[\w./@+-]+$/.test(text) && !text.startsWith('-') && !text.startsWith('~');
}

type Rule = (c: Checker, prog: string, args: Word[], env: Env) => Flow | void;

class Checker {
  readonly commands: string[] = [];
  readonly worktree: string;
  private readonly extraNames = new Set<string>();
  private readonly scripts = new Set<string>();

  constructor(private readonly policy: BashPolicy) {
    this.worktree = path.resolve(policy.worktree);
    for (const entry of policy.extraAllowed ?? []) {
      if (entry.includes('/')) this.scripts.add(path.resolve(this.worktree, entry));
      else this.extraNames.add(entry);
    }
  }

  script(script: Script, env: Env): Flow {
    let cwds = env.cwds;
    let last: Flow = { ok: cwds, fail: cwds };
    for (const item of script.items) {
      if (item.background) {
        // Runs in a subshell: its cd never reaches the next command.
        this.andOr(item.andOr, { ...env, cwds });
        last = { ok: cwds, fail: cwds };
      } else {
        last = this.andOr(item.andOr, { ...env, cwds });
        cwds = union(last.ok, last.fail);
      }
    }
    return last;
  }

  private andOr(andOr: Script['items'][number]['andOr'], env: Env): Flow {
    let flow = this.pipeline(andOr.first, env);
    for (const { op, pipeline } of andOr.rest) {
      if (op === '&&') {
        const next = this.pipeline(pipeline, { ...env, cwds: flow.ok });
        flow = { ok: next.ok, fail: union(flow.fail, next.fail) };
      } else {
        const next = this.pipeline(pipeline, { ...env, cwds: flow.fail });
        flow = { ok: union(flow.ok, next.ok), fail: next.fail };
      }
    }
    return flow;
  }

  private pipeline(pipeline: Script['items'][number]['andOr']['first'], env: Env): Flow {
    const flows = pipeline.commands.map((cmd) => this.command(cmd, env));
    // Every element of a multi-command pipeline runs in a subshell.
    const flow = flows.length === 1 ? flows[0] : { ok: env.cwds, fail: env.cwds };
    return pipeline.negated ? { ok: flow.fail, fail: flow.ok } : flow;
  }

  private command(cmd: Command, env: Env): Flow {
    const same: Flow = { ok: env.cwds, fail: env.cwds };
    switch (cmd.type) {
      case 'simple':
        return this.simple(cmd, env);
      case 'subshell':
        this.redirects(cmd.redirects, env);
        this.script(cmd.body, env);
        return same;
      case 'group':
        this.redirects(cmd.redirects, env);
        return this.script(cmd.body, env);
      case 'if': {
        this.redirects(cmd.redirects, env);
        let all: readonly string[] = env.cwds;
        let cwds = env.cwds;
        for (const clause of cmd.clauses) {
          const cond = this.script(clause.cond, { ...env, cwds });
          const body = this.script(clause.body, { ...env, cwds: cond.ok });
          all = union(all, cond.ok, cond.fail, body.ok, body.fail);
          cwds = cond.fail;
        }
        if (cmd.elseBody) {
          const body = this.script(cmd.elseBody, { ...env, cwds });
          all = union(all, body.ok, body.fail);
        }
        return { ok: all, fail: all };
      }
      case 'while':
      case 'until':
        this.redirects(cmd.redirects, env);
        this.script(cmd.cond, { ...env, inLoop: true });
        this.script(cmd.body, { ...env, inLoop: true });
        return same;
      case 'for':
        if (isDangerousVar(cmd.name)) refuse(`assignment to ${cmd.name} is not allowed`);
        for (const item of cmd.items ?? []) this.substitutions(item, env);
        this.redirects(cmd.redirects, env);
        this.script(cmd.body, { ...env, inLoop: true });
        return same;
    }
  }

  private simple(cmd: Extract<Command, { type: 'simple' }>, env: Env): Flow {
    for (const assign of cmd.assigns) {
      if (isDangerousVar(assign.name)) refuse(`assignment to ${assign.name} is not allowed`);
      this.substitutions(assign.value, env);
    }
    for (const word of cmd.words) this.substitutions(word, env);
    this.redirects(cmd.redirects, env);
    if (cmd.words.length === 0) return { ok: env.cwds, fail: env.cwds };
    return this.invoke(cmd.words, env);
  }

  /** Checks the commands inside $( ), ` ` and <( ) of a word; they run before the word's user. */
  substitutions(word: Word, env: Env): void {
    for (const part of word.parts) if (part.kind === 'sub') this.script(part.body, env);
  }

  private redirects(redirects: readonly Redirect[], env: Env): void {
    for (const r of redirects) {
      this.substitutions(r.target, env);
      if (r.heredoc) this.substitutions(r.heredoc, env);
      switch (r.op) {
        case '<<':
        case '<<-':
        case '<<<':
          break;
        case '<&':
        case '>&': {
          const text = literal(r.target);
          if (text !== null && /^([0-9]+-?|-)$/.test(text)) break;
          if (r.op === '<&') refuse(`redirect: bad file descriptor ${r.target.raw}`);
          this.path('redirect', r.target, env, 'write');
          break;
        }
        case '<':
          this.path('redirect', r.target, env, 'read');
          break;
        default:
          this.path('redirect', r.target, env, 'write');
      }
    }
  }

  /** Checks a program invocation (words[0] is the program) and returns the directory flow. */
  invoke(words: readonly Word[], env: Env): Flow {
    const same: Flow = { ok: env.cwds, fail: env.cwds };
    const prog = this.programName(words[0], env);
    this.commands.push(prog);
    const rule = RULES[prog];
    return (rule ? rule(this, prog, words.slice(1), env) : undefined) ?? same;
  }

  /** Resolves and authorises a program word; returns the name to check rules against. */
  programName(word: Word, env: Env): string {
    const text = literal(word);
    if (text === null) refuse(`program name ${word.raw} is not a literal word`);
    if (text === '') refuse('empty program name');
    const unquoted = unquotedText(word);
    if (text !== '[' && /[*?[\]{}]/.test(unquoted)) {
      refuse(`program name ${word.raw} contains glob or brace characters`);
    }
    if (unquoted.startsWith('~')) refuse(`program name ${word.raw} starts with ~`);
    if (SHELL_CONTROL.has(text)) return text;
    const hard = HARD_REFUSED.get(text);
    if (hard !== undefined) refuse(`program '${text}' is not allowed (${hard})`);
    if (!text.includes('/')) {
      if (!this.isAllowedName(text)) refuse(`program '${text}' is not allowed`);
      return text;
    }
    if (this.isListedScript(text, env)) return text;
    const resolved = env.cwds.map((cwd) => path.resolve(cwd, text));
    const bins = resolved.map((p) => /\/node_modules\/\.bin\/([^/]+)$/.exec(p)?.[1]);
    const bin = bins[0];
    if (
      bin !== undefined &&
      bins.every((b) => b === bin) &&
      resolved.every((p) => this.inside(p)) &&
      this.isAllowedName(bin) &&
      !HARD_REFUSED.has(bin)
    ) {
      return bin;
    }
    refuse(`program path '${text}' is not allowed`);
  }

  /**
   * A script path listed in extraAllowed, from every possible cwd; in a sandbox, any file inside
   * the worktree and outside its .git (hooks live there).
   */
  isListedScript(text: string, env: Env): boolean {
    const resolved = env.cwds.map((cwd) => path.resolve(cwd, text));
    if (resolved.every((abs) => this.scripts.has(abs))) return true;
    if (!this.policy.sandboxed || !isPlainPath(text)) return false;
    const git = path.join(this.worktree, '.git');
    return resolved.every(
      (abs) =>
        this.inside(abs) && abs !== this.worktree && abs !== git && !abs.startsWith(git + '/'),
    );
  }

  isAllowedName(name: string): boolean {
    return this.policy.allowed.has(name) || this.extraNames.has(name);
  }

  inside(abs: string): boolean {
    return abs === this.worktree || abs.startsWith(this.worktree + '/');
  }

  /** Checks a file operand: literal, no tricks, inside the worktree from every possible cwd. */
  path(prog: string, word: Word, env: Env, mode: PathMode): string[] {
    const text = literal(word);
    if (text === null) refuse(`${prog}: path ${word.raw} is not a literal word`);
    if (text === '') refuse(`${prog}: empty path`);
    if ((mode === 'read' ? READ_DEVICES : WRITE_DEVICES).has(text)) return [text];
    const mask = unquotedMask(word);
    const at = (i: number): boolean => mask[i] === true;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (!at(i)) continue;
      if (ch === '{' || ch === '}') refuse(`${prog}: brace expansion in path ${word.raw}`);
      if (ch === '~' && (i === 0 || text[i - 1] === '=' || text[i - 1] === ':')) {
        refuse(`${prog}: path ${word.raw} uses ~`);
      }
    }
    // A glob segment can only match '.' or '..' if it starts with a literal dot.
    let offset = 0;
    for (const segment of text.split('/')) {
      const globby = [...segment].some((ch, k) => at(offset + k) && '*?['.includes(ch));
      if (globby && segment.startsWith('.') && globMatchesDots(segment)) {
        refuse(`${prog}: glob ${segment} may match '..'`);
      }
      offset += segment.length + 1;
    }
    const resolved = env.cwds.map((cwd) => path.resolve(cwd, text));
    for (const abs of resolved) {
      if (!this.inside(abs)) refuse(`${prog}: path ${text} is outside the worktree`);
      if (mode === 'write') {
        if (abs === this.worktree) refuse(`${prog}: refusing to modify the worktree root`);
        const git = path.join(this.worktree, '.git');
        if (abs === git || abs.startsWith(git + '/'))
          refuse(`${prog}: path ${text} is inside .git`);
      }
    }
    return resolved;
  }

  /** Parses and checks a string that another shell will run (bash -c, npx -c, ...). */
  nestedScript(prog: string, word: Word, env: Env, posixShell: boolean): void {
    const text = literal(word);
    if (text === null) refuse(`${prog}: command string ${word.raw} is not a literal`);
    let script: Script;
    try {
      script = parseBash(text, { posix: posixShell });
    } catch (err) {
      if (err instanceof BashSyntaxError) refuse(`${prog}: parse error: ${err.message}`);
      throw err;
    }
    // A child process: its directory changes do not come back.
    this.script(script, env);
  }
}

function union(...lists: (readonly string[])[]): readonly string[] {
  const set = new Set<string>();
  for (const list of lists) for (const item of list) set.add(item);
  if (set.size > MAX_CWDS) refuse('too many possible working directories');
  return [...set];
}

function globMatchesDots(segment: string): boolean {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        // Any bracket expression might match '.': assume it does.
        re += '.';
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(re + '$');
  return rx.test('.') || rx.test('..');
}

// ------------------------------------------------------------------ program rules

function fileTool(spec: OptSpec, operands: PathMode | 'cp' | 'grep' | 'uniq'): Rule {
  return (c, prog, args, env) => {
    const scanned = scanArgs(prog, args, spec);
    for (const opt of scanned.opts) {
      const mode = spec.paths?.[opt.name];
      if (mode !== undefined && opt.value) c.path(prog, opt.value, env, mode);
    }
    let files = scanned.positionals;
    if (operands === 'grep') {
      if (!hasOpt(scanned, '-e', '--regexp', '-f', '--file')) files = files.slice(1);
      files.forEach((w) => c.path(prog, w, env, 'read'));
    } else if (operands === 'cp') {
      const targetGiven = hasOpt(scanned, '-t', '--target-directory');
      files.forEach((w, i) => {
        const isDest = !targetGiven && i === files.length - 1;
        c.path(prog, w, env, prog === 'mv' || isDest ? 'write' : 'read');
      });
    } else if (operands === 'uniq') {
      files.forEach((w, i) => c.path(prog, w, env, i === 0 ? 'read' : 'write'));
    } else {
      files.forEach((w) => c.path(prog, w, env, operands));
    }
  };
}

const CP_SPEC: OptSpec = {
  short: 'S',
  long: ['--suffix'],
  paths: { '-t': 'write', '--target-directory': 'write' },
};

const chmodRule: Rule = (c, prog, args, env) => {
  const scanned = scanArgs(prog, args, { refused: ['--reference'] });
  const [mode, ...files] = scanned.positionals;
  const text = mode ? literal(mode) : null;
  if (text === null || !/^[ugoa]*\+x$/.test(text)) {
    refuse(`chmod: only +x modes are allowed (got ${mode?.raw ?? 'none'})`);
  }
  if (files.length === 0) refuse('chmod: missing file operand');
  files.forEach((w) => c.path(prog, w, env, 'write'));
};

const sedRule: Rule = (c, prog, args, env) => {
  const scanned = scanArgs(prog, args, {
    short: 'el',
    attached: 'i',
    long: ['--expression', '--line-length'],
    refused: ['-f', '--file'],
  });
  const scripts = scanned.opts
    .filter((o) => o.name === '-e' || o.name === '--expression')
    .map((o) => o.value);
  let files = scanned.positionals;
  if (scripts.length === 0) {
    scripts.push(files[0] ?? null);
    files = files.slice(1);
  }
  for (const script of scripts) {
    const text = script ? literal(script) : null;
    if (text === null) refuse('sed: the script must be a literal word');
    const problem = sedScriptProblem(text);
    if (problem !== null) refuse(`sed: ${problem}`);
  }
  const inPlace = hasOpt(scanned, '-i', '--in-place');
  files.forEach((w) => c.path(prog, w, env, inPlace ? 'write' : 'read'));
};

/** A conservative reading of a sed script: refuses commands that run programs or touch files. */
export function sedScriptProblem(script: string): string | null {
  let i = 0;
  const n = script.length;
  const readDelimited = (delim: string): boolean => {
    for (; i < n; i++) {
      if (script[i] === '\\') i++;
      else if (script[i] === delim) {
        i++;
        return true;
      } else if (script[i] === '\n') return false;
    }
    return false;
  };
  const address = (): boolean => {
    if (/[0-9]/.test(script[i] ?? '')) {
      while (/[0-9~]/.test(script[i] ?? '')) i++;
    } else if (script[i] === '$') {
      i++;
    } else if (script[i] === '/' || script[i] === '\\') {
      const delim = script[i] === '\\' ? script[i + 1] : '/';
      i += script[i] === '\\' ? 2 : 1;
      if (delim === undefined || !readDelimited(delim)) return false;
      while (script[i] === 'I' || script[i] === 'M') i++;
    } else if (script[i] === '+' || script[i] === '~') {
      i++;
      while (/[0-9]/.test(script[i] ?? '')) i++;
    }
    return true;
  };
  const skipTo = (stops: string): void => {
    while (i < n && !stops.includes(script[i])) i++;
  };
  while (i < n) {
    const ch = script[i];
    if (/[\s;]/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '#') {
      skipTo('\n');
      continue;
    }
    if (!address()) return 'unterminated address';
    while (script[i] === ' ') i++;
    if (script[i] === ',') {
      i++;
      while (script[i] === ' ') i++;
      if (!address()) return 'unterminated address';
    }
    while (script[i] === ' ' || script[i] === '!') i++;
    const cmd = script[i++];
    if (cmd === undefined) return 'missing command';
    if ('{}=dDgGhHnNpPxzF'.includes(cmd)) continue;
    if ('qQlL'.includes(cmd)) {
      while (/[ 0-9]/.test(script[i] ?? '')) i++;
      continue;
    }
    if (':btTv'.includes(cmd)) {
      skipTo(';\n}');
      continue;
    }
    if ('aic'.includes(cmd)) {
      // Text runs to an unescaped newline.
      for (; i < n && script[i] !== '\n'; i++) if (script[i] === '\\') i++;
      continue;
    }
    if (cmd === 's' || cmd === 'y') {
      const delim = script[i++];
      if (delim === undefined || delim === '\\' || delim === '\n') return 'bad s/y delimiter';
      if (!readDelimited(delim) || !readDelimited(delim)) return `unterminated ${cmd} command`;
      if (cmd === 's') {
        while (i < n && !';\n}'.includes(script[i])) {
          const flag = script[i++];
          if (flag === 'e') return 'the s///e flag runs commands';
          if (flag === 'w') return 'the s///w flag writes files';
          if (!/[gpiImM0-9 ]/.test(flag)) return `unknown s flag '${flag}'`;
        }
      }
      continue;
    }
    if (cmd === 'e') return 'the e command runs commands';
    if ('rRwW'.includes(cmd)) return `the ${cmd} command reads or writes files`;
    return `unsupported command '${cmd}'`;
  }
  return null;
}

const FIND_REFUSED = new Set(
  words('-exec -execdir -ok -okdir -delete -fprint -fprint0 -fprintf -fls -files0-from'),
);

const findRule: Rule = (c, prog, args, env) => {
  let i = 0;
  for (; i < args.length; i++) {
    const text = literalArg(prog, args[i]);
    if (text === '-D') i++;
    else if (!/^-([HLP]|O[0-9]*)$/.test(text)) break;
  }
  for (; i < args.length; i++) {
    const text = literal(args[i]);
    if (text === null || text.startsWith('-') || ['(', ')', '!', ','].includes(text)) break;
    c.path(prog, args[i], env, 'read');
  }
  for (; i < args.length; i++) {
    // A dynamic word could turn out to be -exec: refuse.
    const text = literalArg(prog, args[i]);
    if (FIND_REFUSED.has(text)) refuse(`find: ${text} is not allowed`);
    if (text === '-files0-from') c.path(prog, args[++i] ?? textWord(''), env, 'read');
  }
};

const cdRule: Rule = (c, prog, args, env) => {
  if (env.inLoop) refuse('cd: changing directory inside a loop is not supported');
  const operands = args.filter((w) => !/^-[LPe@]+$/.test(literal(w) ?? ''));
  if (operands.length !== 1) refuse('cd: exactly one directory is required');
  if (literal(operands[0]) === '-') refuse('cd: cd - is not allowed');
  const targets = c.path(prog, operands[0], env, 'read');
  return { ok: union(targets), fail: env.cwds };
};

/** test -v and printf -v evaluate an array subscript, which can run command substitutions. */
const noDashV: Rule = (_c, prog, args) => {
  if (args.some((w) => literal(w) === '-v')) refuse(`${prog}: -v is not allowed`);
};

const SAFE_SET_O = new Set(['pipefail', 'errexit', 'nounset', 'xtrace', 'verbose', 'noclobber']);

/** Checks the option words shared by `set` and `bash`/`sh`; returns how many words it used. */
function shellOptions(prog: string, args: readonly Word[], at: number, letters: string): number {
  const text = literal(args[at]) ?? '';
  // -k would turn later NAME=value arguments into environment assignments; -o takes a name.
  if (!new RegExp(`^[-+][${letters}o]+$`).test(text))
    refuse(`${prog}: option ${text} is not allowed`);
  const takesName = text.includes('o');
  if (!takesName) return 1;
  const name = args[at + 1] ? literal(args[at + 1]) : null;
  if (name === null && prog === 'set') return 1; // `set -o` alone lists the options
  if (name === null || !SAFE_SET_O.has(name)) {
    refuse(`${prog}: option -o ${name ?? args[at + 1]?.raw ?? ''} is not allowed`);
  }
  return 2;
}

const setRule: Rule = (_c, prog, args) => {
  for (let i = 0; i < args.length; ) {
    const text = literalArg(prog, args[i]);
    if (text === '--' || text === '-' || !/^[-+]/.test(text)) return;
    i += shellOptions(prog, args, i, 'abBCeEfhnTuvx');
  }
};

const exportRule: Rule = (_c, _prog, args) => {
  for (const word of args) {
    const prefix = literalPrefix(word);
    if (prefix === '-p' || prefix === '-n') continue;
    if (prefix.startsWith('-')) refuse(`export: option ${prefix} is not allowed`);
    const name = prefix.split('=')[0];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || (isDynamic(word) && !prefix.includes('='))) {
      refuse(`export: ${word.raw} is not a plain variable name`);
    }
    if (isDangerousVar(name)) refuse(`assignment to ${name} is not allowed`);
  }
};

const killRule: Rule = (_c, _prog, args) => {
  const texts = args.map((w) => literal(w));
  if (texts.some((t) => t === null)) refuse('kill: only literal pids are allowed');
  const list = texts as string[];
  let i = 0;
  if (list[0] === '-l' || list[0] === '-L') return;
  if (list[0] === '-s' || list[0] === '-n') i = 2;
  else if (list[0] !== undefined && /^-([0-9]+|[A-Za-z][A-Za-z0-9+-]*)$/.test(list[0])) i = 1;
  if (list[i] === '--') i++;
  const targets = list.slice(i);
  if (targets.length === 0) refuse('kill: missing pid');
  for (const t of targets) {
    if (!/^([1-9][0-9]*|%[0-9]+)$/.test(t) || t === '1') {
      refuse(`kill: target ${t} is not allowed (literal pids above 1 only)`);
    }
  }
};

const DEV_PROCESS = /^(node|npm|npx|pnpm|vite|next|tsx|ts-node)([ \w./:=@-]*)$/;

const pkillRule: Rule = (_c, prog, args) => {
  const patterns: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const text = literalArg(prog, args[i]);
    if (text === '--signal') i++;
    else if (/^--signal=/.test(text)) continue;
    else if (/^-([0-9]+|[A-Z][A-Z0-9+]*)$/.test(text)) continue;
    else if (/^-[fxnoei]+$/.test(text)) continue;
    else if (text.startsWith('-')) refuse(`pkill: option ${text} is not allowed`);
    else patterns.push(text);
  }
  if (patterns.length !== 1) refuse('pkill: exactly one pattern is required');
  if (!DEV_PROCESS.test(patterns[0])) {
    refuse(`pkill: pattern '${patterns[0]}' does not target a dev server process`);
  }
};

// ---- curl

const CURL_REFUSED = words(`
  -K --config -x --proxy --preproxy --socks4 --socks4a --socks5 --socks5-hostname
  --resolve --connect-to --doh-url --unix-socket --abstract-unix-socket --variable --dns-servers
  --proxy-header --proxy-user
`);
const CURL_SPEC: OptSpec = {
  short: 'AbCdeEFHmPQrtuUwXyYz',
  long: words(`
    --user-agent --cookie --continue-at --data --data-ascii --data-binary --data-raw --data-urlencode
    --json --referer --cert --form --form-string --header --max-time --connect-timeout
    --range --user --write-out --request --retry --retry-delay --retry-max-time
    --speed-time --speed-limit --time-cond --max-filesize --limit-rate --max-redirs
    --oauth2-bearer --cert-type --key-type --url --url-query --expect100-timeout
  `),
  paths: pathOpts(
    `-o --output -D --dump-header -c --cookie-jar --trace --trace-ascii --stderr --etag-save
     --hsts --alt-svc --libcurl --output-dir`,
    '-T --upload-file --etag-compare --cacert --capath --key --netrc-file',
  ),
  refused: CURL_REFUSED,
};

/** Options whose value names a file to read after a prefix ('@file', 'name@file', 'name=<file'). */
const CURL_FILE_VALUES = [
  { names: words('-H --header --url-query'), prefix: /^@/, what: 'file' },
  { names: words('-d --data --data-ascii --data-binary --json'), prefix: /^@/, what: 'data file' },
  { names: ['--data-urlencode'], prefix: /^[^=]*@/, what: 'data file' },
  { names: ['-F', '--form'], prefix: /^[^=]*=[@<]/, what: 'form file' },
];

const LOCAL_AUTHORITY = /^(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?$/i;

function checkUrl(url: string, globOff: boolean): void {
  const control = [...url].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
  if (control || /[\s\\{}]/.test(url)) refuse(`curl: URL ${url} has unsupported characters`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme && !['http', 'https'].includes(scheme[1].toLowerCase())) {
    refuse(`curl: only http(s) URLs are allowed (${url})`);
  }
  const rest = scheme ? url.slice(scheme[0].length) : url;
  const authority = /^[^/?#]*/.exec(rest)?.[0] ?? '';
  if (!LOCAL_AUTHORITY.test(authority)) refuse(`curl: host in ${url} is not localhost`);
  // curl expands [a-b] ranges itself unless --globoff.
  if (!globOff && /[[\]]/.test(rest.slice(authority.length))) {
    refuse(`curl: URL globbing in ${url} is not allowed`);
  }
}

const curlRule: Rule = (c, prog, args, env) => {
  for (const word of args) {
    const text = literalPrefix(word);
    if (text.startsWith('--expand-')) refuse(`curl: option ${text.split('=')[0]} is not allowed`);
  }
  const scanned = scanArgs(prog, args, CURL_SPEC);
  const globOff = hasOpt(scanned, '-g', '--globoff');
  const urls = [...scanned.positionals];
  for (const { name, value } of scanned.opts) {
    const mode = CURL_SPEC.paths?.[name];
    if (mode !== undefined && value) c.path(prog, value, env, mode);
    const text = value ? literal(value) : null;
    if (name === '--url' && value) urls.push(value);
    if ((name === '-w' || name === '--write-out') && value) {
      if (text === null || text.startsWith('@') || text.includes('%output{')) {
        refuse('curl: this --write-out is not allowed');
      }
    }
    if ((name === '-b' || name === '--cookie') && value && text !== null && !text.includes('=')) {
      c.path(prog, value, env, 'read');
    }
    const reads = CURL_FILE_VALUES.find((f) => f.names.includes(name));
    const m = reads && value ? reads.prefix.exec(text ?? literalPrefix(value)) : null;
    if (reads && value && m) {
      if (text === null) refuse(`curl: ${reads.what} ${value.raw} is not a literal word`);
      const file = text.slice(m[0].length);
      // '-' is stdin; a form field's file name ends at its first ';' (;type=..., ;filename=...).
      if (file !== '-')
        c.path(prog, textWord(reads.what === 'form file' ? file.split(';')[0] : file), env, 'read');
    }
  }
  for (const word of urls) {
    const text = literal(word);
    if (text === null) refuse(`curl: URL ${word.raw} is not a literal word`);
    checkUrl(text, globOff);
  }
};

// ---- git

// push and request-pull: the platform merges into main itself, and a push to a URL would carry the
// project's code out (the sandbox's proxy refuses most hosts, not every allowed one).
const GIT_REFUSED_SUBCOMMANDS = new Set(
  words(`
  push request-pull difftool mergetool filter-branch filter-repo send-email daemon instaweb web--browse
  upload-pack receive-pack shell credential credential-store credential-cache http-backend
  archimport cvsimport cvsserver svn p4 quiltimport remote-ext remote-fd worktree
  fsmonitor--daemon
`),
);
// Config keys an agent may set; everything else may name a program git would run.
const GIT_SAFE_KEY = new RegExp(
  `^(${words(String.raw`
    user\.(name|email) core\.(autocrlf|filemode|ignorecase|quotepath|safecrlf|eol)
    init\.defaultbranch pull\.(rebase|ff) merge\.(ff|conflictstyle)
    push\.(default|autosetupremote) fetch\.prune rebase\.(autostash|autosquash)
    (commit|tag)\.gpgsign color\.[a-z.]+ advice\.[a-z]+ log\.[a-z]+ status\.[a-z]+
    diff\.(renames|algorithm) branch\.autosetupmerge gc\.auto
  `).join('|')})$`,
);

function checkGitKey(key: string): void {
  if (!GIT_SAFE_KEY.test(key.toLowerCase()))
    refuse(`git: setting config key ${key} is not allowed`);
}

const GIT_GLOBAL_FLAGS = new Set(
  words(`
  --no-pager -p --paginate -P --bare --no-replace-objects --literal-pathspecs --glob-pathspecs
  --noglob-pathspecs --icase-pathspecs --no-optional-locks --version --help
  --html-path --man-path --info-path --exec-path
`),
);

const gitRule: Rule = (c, prog, args, env) => {
  let i = 0;
  for (; i < args.length; i++) {
    const text = literalArg(prog, args[i]);
    if (!text.startsWith('-')) break;
    if (text === '-C') c.path(prog, args[++i] ?? textWord(''), env, 'read');
    else if (text === '-c') {
      const kv = args[++i] ? literal(args[i]) : null;
      if (kv === null) refuse('git: -c needs a literal key=value');
      checkGitKey(kv.split('=')[0]);
    } else if (text.startsWith('--namespace')) {
      if (text === '--namespace') i++;
    } else if (!GIT_GLOBAL_FLAGS.has(text)) {
      refuse(`git: option ${text} is not allowed`);
    }
  }
  const sub = args[i] ? literal(args[i]) : null;
  if (sub === null) return;
  const rest = args.slice(i + 1);
  const texts = rest.map((w) => literal(w));
  if (GIT_REFUSED_SUBCOMMANDS.has(sub)) refuse(`git: 'git ${sub}' is not allowed`);
  for (const [k, t] of texts.entries()) {
    const prefix = t ?? literalPrefix(rest[k]);
    if (/^(ext|fd)::/.test(prefix))
      refuse(`git: transport ${prefix.split(':')[0]}:: is not allowed`);
    if (/^--(upload-pack|receive-pack|exec|template|config-env)(=|$)/.test(prefix)) {
      refuse(`git: option ${prefix.split('=')[0]} is not allowed`);
    }
    if (/^--output(-directory)?(=|$)/.test(prefix)) {
      const value = prefix.includes('=')
        ? textWord(prefix.slice(prefix.indexOf('=') + 1))
        : rest[k + 1];
      if (t === null || !value) refuse(`git: ${prefix.split('=')[0]} needs a literal path`);
      c.path(prog, value, env, 'write');
    }
  }
  const hasShort = (letter: string): boolean =>
    texts.some((t) => t !== null && /^-[A-Za-z]+$/.test(t) && t.includes(letter));
  if (sub === 'rebase' && hasShort('x')) refuse('git: rebase -x is not allowed');
  if (
    sub === 'grep' &&
    (hasShort('O') || texts.some((t) => t?.startsWith('--open-files-in-pager')))
  ) {
    refuse('git: grep -O is not allowed');
  }
  if (sub === 'clone' && hasShort('u')) refuse('git: clone -u is not allowed');
  if (sub === 'bisect' && texts[0] === 'run') refuse('git: bisect run is not allowed');
  if (sub === 'submodule' && texts.includes('foreach'))
    refuse('git: submodule foreach is not allowed');
  if ((sub === 'format-patch' || sub === 'archive') && texts.includes('-o')) {
    const at = texts.indexOf('-o');
    c.path(prog, rest[at + 1] ?? textWord(''), env, 'write');
  }
  if (sub === 'clone') {
    for (const [k, t] of texts.entries()) {
      if (t === '-c' || t === '--config') checkGitKey((texts[k + 1] ?? '').split('=')[0]);
      else if (t?.startsWith('--config=')) checkGitKey(t.slice(9).split('=')[0]);
    }
  }
  if (sub === 'config') gitConfig(rest);
  if (sub === 'clone' || sub === 'init') {
    // A local destination (or source) outside the worktree; URLs and names are left alone.
    for (const [k, t] of texts.entries()) {
      if (t !== null && /^(\/|~|\.\.)/.test(t)) c.path(prog, rest[k], env, 'write');
    }
  }
};

const GIT_CONFIG_READS = new Set(
  words(`
    --get --get-all --get-regexp --get-urlmatch --list -l --unset --unset-all --remove-section
    --show-origin --show-scope
  `),
);

function gitConfig(rest: readonly Word[]): void {
  const positionals: (string | null)[] = [];
  const flags: string[] = [];
  for (let k = 0; k < rest.length; k++) {
    const t = literal(rest[k]);
    if (t !== null && t.startsWith('-')) {
      flags.push(t);
      if (['--default', '--type', '--comment', '--file', '-f', '--blob'].includes(t)) k++;
    } else positionals.push(t);
  }
  const refused = ['--global', '--system', '--file', '-f', '-e', '--edit', '--rename-section'];
  const bad = flags.find((f) => refused.includes(f.split('=')[0]));
  if (bad !== undefined) refuse(`git: config ${bad.split('=')[0]} is not allowed`);
  const readOnly = flags.some((f) => GIT_CONFIG_READS.has(f));
  const verb = positionals[0];
  if (verb === 'edit' || verb === 'rename-section') refuse(`git: config ${verb} is not allowed`);
  if (verb === 'set') {
    checkGitKey(positionals[1] ?? '');
    return;
  }
  if (['get', 'list', 'unset', 'remove-section'].includes(verb ?? '') || readOnly) return;
  if (positionals.length >= 2 || flags.includes('--add') || flags.includes('--replace-all')) {
    if (verb === null || verb === undefined) refuse('git: config key must be literal');
    checkGitKey(verb);
  }
}

// ---- npm, npx, pnpm

const NPM_FAMILY = {
  npm: {
    valueOpts: new Set(
      words('-w --workspace --loglevel --registry --tag --omit --include --prefix'),
    ),
    refused: new Set(
      words(`
        publish unpublish deprecate adduser login logout token owner access dist-tag team org
        hook set explore edit star unstar link ln
      `),
    ),
    configWrites: ['set', 'delete', 'edit', 'fix'],
  },
  pnpm: {
    valueOpts: new Set(words('-C --dir --filter -F --reporter --loglevel --workspace-concurrency')),
    refused: new Set(words('publish login logout adduser setup self-update')),
    configWrites: ['set', 'delete'],
  },
};

const NPM_FLAG_OPTS =
  /^(-(y|q|s|d|dd|ddd|D|E|S|O|B|P)|--(yes|no|silent|quiet|verbose|workspaces|ws|include-workspace-root|if-present|ignore-scripts|no-audit|no-fund|legacy-peer-deps|force|offline|prefer-offline|prefer-online|save-dev|save-exact|save|no-save|json|parseable|color|no-color|dry-run|foreground-scripts|no-package-lock|production|audit=false|fund=false|progress=false))$/;

const NPM_REFUSED_OPTIONS = new Set(
  words('--userconfig --globalconfig --script-shell --node-options --shell'),
);

function checkNpmGlobals(prog: string, c: Checker, args: readonly Word[], env: Env): void {
  for (let k = 0; k < args.length; k++) {
    const t = literal(args[k]) ?? literalPrefix(args[k]);
    const name = t.split('=')[0];
    if (t === '-g' || name === '--global' || /^--location=(global|user)$/.test(t)) {
      refuse(`${prog}: global installs are not allowed`);
    }
    if (NPM_REFUSED_OPTIONS.has(name) || name.startsWith('--config.')) {
      refuse(`${prog}: option ${name} is not allowed`);
    }
    if (name === '--prefix' || name === '--dir' || (prog === 'pnpm' && t === '-C')) {
      const value = t.includes('=') ? textWord(t.slice(t.indexOf('=') + 1)) : args[k + 1];
      if (!value) refuse(`${prog}: ${name} needs a path`);
      c.path(prog, value, env, 'read');
    }
  }
}

/**
 * npm and pnpm: global options, then the subcommand (unknown options before it are refused);
 * refused subcommands and config writes. Null when there is no literal subcommand.
 */
function npmSubcommand(
  c: Checker,
  prog: 'npm' | 'pnpm',
  args: readonly Word[],
  env: Env,
): { i: number; sub: string; rest: Word[] } | null {
  const { valueOpts, refused, configWrites } = NPM_FAMILY[prog];
  checkNpmGlobals(prog, c, args, env);
  let i = 0;
  for (; i < args.length; i++) {
    const t = literalArg(prog, args[i]);
    if (!t.startsWith('-')) break;
    if (valueOpts.has(t)) i++;
    else if (!NPM_FLAG_OPTS.test(t) && !valueOpts.has(t.split('=')[0])) {
      refuse(`${prog}: option ${t} before the command is not supported`);
    }
  }
  const sub = args[i] ? literal(args[i]) : null;
  if (sub === null) return null;
  const rest = args.slice(i + 1);
  if (refused.has(sub)) refuse(`${prog}: '${prog} ${sub}' is not allowed`);
  if ((sub === 'config' || sub === 'c') && rest[0]) {
    const verb = literal(rest[0]);
    if (verb === null || configWrites.includes(verb)) {
      refuse(`${prog}: '${prog} config ${verb ?? rest[0].raw}' is not allowed`);
    }
  }
  return { i, sub, rest };
}

const npmRule: Rule = (c, _prog, args, env) => {
  const cmd = npmSubcommand(c, 'npm', args, env);
  if (cmd?.sub === 'exec' || cmd?.sub === 'x') return npxLike(c, `npm ${cmd.sub}`, cmd.rest, env);
};

const npxRule: Rule = (c, prog, args, env) => {
  checkNpmGlobals(prog, c, args, env);
  return npxLike(c, prog, args, env);
};

const NPX_VALUE_OPTS = new Set(
  words('-p --package -c --call -w --workspace --loglevel --registry'),
);

/**
 * npx/npm exec: a bare command name is looked up in node_modules/.bin, then the global bin
 * directory (which can be /usr/bin), so it is checked as a program. A package spec
 * (`pkg@1`, `@scope/pkg`) is downloaded and run: allowed. `-c` strings are parsed.
 */
function npxLike(c: Checker, prog: string, args: readonly Word[], env: Env): Flow | void {
  let i = 0;
  let withPackage = false;
  let call: Word | null = null;
  for (; i < args.length; i++) {
    const t = literalArg(prog, args[i]);
    if (!t.startsWith('-')) break;
    if (t === '--') {
      i++;
      break;
    }
    const name = t.split('=')[0];
    if (name === '-p' || name === '--package') withPackage = true;
    if (name === '-c' || name === '--call') {
      call = t.includes('=') ? textWord(t.slice(t.indexOf('=') + 1)) : (args[i + 1] ?? null);
    }
    if (NPX_VALUE_OPTS.has(t)) i++;
    else if (
      !NPM_FLAG_OPTS.test(t) &&
      !NPX_VALUE_OPTS.has(name) &&
      !/^--(no-install|ignore-existing)$/.test(t)
    ) {
      refuse(`${prog}: option ${t} is not supported`);
    }
  }
  if (call) return void c.nestedScript(prog, call, env, true);
  const rest = args.slice(i);
  if (rest.length === 0) refuse(`${prog}: an interactive shell is not allowed`);
  const spec = literal(rest[0]) ?? '';
  // Only registry specs: a versioned name or a scoped name. Paths and bare names are programs.
  const isPackageSpec =
    /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*@[\w.^~<>=*-]+$/.test(spec) ||
    /^@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*$/.test(spec);
  if (isPackageSpec && !withPackage) {
    c.commands.push(spec);
    return;
  }
  return c.invoke(rest, env);
}

const PNPM_COMMANDS = new Set(
  words(`
  add audit bin build ci create dedupe deploy doctor env fetch help i import init install
  install-test it licenses link list ln ls outdated pack patch patch-commit patch-remove
  prune rb rebuild remove rm root run run-script start store test t un uninstall unlink up
  update upgrade why config c dlx exec approve-builds ignored-builds cat-file cat-index
  find-hash self-update
`),
);
const pnpmRule: Rule = (c, _prog, args, env) => {
  const cmd = npmSubcommand(c, 'pnpm', args, env);
  if (cmd === null) return;
  const { i, sub, rest } = cmd;
  const shellMode = rest.some((w) => ['-c', '--shell-mode'].includes(literal(w) ?? ''));
  if ((sub === 'exec' || sub === 'dlx') && shellMode)
    refuse(`pnpm: ${sub} --shell-mode is not allowed`);
  if (sub === 'exec') {
    let k = 0;
    while (k < rest.length && (literal(rest[k]) ?? '').startsWith('-')) k++;
    if (k >= rest.length) refuse('pnpm: exec needs a command');
    return c.invoke(rest.slice(k), env);
  }
  if (sub === 'dlx') return npxLike(c, 'pnpm dlx', rest, env);
  if (!PNPM_COMMANDS.has(sub)) {
    // pnpm runs an unknown command as a script or, failing that, as a program on PATH.
    if (!c.isAllowedName(sub)) refuse(`pnpm: unknown command '${sub}'; use 'pnpm run ${sub}'`);
    return c.invoke(args.slice(i), env);
  }
};

// ---- wrappers

const shellRule: Rule = (c, prog, args, env) => {
  let posixShell = prog !== 'bash' && prog !== 'zsh';
  let command = false;
  let i = 0;
  for (; i < args.length; i++) {
    const t = literalArg(prog, args[i]);
    if (t === '--' || t === '-') {
      i++;
      break;
    }
    if (!/^[-+]/.test(t)) break;
    if (t === '--norc' || t === '--noprofile') continue;
    if (t === '--posix') {
      posixShell = true;
      continue;
    }
    if (t.includes('c') && /^-[a-z]+$/.test(t)) command = true;
    i += shellOptions(prog, args, i, 'ceuxvfC') - 1;
  }
  if (command) {
    if (!args[i]) refuse(`${prog}: -c needs a command string`);
    return c.nestedScript(prog, args[i], env, posixShell);
  }
  if (i >= args.length) refuse(`${prog}: reading commands from stdin is not allowed`);
  // `bash script.sh` runs the script like ./script.sh: only listed scripts.
  const script = literal(args[i]);
  if (script === null || !c.isListedScript(script, env)) {
    refuse(`${prog}: running script ${args[i].raw} is not allowed`);
  }
  c.commands.push(script);
};

const envRule: Rule = (c, prog, args, env) => {
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i];
    const t = literalPrefix(word);
    if (t.startsWith('-') && !isDynamic(word)) {
      if (t === '--') continue;
      if (t === '-u' || t === '--unset') {
        i++;
        continue;
      }
      if (/^(-[i0v]+|--ignore-environment|--null|--debug|--unset=.*)$/.test(t)) continue;
      refuse(`env: option ${t} is not allowed`);
    }
    const eq = t.indexOf('=');
    if (eq > 0) {
      const name = t.slice(0, eq);
      if (isDangerousVar(name)) refuse(`assignment to ${name} is not allowed`);
      continue;
    }
    break;
  }
  return i < args.length ? c.invoke(args.slice(i), env) : undefined;
};

const nohupRule: Rule = (c, _prog, args, env) =>
  args.length > 0 ? c.invoke(args, env) : undefined;

const timeoutRule: Rule = (c, prog, args, env) => {
  let i = 0;
  for (; i < args.length; i++) {
    const t = literalArg(prog, args[i]);
    if (!t.startsWith('-')) break;
    if (t === '-s' || t === '-k' || t === '--signal' || t === '--kill-after') i++;
    else if (
      !/^(-v|--verbose|--preserve-status|--foreground|--(signal|kill-after)=.*|-[sk].+)$/.test(t)
    ) {
      refuse(`timeout: option ${t} is not allowed`);
    }
  }
  if (i + 1 >= args.length) refuse('timeout: missing command');
  return c.invoke(args.slice(i + 1), env);
};

const execRule: Rule = (c, prog, args, env) => {
  let i = 0;
  for (; i < args.length; i++) {
    const t = literal(args[i]);
    if (t === null || !t.startsWith('-')) break;
    if (t === '-a') i++;
    else if (!/^-[cl]+$/.test(t)) refuse(`exec: option ${t} is not allowed`);
  }
  return i < args.length ? c.invoke(args.slice(i), env) : undefined;
};

const commandRule: Rule = (c, prog, args, env) => {
  let i = 0;
  let lookupOnly = false;
  for (; i < args.length; i++) {
    const t = literal(args[i]);
    if (t === null || !t.startsWith('-')) break;
    if (!/^-[pvV]+$/.test(t)) refuse(`command: option ${t} is not allowed`);
    if (/[vV]/.test(t)) lookupOnly = true;
  }
  return !lookupOnly && i < args.length ? c.invoke(args.slice(i), env) : undefined;
};

// GNU xargs options: required values, optional attached values, flags.
const XARGS_SHORT_VALUE = 'adEILnPs';
const XARGS_SHORT_OPTIONAL = 'eil';
const XARGS_SHORT_FLAGS = '0prtxo';
const XARGS_LONG_VALUE = new Set(
  words('--arg-file --delimiter --max-args --max-procs --max-chars --process-slot-var'),
);
const XARGS_LONG_FLAGS = new Set(
  words(`
    --null --no-run-if-empty --verbose --exit --interactive --open-tty --show-limits --eof
    --replace --max-lines
  `),
);

const xargsRule: Rule = (c, prog, args, env) => {
  const argFile = (file: Word | undefined): void => {
    c.path(prog, file ?? textWord(''), env, 'read');
  };
  // Options end at the first operand: that is the command.
  let i = 0;
  for (; i < args.length; i++) {
    const t = literalArg(prog, args[i]);
    if (!t.startsWith('-') || t === '-') break;
    if (t === '--') {
      i++;
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq === -1 ? t : t.slice(0, eq);
      if (name === '--arg-file') argFile(eq === -1 ? args[++i] : textWord(t.slice(eq + 1)));
      else if (XARGS_LONG_VALUE.has(name)) i += eq === -1 ? 1 : 0;
      else if (!XARGS_LONG_FLAGS.has(name)) refuse(`xargs: option ${name} is not allowed`);
      continue;
    }
    for (let j = 1; j < t.length; j++) {
      const ch = t[j];
      const rest = t.slice(j + 1);
      if (XARGS_SHORT_VALUE.includes(ch)) {
        if (!rest) i++;
        if (ch === 'a') argFile(rest ? textWord(rest) : args[i]);
        break;
      }
      if (XARGS_SHORT_OPTIONAL.includes(ch)) break;
      if (!XARGS_SHORT_FLAGS.includes(ch)) refuse(`xargs: option -${ch} is not allowed`);
    }
  }
  if (i >= args.length) return;
  const inner = c.programName(args[i], env);
  if (RULES[inner] !== undefined) {
    refuse(`xargs: ${inner} would run with unchecked arguments`);
  }
  c.commands.push(inner);
};

const RULES: Readonly<Record<string, Rule>> = {
  ls: fileTool(
    {
      short: 'IwT',
      long: ['--ignore', '--hide', '--width', '--tabsize', '--format', '--sort', '--time'],
    },
    'read',
  ),
  cat: fileTool({}, 'read'),
  head: fileTool({ short: 'nc', long: ['--lines', '--bytes'] }, 'read'),
  tail: fileTool(
    {
      short: 'ncs',
      long: ['--lines', '--bytes', '--pid', '--sleep-interval', '--max-unchanged-stats'],
    },
    'read',
  ),
  wc: fileTool({ paths: { '--files0-from': 'read' } }, 'read'),
  grep: fileTool(
    {
      short: 'eABCmdD',
      long: words(`
        --regexp --max-count --after-context --before-context --context --include --exclude
        --exclude-dir --label --binary-files --devices --directories --group-separator
      `),
      paths: { '-f': 'read', '--file': 'read', '--exclude-from': 'read' },
    },
    'grep',
  ),
  sort: fileTool(
    {
      short: 'ktS',
      long: ['--key', '--field-separator', '--buffer-size', '--parallel', '--batch-size', '--sort'],
      paths: pathOpts('-o --output -T --temporary-directory', '--files0-from --random-source'),
      refused: ['--compress-program'],
    },
    'read',
  ),
  uniq: fileTool(
    { short: 'fsw', long: ['--skip-fields', '--skip-chars', '--check-chars'] },
    'uniq',
  ),
  cp: fileTool(CP_SPEC, 'cp'),
  mv: fileTool(CP_SPEC, 'cp'),
  rm: fileTool({ refused: ['--no-preserve-root'] }, 'write'),
  touch: fileTool(
    { short: 'dt', long: ['--date', '--time'], paths: { '-r': 'read', '--reference': 'read' } },
    'write',
  ),
  mkdir: fileTool({ short: 'm', long: ['--mode'] }, 'write'),
  chmod: chmodRule,
  sed: sedRule,
  find: findRule,
  cd: cdRule,
  test: noDashV,
  '[': noDashV,
  set: setRule,
  export: exportRule,
  kill: killRule,
  pkill: pkillRule,
  curl: curlRule,
  git: gitRule,
  npm: npmRule,
  npx: npxRule,
  pnpm: pnpmRule,
  bash: shellRule,
  sh: shellRule,
  dash: shellRule,
  zsh: shellRule,
  env: envRule,
  nohup: nohupRule,
  timeout: timeoutRule,
  exec: execRule,
  command: commandRule,
  xargs: xargsRule,
  printf: noDashV,
};
