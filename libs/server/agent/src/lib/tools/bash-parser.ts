/**
 * A strict, fail-closed parser for the subset of bash that coding agents use.
 *
 * It exists for the bash tool's allowlist: the allowlist must see every program bash would run,
 * so anything whose meaning is unclear (or differs between shells) is a syntax error here rather
 * than a best guess. Unsupported on purpose: case, select, function definitions, coproc, [[ ]],
 * (( )), arrays, ${...} forms that evaluate arithmetic or indirection, $"...", quotes inside
 * ${...}, backslash-newline inside a word or operator, and (in POSIX mode) bash-only syntax.
 */

export interface LitPart {
  kind: 'lit';
  text: string;
  /** True when the text came from quotes or a backslash: no glob, brace or tilde expansion. */
  quoted: boolean;
}
/** An expansion whose value is only known at run time ($x, ${x:-y}, $((1+2)), ...). */
export interface DynPart {
  kind: 'dyn';
  text: string;
}
/** A command or process substitution: its body runs as commands. */
export interface SubPart {
  kind: 'sub';
  body: Script;
}
export type WordPart = LitPart | DynPart | SubPart;

export interface Word {
  parts: WordPart[];
  raw: string;
}

export interface Assignment {
  name: string;
  value: Word;
}

export type RedirectOp =
  | '<'
  | '>'
  | '>>'
  | '>|'
  | '<>'
  | '<<'
  | '<<-'
  | '<<<'
  | '<&'
  | '>&'
  | '&>'
  | '&>>';

export interface Redirect {
  fd: string | null;
  op: RedirectOp;
  /** The file, fd, here-string or (for here-docs) the delimiter word. */
  target: Word;
  /** Here-doc body; substitutions in it run unless the delimiter was quoted. */
  heredoc: Word | null;
}

export interface SimpleCommand {
  type: 'simple';
  assigns: Assignment[];
  words: Word[];
  redirects: Redirect[];
}
export interface SubshellCommand {
  type: 'subshell';
  body: Script;
  redirects: Redirect[];
}
export interface GroupCommand {
  type: 'group';
  body: Script;
  redirects: Redirect[];
}
export interface IfCommand {
  type: 'if';
  clauses: { cond: Script; body: Script }[];
  elseBody: Script | null;
  redirects: Redirect[];
}
export interface LoopCommand {
  type: 'while' | 'until';
  cond: Script;
  body: Script;
  redirects: Redirect[];
}
export interface ForCommand {
  type: 'for';
  name: string;
  items: Word[] | null;
  body: Script;
  redirects: Redirect[];
}
export type Command =
  | SimpleCommand
  | SubshellCommand
  | GroupCommand
  | IfCommand
  | LoopCommand
  | ForCommand;

export interface Pipeline {
  negated: boolean;
  commands: Command[];
}
export interface AndOr {
  first: Pipeline;
  rest: { op: '&&' | '||'; pipeline: Pipeline }[];
}
export interface ListItem {
  andOr: AndOr;
  background: boolean;
}
export interface Script {
  items: ListItem[];
}

export class BashSyntaxError extends Error {
  override readonly name = 'BashSyntaxError';
}

export interface ParseOptions {
  /** Parse as POSIX sh (dash): bash-only syntax is refused because dash reads it differently. */
  posix?: boolean;
}

export function parseBash(src: string, options: ParseOptions = {}): Script {
  return new Parser(src, options.posix ?? false, 0).parseScript();
}

type Token =
  | { t: 'word'; word: Word }
  | { t: 'op'; op: string }
  | { t: 'redir'; op: RedirectOp; fd: string | null }
  | { t: 'nl' }
  | { t: 'eof' };

interface PendingHeredoc {
  delim: string;
  quoted: boolean;
  stripTabs: boolean;
  redirect: Redirect;
  nesting: number;
}

