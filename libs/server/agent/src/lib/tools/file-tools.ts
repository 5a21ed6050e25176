// File tools of an agent session, confined to its worktree: every path goes through
// resolveInside (refusing "..", absolute paths elsewhere and symlinks that lead out).
import { resolveInside } from '@autocoder/server-workspace';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { glob } from 'tinyglobby';
import { z } from 'zod';
import { toolInputSchema } from '@autocoder/shared-contracts';
import { ToolSpec } from '../providers/llm-provider';

/** What a tool answers the model: text, flagged as an error when the call failed. */
export interface ToolOutcome {
  content: string;
  isError?: boolean;
}

export interface FileToolLimits {
  /** Largest file read or grepped, in bytes. */
  maxFileBytes: number;
  /** Most characters a tool returns; the rest is cut with a note. */
  maxOutputChars: number;
  /** Most paths glob or list returns. */
  maxEntries: number;
}

const DEFAULT_FILE_TOOL_LIMITS: FileToolLimits = {
  maxFileBytes: 2 * 1024 * 1024,
  maxOutputChars: 30_000,
  maxEntries: 1000,
};

/** Never listed or searched: dependencies and VCS internals drown the model and waste tokens. */
const IGNORED = ['**/node_modules/**', '**/.git/**', '**/dist/**', '**/coverage/**'];

const pathField = z.string().min(1).max(1000);
const schemas = {
  read_file: z.strictObject({
    path: pathField,
    offset: z.int().min(1).optional().describe('first line, 1-based'),
    limit: z.int().min(1).max(5000).optional().describe('number of lines'),
  }),
  write_file: z.strictObject({ path: pathField, content: z.string().max(2_000_000) }),
  edit_file: z.strictObject({
    path: pathField,
    old_string: z.string().min(1),
    new_string: z.string(),
    replace_all: z.boolean().optional(),
  }),
  list_dir: z.strictObject({ path: pathField.default('.') }),
  glob: z.strictObject({ pattern: z.string().min(1).max(500) }),
  grep: z.strictObject({
    pattern: z.string().min(1).max(500).describe('JavaScript regular expression'),
    glob: z.string().max(500).optional().describe('files to search, default all'),
    ignore_case: z.boolean().optional(),
  }),
};

export type FileToolName = keyof typeof schemas;

const DESCRIPTIONS: Record<FileToolName, string> = {
  read_file: 'Read a text file of the worktree, optionally a range of lines. Lines are numbered.',
  write_file: 'Create or overwrite a file of the worktree (parent folders are created).',
  edit_file:
    'Replace an exact string in a file. old_string must occur exactly once unless replace_all is true.',
  list_dir: 'List a folder of the worktree (folders end with /).',
  glob: 'Find files of the worktree by glob pattern, e.g. "src/**/*.ts".',
  grep: 'Search file contents by regular expression; answers path:line: text.',
};

export const FILE_TOOL_SPECS: ToolSpec[] = (Object.keys(schemas) as FileToolName[]).map((name) => ({
  name,
  description: DESCRIPTIONS[name],
  inputSchema: toolInputSchema(schemas[name]),
}));

