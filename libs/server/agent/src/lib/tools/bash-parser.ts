/**
 * The bash tool's reading of a command: unbash parses it, and this adapter turns unbash's tree
 * into the small model the allowlist checks, refusing (BashSyntaxError) whatever it does not model.
 *
 * The allowlist must see every program bash would run, so anything whose meaning is unclear (or
 * differs between shells) is refused rather than guessed: input unbash reports errors for, case,
 * select, function definitions, coproc, [[ ]], (( )), arithmetic for, arrays, extended globs,
 * ${...} forms that evaluate arithmetic or indirection, ${ cmd; } substitutions, $"...", quotes
 * inside ${...}, backslash-newline inside a word or after an operator, unterminated here-docs, a
 * multi-line word before a here-doc body, and (in POSIX mode) bash-only syntax. Any node kind not
 * handled below is refused too.
 */
import type { parse as Parse } from 'unbash/dist/parser';
import type * as Bash from 'unbash/dist/types';

// unbash is ESM with its types behind package "exports", which our node10 resolution ignores:
// the types come by path, the code through require(esm) (Node 20.19+).
const { parse } = require('unbash') as { parse: typeof Parse };

interface LitPart {
  kind: 'lit';
  text: string;
  /** True when the text came from quotes or a backslash: no glob, brace or tilde expansion. */
  quoted: boolean;
}
/** An expansion whose value is only known at run time ($x, ${x:-y}, $((1+2)), ...). */
interface DynPart {
  kind: 'dyn';
  text: string;
}
/** A command or process substitution: its body runs as commands. */
interface SubPart {
  kind: 'sub';
  body: Script;
}
type WordPart = LitPart | DynPart | SubPart;

export interface Word {
  parts: WordPart[];
  raw: string;
}

type RedirectOp = Bash.RedirectOperator | '<<' | '<<-' | '<<<';

export interface Redirect {
  fd: string | null;
  op: RedirectOp;
  /** The file, fd, here-string or (for here-docs) the delimiter word. */
  target: Word;
  /** Here-doc body; substitutions in it run unless the delimiter was quoted. */
  heredoc: Word | null;
}

interface SimpleCommand {
  type: 'simple';
  assigns: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}
/** `( ... )` runs in a subshell, `{ ...; }` in the shell itself. */
interface BlockCommand {
  type: 'subshell' | 'group';
  body: Script;
  redirects: Redirect[];
}
interface IfCommand {
  type: 'if';
  clauses: { cond: Script; body: Script }[];
  elseBody: Script | null;
  redirects: Redirect[];
}
interface LoopCommand {
  type: 'while' | 'until';
  cond: Script;
  body: Script;
  redirects: Redirect[];
}
interface ForCommand {
  type: 'for';
  name: string;
  items: Word[] | null;
  body: Script;
  redirects: Redirect[];
}
export type Command = SimpleCommand | BlockCommand | IfCommand | LoopCommand | ForCommand;

interface Pipeline {
  negated: boolean;
  commands: Command[];
}
interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}
export interface Script {
  items: { andOr: AndOr; background: boolean }[];
}

export class BashSyntaxError extends Error {
  override readonly name = 'BashSyntaxError';
}

/** With `posix` (sh, which is dash), bash-only syntax is refused: dash reads it differently. */
export function parseBash(src: string, options: { posix?: boolean } = {}): Script {
  // bash joins operators (and `$(`) across a backslash-newline; refusing is simpler than agreeing.
  if (/[&|;<>()$]\\\n/.test(src)) fail('line continuation after an operator');
  return new Reader(src, options.posix ?? false, 0).script(parse(src));
}

function fail(message: string): never {
  throw new BashSyntaxError(message);
}

const MAX_DEPTH = 24;
const PARAMETER = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])$/;
// Arithmetic is only accepted on constants: variables inside $(( )) are evaluated recursively
// by bash and an array subscript in a variable's value runs command substitutions.
const CONSTANT_ARITH = /^[0-9\s+\-*/%<>=!&|^~?:(),]*$/;
const UNSUPPORTED: Readonly<Record<string, string>> = {
  Case: "'case' is not supported",
  Select: "'select' is not supported",
  Function: 'function definitions are not supported',
  Coproc: "'coproc' is not supported",
  TestCommand: "'[[' is not supported",
  ArithmeticCommand: 'arithmetic commands (( )) are not supported',
  ArithmeticFor: 'arithmetic for loops are not supported',
  ExtendedGlob: 'extended globs are not supported',
  LocaleString: '$"..." locale strings are not supported',
};