const MAX_DEPTH = 24;
const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/;
const UNSUPPORTED_KEYWORDS = new Set(['case', 'select', 'function', 'coproc', '[[', ']]', 'esac']);
const STRAY_KEYWORDS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', '}', 'in']);
// Arithmetic is only accepted on constants: variables inside $(( )) are evaluated recursively
// by bash and an array subscript in a variable's value runs command substitutions.
const CONSTANT_ARITH = /^[0-9\s+\-*/%<>=!&|^~?:(),]*$/;

class Parser {
  private pos = 0;
  private peeked: Token | null = null;
  private nesting = 0;
  private readonly pending: PendingHeredoc[] = [];

  constructor(
    private readonly src: string,
    private readonly posix: boolean,
    private readonly depth: number,
  ) {
    if (depth > MAX_DEPTH) this.fail('nesting is too deep');
  }

  parseScript(): Script {
    const script = this.parseList(new Set());
    const tok = this.peek();
    if (tok.t !== 'eof') this.fail(`unexpected ${describe(tok)}`);
    return script;
  }

  private fail(message: string): never {
    throw new BashSyntaxError(message);
  }

  // ---------------------------------------------------------------- grammar

  private parseList(closers: ReadonlySet<string>): Script {
    const items: ListItem[] = [];
    for (;;) {
      this.skipNewlines();
      const tok = this.peek();
      if (tok.t === 'eof' || this.isCloser(tok, closers)) break;
      const andOr = this.parseAndOr();
      const sep = this.peek();
      if (sep.t === 'op' && (sep.op === ';' || sep.op === '&')) {
        this.next();
        items.push({ andOr, background: sep.op === '&' });
      } else if (sep.t === 'nl' || sep.t === 'eof' || this.isCloser(sep, closers)) {
        items.push({ andOr, background: false });
      } else {
        this.fail(`unexpected ${describe(sep)}`);
      }
    }
    return { items };
  }