/** Runs one file tool call; never throws for the model's mistakes, answers them as errors. */
export async function runFileTool(
  worktree: string,
  name: FileToolName,
  rawInput: unknown,
  limits: FileToolLimits = DEFAULT_FILE_TOOL_LIMITS,
): Promise<ToolOutcome> {
  const parsed = schemas[name].safeParse(rawInput);
  if (!parsed.success) {
    return {
      isError: true,
      content: `Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
    };
  }
  try {
    // Real path of the root, so relative names in answers match what resolveInside returns.
    const root = await fs.realpath(worktree);
    const text = await (TOOLS[name] as Handler<FileToolName>)(root, parsed.data, limits);
    return { content: cap(text, limits.maxOutputChars) };
  } catch (err) {
    return { isError: true, content: err instanceof Error ? err.message : String(err) };
  }
}

type Handler<N extends FileToolName> = (
  worktree: string,
  input: z.infer<(typeof schemas)[N]>,
  limits: FileToolLimits,
) => Promise<string>;

const TOOLS: { [N in FileToolName]: Handler<N> } = {
  read_file: async (worktree, { path: p, offset = 1, limit }, limits) => {
    const file = await resolveInside(worktree, p);
    const text = await readText(file, limits);
    const lines = text.split('\n');
    const end = limit ? Math.min(lines.length, offset - 1 + limit) : lines.length;
    const width = String(end).length;
    return lines
      .slice(offset - 1, end)
      .map((line, i) => `${String(offset + i).padStart(width)}\t${line}`)
      .join('\n');
  },
  write_file: async (worktree, { path: p, content }) => {
    const file = await resolveInside(worktree, p);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
    return `Wrote ${Buffer.byteLength(content)} bytes to ${rel(worktree, file)}.`;
  },
  edit_file: async (worktree, { path: p, old_string, new_string, replace_all }, limits) => {
    const file = await resolveInside(worktree, p);
    const text = await readText(file, limits);
    const count = text.split(old_string).length - 1;
    if (count === 0) throw new Error(`old_string not found in ${rel(worktree, file)}`);
    if (count > 1 && !replace_all) {
      throw new Error(
        `old_string occurs ${count} times in ${rel(worktree, file)}; make it unique or set replace_all`,
      );
    }
    await fs.writeFile(
      file,
      replace_all
        ? text.split(old_string).join(new_string)
        : text.replace(old_string, () => new_string),
    );
    return `Replaced ${replace_all ? count : 1} occurrence(s) in ${rel(worktree, file)}.`;
  },
  list_dir: async (worktree, { path: p }, limits) => {
    const dir = await resolveInside(worktree, p);
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const names = entries
      .filter((e) => e.name !== '.git')
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
    return listing(names, limits.maxEntries) || '(empty)';
  },
  glob: async (worktree, { pattern }, limits) =>
    listing(await matches(worktree, pattern), limits.maxEntries) || '(no match)',
  grep: async (worktree, { pattern, glob: files, ignore_case }, limits) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern, ignore_case ? 'i' : '');
    } catch (err) {
      throw new Error(
        `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const out: string[] = [];
    for (const file of await matches(worktree, files ?? '**/*')) {
      // A symlink inside the worktree may point out of it: such files are skipped.
      const real = await resolveInside(worktree, file).catch(() => null);
      if (!real) continue;
      const stat = await fs.stat(real);
      if (stat.size > limits.maxFileBytes) continue;
      const buf = await fs.readFile(real);
      if (buf.includes(0)) continue; // binary
      buf
        .toString('utf8')
        .split('\n')
        .forEach((line, i) => {
          if (re.test(line)) out.push(`${file}:${i + 1}: ${line}`);
        });
      if (out.length >= limits.maxEntries) break;
    }
    return listing(out, limits.maxEntries) || '(no match)';
  },
};

/** Glob inside the worktree only: patterns cannot climb out, symlinks are not followed. */
async function matches(worktree: string, pattern: string): Promise<string[]> {
  if (path.isAbsolute(pattern) || pattern.split(/[\\/]/).includes('..')) {
    throw new Error(
      `pattern ${JSON.stringify(pattern)} must be relative to the worktree, without ".."`,
    );
  }
  const found = await glob([pattern], {
    cwd: worktree,
    ignore: IGNORED,
    dot: true,
    followSymbolicLinks: false,
    onlyFiles: true,
  });
  return found.sort();
}

async function readText(file: string, limits: FileToolLimits): Promise<string> {
  const stat = await fs.stat(file);
  if (!stat.isFile()) throw new Error(`${path.basename(file)} is not a file`);
  if (stat.size > limits.maxFileBytes)
    throw new Error(`file is ${stat.size} bytes; the limit is ${limits.maxFileBytes}`);
  const buf = await fs.readFile(file);
  if (buf.includes(0)) throw new Error('binary file');
  return buf.toString('utf8');
}

function rel(worktree: string, file: string): string {
  return path.relative(worktree, file) || '.';
}

function listing(items: string[], max: number): string {
  return items.length > max
    ? `${items.slice(0, max).join('\n')}\n… ${items.length - max} more`
    : items.join('\n');
}

/** Keeps the head of long output, saying how much was cut (so the model knows to narrow down). */
export function cap(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}\n… [cut ${text.length - max} characters]`;
}