/** Where a word part stands: its quoting decides what its characters mean. */
type Context = 'unquoted' | 'dquote' | 'heredoc' | 'brace';

/** Reads one script (the command, or the body of a substitution) of a given nesting depth. */
class Reader {
  private readonly heredocs: Bash.HereDoc[] = [];
  private readonly multiline: Bash.Word[] = [];

  constructor(
    /** The text positions refer to (a back-quoted body has its own, unescaped). */
    private readonly src: string,
    private readonly posix: boolean,
    private readonly depth: number,
  ) {
    if (depth > MAX_DEPTH) fail('nesting is too deep');
  }

  script(node: Bash.ParsedScript): Script {
    // unbash recovers from errors with a partial tree: never check half a command.
    if (node.errors?.length) fail(node.errors[0].message);
    const script = this.list(node.commands);
    // Where a here-doc body starts after a multi-line word is murky: refuse.
    for (const doc of this.heredocs) {
      if (this.multiline.some((w) => w.pos > doc.pos && w.pos < doc.body.pos)) {
        fail('multi-line word after a here-document operator');
      }
    }
    return script;
  }

  private list(statements: readonly Bash.Statement[]): Script {
    return {
      items: statements.map((s) => ({ andOr: this.andOr(s.command), background: !!s.background })),
    };
  }

  private body(list: Bash.CompoundList): Script {
    if (list.commands.length === 0) fail('empty command list');
    return this.list(list.commands);
  }

  private andOr(node: Bash.PipelineNode | Bash.AndOr): AndOr {
    if (node.type !== 'AndOr') return { first: this.pipeline(node), rest: [] };
    const [first, ...rest] = node.commands.map((p) => this.pipeline(p));
    if (rest.length !== node.operators.length) fail('malformed and-or list');
    return { first, rest: rest.map((pipeline, i) => ({ op: node.operators[i], pipeline })) };
  }

  private pipeline(node: Bash.PipelineNode): Pipeline {
    if (node.type !== 'Pipeline') return { negated: false, commands: [this.command(node)] };
    if (this.posix && node.operators.includes('|&')) fail("'|&' is bash-only");
    const negations = node.prefixes.filter((p) => p.type === 'Negation').length;
    return { negated: negations % 2 === 1, commands: node.commands.map((c) => this.command(c)) };
  }