  private isCloser(tok: Token, closers: ReadonlySet<string>): boolean {
    if (tok.t === 'op') return tok.op === ')' && closers.has(')');
    if (tok.t === 'word') {
      const kw = keywordOf(tok.word);
      return kw !== null && closers.has(kw);
    }
    return false;
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t !== 'op' || (tok.op !== '&&' && tok.op !== '||')) break;
      this.next();
      this.skipNewlines();
      rest.push({ op: tok.op, pipeline: this.parsePipeline() });
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    let negated = false;
    if (this.peekKeyword() === 'time') {
      this.next();
      const flag = this.peek();
      if (flag.t === 'word' && keywordOf(flag.word) === '-p') this.next();
    }
    while (this.peekKeyword() === '!') {
      this.next();
      negated = !negated;
    }
    const commands = [this.parseCommand()];
    for (;;) {
      const tok = this.peek();
      if (tok.t !== 'op' || (tok.op !== '|' && tok.op !== '|&')) break;
      if (tok.op === '|&' && this.posix) this.fail("'|&' is bash-only");
      this.next();
      this.skipNewlines();
      commands.push(this.parseCommand());
    }
    return { negated, commands };
  }

  private parseCommand(): Command {
    const tok = this.peek();
    if (tok.t === 'op') {
      if (tok.op === '(') {
        this.next();
        const body = this.parseBody(new Set([')']));
        this.expectOp(')');
        return { type: 'subshell', body, redirects: this.parseRedirects() };
      }
      if (tok.op === '((') this.fail('arithmetic commands (( )) are not supported');
      this.fail(`unexpected ${describe(tok)}`);
    }
    const kw = this.peekKeyword();
    if (kw !== null) {
      if (UNSUPPORTED_KEYWORDS.has(kw)) this.fail(`'${kw}' is not supported`);
      if (STRAY_KEYWORDS.has(kw)) this.fail(`unexpected '${kw}'`);
      if (kw === '{') {
        this.next();
        const body = this.parseBody(new Set(['}']));
        this.expectKeyword('}');
        return { type: 'group', body, redirects: this.parseRedirects() };
      }
      if (kw === 'if') return this.parseIf();
      if (kw === 'while' || kw === 'until') {
        this.next();
        const cond = this.parseBody(new Set(['do']));
        this.expectKeyword('do');
        const body = this.parseBody(new Set(['done']));
        this.expectKeyword('done');
        return { type: kw, cond, body, redirects: this.parseRedirects() };
      }
      if (kw === 'for') return this.parseFor();
    }
    return this.parseSimple();
  }

  private parseBody(closers: ReadonlySet<string>): Script {
    const body = this.parseList(closers);
    if (body.items.length === 0) this.fail('empty command list');
    return body;
  }

  private parseIf(): IfCommand {
    this.next();
    const clauses: IfCommand['clauses'] = [];
    let elseBody: Script | null = null;
    for (;;) {
      const cond = this.parseBody(new Set(['then']));
      this.expectKeyword('then');
      const body = this.parseBody(new Set(['elif', 'else', 'fi']));
      clauses.push({ cond, body });
      const kw = this.peekKeyword();
      if (kw !== 'elif' && kw !== 'else' && kw !== 'fi') this.fail("expected 'fi'");
      this.next();
      if (kw === 'elif') continue;
      if (kw === 'else') {
        elseBody = this.parseBody(new Set(['fi']));
        this.expectKeyword('fi');
      }
      break;
    }
    return { type: 'if', clauses, elseBody, redirects: this.parseRedirects() };
  }

  private parseFor(): ForCommand {
    this.next();
    const nameTok = this.next();
    if (nameTok.t === 'op' && nameTok.op === '((')
      this.fail('arithmetic for loops are not supported');
    const name = nameTok.t === 'word' ? keywordOf(nameTok.word) : null;
    if (name === null || !IDENT.test(name) || IDENT.exec(name)?.[0] !== name) {
      this.fail('expected a variable name after for');
    }
    let items: Word[] | null = null;
    this.skipNewlines();
    if (this.peekKeyword() === 'in') {
      this.next();
      items = [];
      for (let tok = this.peek(); tok.t === 'word'; tok = this.peek()) {
        this.next();
        items.push(tok.word);
      }
    }
    const sep = this.peek();
    if (sep.t === 'op' && sep.op === ';') this.next();
    else if (sep.t !== 'nl' && this.peekKeyword() !== 'do')
      this.fail(`unexpected ${describe(sep)}`);
    this.skipNewlines();
    this.expectKeyword('do');
    const body = this.parseBody(new Set(['done']));
    this.expectKeyword('done');
    return { type: 'for', name, items, body, redirects: this.parseRedirects() };
  }

  private parseSimple(): SimpleCommand {
    const cmd: SimpleCommand = { type: 'simple', assigns: [], words: [], redirects: [] };
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'redir') {
        this.next();
        cmd.redirects.push(this.parseRedirect(tok.op, tok.fd));
      } else if (tok.t === 'word') {
        this.next();
        const assign = cmd.words.length === 0 ? asAssignment(tok.word) : null;
        if (assign) cmd.assigns.push(assign);
        else cmd.words.push(tok.word);
      } else {
        break;
      }
    }
    if (cmd.words.length + cmd.assigns.length + cmd.redirects.length === 0) {
      this.fail(`expected a command, found ${describe(this.peek())}`);
    }
    const after = this.peek();
    if (after.t === 'op' && (after.op === '(' || after.op === '((')) {
      this.fail(
        cmd.words.length === 1 ? 'function definitions are not supported' : "unexpected '('",
      );
    }
    return cmd;
  }

  private parseRedirects(): Redirect[] {
    const redirects: Redirect[] = [];
    for (let tok = this.peek(); tok.t === 'redir'; tok = this.peek()) {
      this.next();
      redirects.push(this.parseRedirect(tok.op, tok.fd));
    }
    return redirects;
  }

  private parseRedirect(op: RedirectOp, fd: string | null): Redirect {
    const tok = this.next();
    if (tok.t !== 'word') this.fail(`expected a word after '${op}'`);
    const redirect: Redirect = { fd, op, target: tok.word, heredoc: null };
    if (op === '<<' || op === '<<-') {
      let delim = '';
      let quoted = false;
      for (const part of tok.word.parts) {
        if (part.kind !== 'lit') this.fail('here-document delimiters must be literal');
        delim += part.text;
        quoted ||= part.quoted;
      }
      this.pending.push({
        delim,
        quoted,
        stripTabs: op === '<<-',
        redirect,
        nesting: this.nesting,
      });
    }
    return redirect;
  }

  private expectOp(op: string): void {
    const tok = this.next();
    if (tok.t !== 'op' || tok.op !== op) this.fail(`expected '${op}', found ${describe(tok)}`);
  }

  private expectKeyword(kw: string): void {
    const tok = this.next();
    if (tok.t !== 'word' || keywordOf(tok.word) !== kw) {
      this.fail(`expected '${kw}', found ${describe(tok)}`);
    }
  }

  private peekKeyword(): string | null {
    const tok = this.peek();
    return tok.t === 'word' ? keywordOf(tok.word) : null;
  }

  private skipNewlines(): void {
    while (this.peek().t === 'nl') this.next();
  }

  // ---------------------------------------------------------------- tokens

  private peek(): Token {
    this.peeked ??= this.lex();
    return this.peeked;
  }

  private next(): Token {
    const tok = this.peek();
    this.peeked = null;
    return tok;
  }

  private lex(): Token {
    const src = this.src;
    for (;;) {
      const c = src[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
      else break;
    }
    if (this.pos >= src.length) return { t: 'eof' };
    const start = this.pos;
    const c = src[start];
    if (c === '\n') {
      this.pos++;
      this.readHeredocs();
      return { t: 'nl' };
    }
    const fd = /^[0-9]+(?=[<>])/.exec(src.slice(start, start + 12));
    if (fd) {
      this.pos += fd[0].length;
      const redir = this.lexOperator();
      if (!redir || redir.t !== 'redir' || redir.op === '&>' || redir.op === '&>>') {
        this.fail('bad redirection');
      }
      return { ...redir, fd: fd[0] };
    }
    if (c === '<' || c === '>') {
      if (src[start + 1] === '(') return { t: 'word', word: this.readWord(true) };
    }
    const op = this.lexOperator();
    if (op) return op;
    const word = this.readWord(false);
    // Where a here-doc body starts after a multi-line word is murky: refuse.
    if (this.pending.length > 0 && word.raw.includes('\n')) {
      this.fail('multi-line word after a here-document operator');
    }
    return { t: 'word', word };
  }

  private lexOperator(): Token | null {
    const ops = [
      '&>>',
      '<<<',
      '<<-',
      '&&',
      '||',
      '|&',
      ';;',
      '((',
      '>>',
      '>|',
      '<>',
      '<<',
      '<&',
      '>&',
      '&>',
      ';',
      '&',
      '|',
      '(',
      ')',
      '<',
      '>',
    ];
    const op = ops.find((o) => this.src.startsWith(o, this.pos));
    if (op === undefined) return null;
    this.pos += op.length;
    // bash joins operators across a backslash-newline; refusing is simpler than agreeing.
    if (this.src.startsWith('\\\n', this.pos)) this.fail('line continuation after an operator');
    if (op === ';;') this.fail("';;' outside case");
    if (this.posix && ['&>>', '<<<', '&>', '|&'].includes(op)) this.fail(`'${op}' is bash-only`);
    if (['&&', '||', '|&', '((', ';', '&', '|', '(', ')'].includes(op)) return { t: 'op', op };
    return { t: 'redir', op: op as RedirectOp, fd: null };
  }

  private readHeredocs(): void {
    const queue = this.pending.splice(0);
    for (const doc of queue) {
      if (doc.nesting !== this.nesting) {
        this.fail('here-documents that cross a command substitution are not supported');
      }
      let body = '';
      for (;;) {
        if (this.pos >= this.src.length) break;
        const end = this.src.indexOf('\n', this.pos);
        const lineEnd = end === -1 ? this.src.length : end;
        let line = this.src.slice(this.pos, lineEnd);
        this.pos = end === -1 ? this.src.length : end + 1;
        if (doc.stripTabs) line = line.replace(/^\t+/, '');
        if (line === doc.delim) break;
        // bash joins continued lines before comparing with the delimiter: refuse instead.
        if (!doc.quoted && line.endsWith('\\')) this.fail('line continuation in a here-document');
        body += line + '\n';
      }
      doc.redirect.heredoc = doc.quoted
        ? { parts: [{ kind: 'lit', text: body, quoted: true }], raw: body }
        : new Parser(body, this.posix, this.depth + 1).readHeredocBody();
    }
  }

  /** An unquoted here-doc body: like double quotes, except that '"' is an ordinary character. */
  readHeredocBody(): Word {
    const parts: WordPart[] = [];
    while (this.pos < this.src.length) this.readDquotedChar(parts, 'heredoc');
    return { parts: mergeLits(parts), raw: this.src };
  }

  // ---------------------------------------------------------------- words

  private readWord(procsubStart: boolean): Word {
    const src = this.src;
    const start = this.pos;
    const parts: WordPart[] = [];
    if (procsubStart) {
      if (this.posix) this.fail('process substitution is bash-only');
      this.pos += 2;
      parts.push({ kind: 'sub', body: this.parseNested() });
    }
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (META.has(c)) break;
      if (c === '\\') {
        const n = src[this.pos + 1];
        if (n === undefined) {
          parts.push({ kind: 'lit', text: '\\', quoted: true });
          this.pos++;
        } else if (n === '\n') {
          this.fail('line continuation inside a word');
        } else {
          parts.push({ kind: 'lit', text: n, quoted: true });
          this.pos += 2;
        }
      } else if (c === "'") {
        const end = src.indexOf("'", this.pos + 1);
        if (end === -1) this.fail('unterminated single quote');
        parts.push({ kind: 'lit', text: src.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
      } else if (c === '"') {
        this.pos++;
        for (;;) {
          if (this.pos >= src.length) this.fail('unterminated double quote');
          if (src[this.pos] === '"') break;
          this.readDquotedChar(parts, 'dquote');
        }
        this.pos++;
      } else if (c === '`') {
        parts.push(this.readBackquote(false));
      } else if (c === '$') {
        this.readDollar(parts, 'unquoted');
      } else {
        parts.push({ kind: 'lit', text: c, quoted: false });
        this.pos++;
      }
    }
    if (parts.length === 0) this.fail(`unexpected '${src[this.pos] ?? 'end of input'}'`);
    return { parts: mergeLits(parts), raw: src.slice(start, this.pos) };
  }

  /** One character (or escape/expansion) inside double quotes or an unquoted here-doc. */
  private readDquotedChar(parts: WordPart[], ctx: 'dquote' | 'heredoc'): void {
    const src = this.src;
    const c = src[this.pos];
    if (c === '\\') {
      const n = src[this.pos + 1];
      if (n === '\n') {
        // bash drops it before expanding, so "$\<newline>(cmd)" runs cmd: refuse.
        this.fail('line continuation inside double quotes');
      } else if (n === '$' || n === '`' || n === '\\' || (n === '"' && ctx === 'dquote')) {
        parts.push({ kind: 'lit', text: n, quoted: true });
        this.pos += 2;
      } else {
        parts.push({ kind: 'lit', text: '\\', quoted: true });
        this.pos++;
      }
    } else if (c === '$') {
      this.readDollar(parts, ctx);
    } else if (c === '`') {
      parts.push(this.readBackquote(ctx === 'dquote'));
    } else {
      parts.push({ kind: 'lit', text: c, quoted: true });
      this.pos++;
    }
  }

  private readDollar(parts: WordPart[], ctx: 'unquoted' | 'dquote' | 'heredoc' | 'brace'): void {
    const src = this.src;
    const start = this.pos;
    const n = src[start + 1];
    const quoted = ctx !== 'unquoted';
    if (n === '(') {
      if (src[start + 2] === '(') {
        parts.push(this.readArithmetic());
        return;
      }
      this.pos += 2;
      parts.push({ kind: 'sub', body: this.parseNested() });
    } else if (n === '{') {
      this.readBraceParam(parts);
    } else if (n === '[') {
      this.fail('$[ ] arithmetic is not supported');
    } else if (n === "'" && ctx === 'unquoted') {
      if (this.posix) this.fail("$'...' is bash-only");
      parts.push(this.readAnsiC());
    } else if (n === '"' && ctx === 'unquoted') {
      this.fail('$"..." locale strings are not supported');
    } else if (n !== undefined && /[A-Za-z_]/.test(n)) {
      const name = IDENT.exec(src.slice(start + 1))?.[0] ?? n;
      this.pos += 1 + name.length;
      parts.push({ kind: 'dyn', text: '$' + name });
    } else if (n !== undefined && /[0-9@*#?$!-]/.test(n)) {
      this.pos += 2;
      parts.push({ kind: 'dyn', text: '$' + n });
    } else {
      if (ctx === 'brace') this.fail("unsupported '$' inside ${...}");
      this.pos++;
      parts.push({ kind: 'lit', text: '$', quoted });
    }
  }

  /** Parses the list of a $( ), <( ) or >( ) on this same source, up to the closing ')'. */
  private parseNested(): Script {
    if (this.depth + this.nesting >= MAX_DEPTH) this.fail('nesting is too deep');
    const saved = this.peeked;
    this.peeked = null;
    this.nesting++;
    const body = this.parseList(new Set([')']));
    this.expectOp(')');
    this.nesting--;
    this.peeked = saved;
    return body;
  }

  private readArithmetic(): DynPart {
    const src = this.src;
    const start = this.pos;
    let depth = 0;
    let i = start + 3;
    for (; i < src.length; i++) {
      const c = src[i];
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (src[i] !== ')' || src[i + 1] !== ')') this.fail('unterminated $(( ))');
    const body = src.slice(start + 3, i);
    if (!CONSTANT_ARITH.test(body)) {
      this.fail('arithmetic expansion is only supported on constants');
    }
    this.pos = i + 2;
    return { kind: 'dyn', text: src.slice(start, this.pos) };
  }

  private readBraceParam(parts: WordPart[]): void {
    const src = this.src;
    const start = this.pos;
    this.pos += 2;
    const c = src[this.pos];
    if (c === '!') this.fail('indirect expansion ${!...} is not supported');
    let name: string;
    if (c === '#' && src[this.pos + 1] !== '}') {
      this.pos++;
      name = this.readParamName();
      if (src[this.pos] !== '}') this.fail('unsupported ${#...} form');
    } else {
      name = this.readParamName();
    }
    const nested: WordPart[] = [];
    if (src[this.pos] !== '}') {
      const op = /^(:[-=+?]|[-=+?]|##?|%%?|\/[/#%]?|\^\^?|,,?)/.exec(src.slice(this.pos))?.[0];
      if (op === undefined) {
        this.fail(`unsupported \${${name}${src[this.pos] ?? ''}...} expansion`);
      }
      this.pos += op.length;
      // The operand may hold expansions; quotes and backslashes are refused because bash
      // reads them differently inside and outside double quotes.
      while (src[this.pos] !== '}') {
        const d = src[this.pos];
        if (d === undefined) this.fail('unterminated ${');
        if (d === '$') this.readDollar(nested, 'brace');
        else if ('\'"`\\{\n'.includes(d)) this.fail(`unsupported '${d}' inside \${...}`);
        else this.pos++;
      }
    }
    this.pos++;
    parts.push({ kind: 'dyn', text: src.slice(start, this.pos) });
    for (const part of nested) if (part.kind === 'sub') parts.push(part);
  }

  private readParamName(): string {
    const src = this.src;
    const ident = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])/.exec(src.slice(this.pos))?.[0];
    if (ident === undefined) this.fail('bad ${...} expansion');
    this.pos += ident.length;
    if (src[this.pos] === '[') this.fail('array subscripts are not supported');
    if (src[this.pos] === '@') this.fail('${...@...} transformations are not supported');
    if (src[this.pos] === ':' && !'-=+?'.includes(src[this.pos + 1] ?? '')) {
      this.fail('substring expansion ${x:...} is not supported');
    }
    return ident;
  }

  private readAnsiC(): WordPart {
    const src = this.src;
    const start = this.pos;
    let i = start + 2;
    let text = '';
    let dynamic = false;
    const simple: Record<string, string> = {
      a: '\x07',
      b: '\b',
      e: '\x1b',
      E: '\x1b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '?': '?',
    };
    for (;;) {
      const c = src[i];
      if (c === undefined) this.fail("unterminated $'");
      if (c === "'") break;
      if (c !== '\\') {
        text += c;
        i++;
        continue;
      }
      const e = src[i + 1] ?? '';
      const mapped = simple[e];
      let m: RegExpExecArray | null;
      if (mapped !== undefined) {
        text += mapped;
        i += 2;
      } else if ((m = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4)))) {
        const code = parseInt(m[0], 8);
        if (code === 0 || code > 0x7f) dynamic = true;
        text += String.fromCharCode(code);
        i += 1 + m[0].length;
      } else if (e === 'x' && (m = /^[0-9a-fA-F]{1,2}/.exec(src.slice(i + 2, i + 4)))) {
        const code = parseInt(m[0], 16);
        if (code === 0 || code > 0x7f) dynamic = true;
        text += String.fromCharCode(code);
        i += 2 + m[0].length;
      } else if (e === 'c' || e === 'u' || e === 'U') {
        // Control and unicode escapes depend on locale and context: never a literal.
        dynamic = true;
        text += '\\' + e;
        i += 2;
      } else {
        text += '\\' + e;
        i += 2;
      }
    }
    this.pos = i + 1;
    const raw = src.slice(start, this.pos);
    return dynamic ? { kind: 'dyn', text: raw } : { kind: 'lit', text, quoted: true };
  }

  private readBackquote(inDquote: boolean): SubPart {
    const src = this.src;
    let i = this.pos + 1;
    let inner = '';
    for (;;) {
      const c = src[i];
      if (c === undefined) this.fail('unterminated back-quote');
      if (c === '`') break;
      if (c === '\\') {
        const n = src[i + 1];
        if (n === undefined) this.fail('unterminated back-quote');
        if (n === '`' || n === '$' || n === '\\') inner += n;
        else if (n === '"' && inDquote)
          this.fail('\\" inside back-quotes in double quotes is ambiguous');
        else inner += '\\' + n;
        i += 2;
        continue;
      }
      inner += c;
      i++;
    }
    this.pos = i + 1;
    return { kind: 'sub', body: new Parser(inner, this.posix, this.depth + 1).parseScript() };
  }
}

function mergeLits(parts: WordPart[]): WordPart[] {
  const out: WordPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === 'lit' && last?.kind === 'lit' && last.quoted === part.quoted) {
      out[out.length - 1] = { ...last, text: last.text + part.text };
    } else {
      out.push(part);
    }
  }
  return out;
}

/** The word as a reserved word candidate: only a single unquoted literal qualifies. */
function keywordOf(word: Word): string | null {
  const [only, ...rest] = word.parts;
  return only?.kind === 'lit' && !only.quoted && rest.length === 0 ? only.text : null;
}

function asAssignment(word: Word): Assignment | null {
  const first = word.parts[0];
  if (first?.kind !== 'lit' || first.quoted) return null;
  const m = ASSIGNMENT.exec(first.text);
  if (!m) return null;
  const restText = first.text.slice(m[0].length);
  const valueParts: WordPart[] = restText ? [{ ...first, text: restText }] : [];
  valueParts.push(...word.parts.slice(1));
  return { name: m[1], value: { parts: valueParts, raw: word.raw.slice(m[0].length) } };
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'eof':
      return 'end of input';
    case 'nl':
      return 'newline';
    case 'op':
    case 'redir':
      return `'${tok.op}'`;
    case 'word':
      return `'${tok.word.raw}'`;
  }
}