  private command(node: Bash.CommandNode, redirections: readonly Bash.Redirection[] = []): Command {
    const redirects = redirections.map((r) => this.redirect(r));
    switch (node.type) {
      case 'Command':
        return this.simple(node);
      case 'Redirected':
        return this.command(node.command, node.redirects);
      case 'Subshell':
      case 'BraceGroup': {
        const type = node.type === 'Subshell' ? 'subshell' : 'group';
        return { type, body: this.body(node.body), redirects };
      }
      case 'If':
        return {
          type: 'if',
          clauses: [node, ...node.elif].map((c) => ({
            cond: this.body(c.clause),
            body: this.body(c.then),
          })),
          elseBody: node.else ? this.body(node.else) : null,
          redirects,
        };
      case 'While':
        return {
          type: node.kind,
          cond: this.body(node.clause),
          body: this.body(node.body),
          redirects,
        };
      case 'For':
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(node.name.text)) {
          fail('expected a variable name after for');
        }
        return {
          type: 'for',
          name: node.name.text,
          items: node.wordlist?.map((w) => this.word(w)) ?? null,
          body: this.body(node.body),
          redirects,
        };
      default:
        fail(UNSUPPORTED[node.type] ?? `${node.type} is not supported`);
    }
  }

  private simple(node: Bash.Command): SimpleCommand {
    const cmd: SimpleCommand = { type: 'simple', assigns: [], words: [], redirects: [] };
    for (const item of node.prefix) {
      if (item.type === 'Assignment')
        cmd.assigns.push({ name: item.name, value: this.value(item) });
      else cmd.redirects.push(this.redirect(item));
    }
    if (node.name) cmd.words.push(this.word(node.name));
    for (const item of node.suffix) {
      if (item.type === 'Word') cmd.words.push(this.word(item));
      else if (item.type !== 'Assignment') cmd.redirects.push(this.redirect(item));
      else {
        // An argument such as export's NAME=value: the allowlist reads it as one word.
        const name = lit(item.name + (item.append ? '+=' : '='), false);
        cmd.words.push({ parts: [name, ...this.value(item).parts], raw: item.text });
      }
    }
    return cmd;
  }

  private value(assignment: Bash.Assignment): Word {
    if (assignment.index !== undefined || assignment.value.type === 'ArrayValue') {
      fail('arrays are not supported');
    }
    return this.word(assignment.value);
  }

  private redirect(node: Bash.Redirection): Redirect {
    const op = node.operator;
    if (this.posix && (op === '&>' || op === '&>>' || op === '<<<')) fail(`'${op}' is bash-only`);
    const d = node.descriptor;
    if (d?.type === 'FileDescriptorVariable') fail('{name} redirections are not supported');
    const fd = d === undefined ? null : String(d.value);
    if (node.type !== 'HereDoc') {
      if (node.target === undefined) fail(`expected a word after '${op}'`);
      return { fd, op, target: this.word(node.target), heredoc: null };
    }
    if (node.delimiter === undefined || node.closing === undefined) {
      fail('unterminated here-document');
    }
    if (/[$`]/.test(node.delimiter.text)) fail('here-document delimiters must be literal');
    this.heredocs.push(node);
    const text = node.body.text;
    const target = { parts: [lit(node.delimiter.value, true)], raw: node.delimiter.text };
    if (node.delimiter.quoted)
      return { fd, op, target, heredoc: { parts: [lit(text, true)], raw: text } };
    // bash joins continued lines before comparing with the delimiter or expanding: refuse.
    if (this.src.slice(node.body.pos, node.closing.end).includes('\\\n')) {
      fail('line continuation in a here-document');
    }
    const parts = node.body.parts ? this.parts(node.body.parts, 'heredoc') : [lit(text, true)];
    return { fd, op, target, heredoc: { parts, raw: text } };
  }

  private word(node: Bash.Word, ctx: Context = 'unquoted'): Word {
    if (node.text.includes('\n')) this.multiline.push(node);
    const parts = node.parts
      ? this.parts(node.parts, ctx)
      : this.literal(node.text, ctx, node.value);
    return { parts, raw: node.text };
  }

  private parts(parts: readonly Bash.WordPart[], ctx: Context): WordPart[] {
    return parts.flatMap((p) => this.part(p, ctx));
  }

  private part(p: Bash.WordPart, ctx: Context): WordPart[] {
    // Quotes inside ${...} are refused because bash reads them differently inside and outside
    // double quotes.
    const quotes = (): void => {
      if (ctx === 'brace') fail(`unsupported quoting inside \${...}: ${p.text}`);
    };
    switch (p.type) {
      case 'Literal':
        if (ctx === 'unquoted' || ctx === 'brace') return this.literal(p.text, ctx, p.value);
        // bash drops it before expanding, so "$\<newline>(cmd)" runs cmd: refuse.
        if (p.text.includes('\\\n')) fail('line continuation inside double quotes');
        return [lit(p.value, true)];
      case 'SingleQuoted':
        quotes();
        return [lit(p.value, true)];
      case 'DoubleQuoted':
        quotes();
        return this.parts(p.parts, 'dquote');
      case 'AnsiCQuoted': {
        quotes();
        if (this.posix) fail("$'...' is bash-only");
        // Only plain escapes make a literal: control, unicode and NUL escapes depend on locale
        // and context, and unbash leaves bash 5.2's \x{HH} undecoded.
        const escapes = p.text.match(/\\(x[0-9a-fA-F]?|[^])/g) ?? [];
        const dynamic =
          !escapes.every((e) => /^\\([abeEfnrtv\\'"?0-7]|x[0-9a-fA-F])$/.test(e)) ||
          [...p.value].some((c) => c === '\0' || c > '\x7f');
        return [dynamic ? { kind: 'dyn', text: p.text } : lit(p.value, true)];
      }
      case 'SimpleExpansion':
        return [{ kind: 'dyn', text: p.text }];
      case 'ParameterExpansion':
        return this.parameter(p);
      case 'ArithmeticExpansion':
        if (!/^\$\(\([^]*\)\)$/.test(p.text)) fail(`unsupported arithmetic ${p.text}`);
        if (!CONSTANT_ARITH.test(p.text.slice(3, -2))) {
          fail('arithmetic expansion is only supported on constants');
        }
        return [{ kind: 'dyn', text: p.text }];
      case 'CommandExpansion':
        if (p.text.startsWith('${')) fail('${ cmd; } substitutions are not supported');
        if (p.text.startsWith('`')) {
          quotes();
          if (ctx === 'dquote' && p.text.includes('\\"')) {
            fail('\\" inside back-quotes in double quotes is ambiguous');
          }
        }
        return [this.substitution(p)];
      case 'ProcessSubstitution':
        if (this.posix) fail('process substitution is bash-only');
        return [this.substitution(p)];
      case 'Glob':
      case 'BraceExpansion': {
        // Plain globs and braces stay unquoted literal text, which the allowlist inspects;
        // anything quoted or expanded inside makes the whole word dynamic.
        const inner = p.parts ? this.parts(p.parts, ctx) : [];
        if (inner.every((x) => x.kind === 'lit' && !x.quoted)) return this.literal(p.text, ctx);
        return [{ kind: 'dyn', text: p.text }, ...inner.filter((x) => x.kind === 'sub')];
      }
      default:
        fail(UNSUPPORTED[p.type] ?? `${p.type} is not supported`);
    }
  }

  private parameter(p: Bash.ParameterExpansionPart): WordPart[] {
    if (!/^\$\{[^]*\}$/.test(p.text)) fail(`unterminated ${p.text}`);
    if (p.prefix === '!') fail('indirect expansion ${!...} is not supported');
    if (p.index !== undefined) fail('array subscripts are not supported');
    if (!PARAMETER.test(p.parameter)) fail(`bad ${p.text} expansion`);
    const op = p.operation;
    let operands: (Bash.Word | undefined)[] = [];
    if (op?.type === 'Replace') operands = [op.pattern, op.replacement];
    else if (op?.type === 'Default' || op?.type === 'Remove' || op?.type === 'CaseModification') {
      operands = [op.operand];
    } else if (op !== undefined) fail(`unsupported ${p.text} expansion`);
    if (op !== undefined && p.prefix === '#') fail(`unsupported ${p.text} expansion`);
    const inner = operands.flatMap((w) => (w ? this.word(w, 'brace').parts : []));
    return [{ kind: 'dyn', text: p.text }, ...inner.filter((x) => x.kind === 'sub')];
  }

  private substitution(p: Bash.CommandExpansionPart | Bash.ProcessSubstitutionPart): SubPart {
    // unbash can cut a substitution short (at a '/' inside one in ${x//pattern/...}) without an
    // error: refuse one whose text does not close.
    const script = p.script;
    if (!/^([$<>]\([^]*\)|`[^]*`)$/.test(p.text) || script === undefined) {
      fail(`unterminated substitution ${p.text}`);
    }
    const reader = new Reader(script.source ?? this.src, this.posix, this.depth + 1);
    return { kind: 'sub', body: reader.script(script) };
  }

  /**
   * Unquoted source text: a backslash quotes the next character. The result must agree with
   * unbash's own reading of the text, or the command is refused.
   */
  private literal(text: string, ctx: Context, value?: string): LitPart[] {
    const odd = ctx === 'brace' ? /['"`\\{}()\n$]/.exec(text) : null;
    if (odd) fail(`unsupported '${odd[0]}' inside \${...}`);
    const parts: LitPart[] = [];
    for (let i = 0; i < text.length; i++) {
      const quoted = text[i] === '\\';
      if (quoted && text[i + 1] === '\n') fail('line continuation inside a word');
      const ch = quoted ? (text[++i] ?? '\\') : text[i];
      const last = parts[parts.length - 1];
      if (last?.quoted === quoted) last.text += ch;
      else parts.push(lit(ch, quoted));
    }
    if (value !== undefined && parts.map((p) => p.text).join('') !== value) {
      fail(`cannot read ${JSON.stringify(text)}`);
    }
    return parts;
  }
}

function lit(text: string, quoted: boolean): LitPart {
  return { kind: 'lit', text, quoted };
}
