import { GitCommandError, WorkspaceError } from './errors';
import { git, gitBuffer, gitTry } from './git';
import type { ProjectRepository } from './project-repository';

/** Largest file returned as text (1 MiB); larger ones are only in the archive. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Most entries listed for one directory. */
export const MAX_TREE_ENTRIES = 5000;
/** Most changed files listed for one merge (the counts still cover them all). */
export const MAX_MERGE_FILES = 300;
/** Largest diff of one commit returned (8 MiB). */
export const MAX_COMMIT_DIFF_BYTES = 8 * 1024 * 1024;
export const MAX_PATH_CHARS = 1024;

/**
 * How much of a file git itself looks at to call it binary (a NUL byte in the first 8000 bytes,
 * buffer_is_binary in git's xdiff-interface.c).
 */
const BINARY_SNIFF_BYTES = 8000;
const NEUTRAL_CWD = '/';
// Commit object names as a person or the console writes them: abbreviated or whole.
const COMMIT_SHA = /^[0-9a-f]{7,40}$/;
// Record and field separators of our `git log` format (a commit message cannot contain NUL,
// and the sha at a record's start makes a stray separator in a message harmless).
const RS = '\x1e';
const FS = '\x1f';
const END_OF_MESSAGE = '\x1d';

export type EntryType = 'dir' | 'file' | 'symlink' | 'submodule';

export interface TreeEntry {
  name: string;
  path: string;
  type: EntryType;
  size: number | null;
}

export interface TreeListing {
  ref: string;
  commit: string;
  path: string;
  entries: TreeEntry[];
  truncated: boolean;
}

export interface FileBlob {
  ref: string;
  commit: string;
  path: string;
  size: number;
  maxBytes: number;
  binary: boolean;
  tooLarge: boolean;
  symlink: boolean;
  content: string | null;
}

export interface FileChange {
  path: string;
  previousPath: string | null;
  additions: number | null;
  deletions: number | null;
}

export interface MergeCommit {
  commit: string;
  parents: string[];
  subject: string;
  message: string;
  authorName: string;
  authorEmail: string;
  committedAt: string;
  files: FileChange[];
  filesChanged: number;
  additions: number;
  deletions: number;
}

export interface MergeHistory {
  /** main when it was read. */
  commit: string;
  total: number;
  items: MergeCommit[];
}

interface RawEntry {
  mode: string;
  gitType: string;
  oid: string;
  size: number | null;
  name: string;
}

/**
 * Checks a path inside a repository and returns it without a trailing slash ('' is the root).
 * Relative, `/`-separated, no '.', '..' or empty segments, no control characters: such a path
 * names exactly one tree entry, and is never read as an option or a revision by git (we never
 * hand it to git at all: see RepositoryBrowser.lookup).
 */
export function normalizeRepoPath(requested: string): string {
  if (typeof requested !== 'string') throw badPath(requested, 'must be a string');
  if (requested.length > MAX_PATH_CHARS) {
    throw badPath(requested.slice(0, 40) + '…', `is longer than ${MAX_PATH_CHARS} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(requested)) {
    throw badPath(requested, 'must not contain control characters');
  }
  if (requested.startsWith('/')) throw badPath(requested, 'must be relative to the repository');
  const trimmed = requested.replace(/\/+$/, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw badPath(requested, 'must not contain empty, "." or ".." segments');
  }
  return trimmed;
}

/** `main` or 7–40 lowercase hex digits; anything else is refused before git sees it. */
export function assertCommitRef(ref: string): void {
  if (typeof ref !== 'string' || (ref !== 'main' && !COMMIT_SHA.test(ref))) {
    throw new WorkspaceError(
      'INVALID_REF',
      `ref must be main or a commit sha (7 to 40 lowercase hex digits), got ${JSON.stringify(
        typeof ref === 'string' ? ref.slice(0, 60) : ref,
      )}`,
    );
  }
}

function badPath(requested: unknown, why: string): WorkspaceError {
  return new WorkspaceError('INVALID_PATH', `path ${JSON.stringify(requested)} ${why}`);
}

function entryType(raw: RawEntry): EntryType {
  if (raw.gitType === 'tree') return 'dir';
  if (raw.gitType === 'commit') return 'submodule';
  return raw.mode === '120000' ? 'symlink' : 'file';
}

/** `git ls-tree -z --long` output: `<mode> SP <type> SP <oid> SP+ <size> TAB <name> NUL`. */
function parseLsTree(out: string): RawEntry[] {
  const entries: RawEntry[] = [];
  for (const record of out.split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [mode, gitType, oid, size] = record.slice(0, tab).split(/ +/);
    entries.push({
      mode,
      gitType,
      oid,
      size: size === '-' || size === undefined ? null : Number(size),
      name: record.slice(tab + 1),
    });
  }
  return entries;
}

const count = (s: string): number | null => (s === '-' ? null : Number(s));

/**
 * `--numstat -z` entries: `<added> TAB <deleted> TAB <path> NUL`, or for a rename
 * `<added> TAB <deleted> TAB NUL <old> NUL <new> NUL`; `-` counts mean a binary file.
 */
function parseNumstat(tokens: string[]): FileChange[] {
  const changes: FileChange[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i].replace(/^\n+/, '');
    if (token === '') continue;
    const m = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!m) continue;
    if (m[3] === '') {
      const previousPath = tokens[++i] ?? '';
      const path = tokens[++i] ?? '';
      changes.push({ path, previousPath, additions: count(m[1]), deletions: count(m[2]) });
    } else {
      changes.push({
        path: m[3],
        previousPath: null,
        additions: count(m[1]),
        deletions: count(m[2]),
      });
    }
  }
  return changes;
}

function parseMerge(record: string): MergeCommit | null {
  const end = record.indexOf(END_OF_MESSAGE);
  if (end < 0) return null;
  const [commit, parents, authorName, authorEmail, committedAt, ...rest] = record
    .slice(0, end)
    .split(FS);
  const message = rest.join(FS).replace(/\n+$/, '');
  const all = parseNumstat(record.slice(end + 1).split('\0'));
  return {
    commit,
    parents: parents.split(' ').filter((p) => p !== ''),
    subject: message.split('\n', 1)[0],
    message,
    authorName,
    authorEmail,
    committedAt: new Date(committedAt).toISOString(),
    files: all.slice(0, MAX_MERGE_FILES),
    filesChanged: all.length,
    additions: all.reduce((sum, f) => sum + (f.additions ?? 0), 0),
    deletions: all.reduce((sum, f) => sum + (f.deletions ?? 0), 0),
  };
}

function isTextual(bytes: Buffer): string | null {
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null; // not UTF-8: shown as binary rather than as mojibake
  }
}

/**
 * Reads a project's repository for people: directories and files at main (or a commit), the
 * merges on main, and a commit's diff. Read-only and lock-free: it reads objects by name, and
 * git objects never change.
 *
 * Nothing a caller sends reaches git unchecked. Refs are `main` or hex (resolved to a full sha
 * once, then only that sha is used); paths are never given to git at all: they are walked one
 * segment at a time through `ls-tree` of tree object ids, so no pathspec magic, `rev:path` parsing
 * or option can be smuggled in.
 */
export class RepositoryBrowser {
  constructor(private readonly repos: ProjectRepository) {}

  /** The commit `ref` names (`main` or a commit sha of this repository). */
  async resolve(projectId: string, ref: string): Promise<string> {
    assertCommitRef(ref);
    const main = await this.repos.mainCommit(projectId); // NOT_A_REPOSITORY when there is none
    if (ref === 'main') return main;
    const res = await gitTry(NEUTRAL_CWD, [
      `--git-dir=${this.repos.repoPath(projectId)}`,
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${ref}^{commit}`,
    ]);
    if (res.exitCode !== 0) {
      throw new WorkspaceError('REF_NOT_FOUND', `no commit ${ref} in this repository`);
    }
    return res.stdout.trim();
  }

  async tree(projectId: string, requestedPath: string, ref = 'main'): Promise<TreeListing> {
    const path = normalizeRepoPath(requestedPath);
    const commit = await this.resolve(projectId, ref);
    const repo = this.repos.repoPath(projectId);
    const entry = await this.lookup(repo, commit, path);
    if (entry.gitType !== 'tree') {
      throw new WorkspaceError('WRONG_TYPE', `${JSON.stringify(path)} is a file, not a directory`);
    }
    const raw = await this.lsTree(repo, entry.oid);
    const entries = raw
      .map(
        (e): TreeEntry => ({
          name: e.name,
          path: path === '' ? e.name : `${path}/${e.name}`,
          type: entryType(e),
          size: e.gitType === 'blob' ? e.size : null,
        }),
      )
      .sort((a, b) => {
        const dirFirst = Number(b.type === 'dir') - Number(a.type === 'dir');
        return dirFirst !== 0 ? dirFirst : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      });
    return {
      ref,
      commit,
      path,
      entries: entries.slice(0, MAX_TREE_ENTRIES),
      truncated: entries.length > MAX_TREE_ENTRIES,
    };
  }

  async file(projectId: string, requestedPath: string, ref = 'main'): Promise<FileBlob> {
    const path = normalizeRepoPath(requestedPath);
    if (path === '') throw badPath(requestedPath, 'must name a file');
    const commit = await this.resolve(projectId, ref);
    const repo = this.repos.repoPath(projectId);
    const entry = await this.lookup(repo, commit, path);
    if (entry.gitType === 'tree') {
      throw new WorkspaceError('WRONG_TYPE', `${JSON.stringify(path)} is a directory, not a file`);
    }
    if (entry.gitType !== 'blob') {
      throw new WorkspaceError('WRONG_TYPE', `${JSON.stringify(path)} is a submodule`);
    }
    const size = entry.size ?? 0;
    const base = { ref, commit, path, size, maxBytes: MAX_FILE_BYTES };
    const symlink = entry.mode === '120000';
    if (size > MAX_FILE_BYTES) {
      return { ...base, binary: false, tooLarge: true, symlink, content: null };
    }
    const bytes = await gitBuffer(
      NEUTRAL_CWD,
      [`--git-dir=${repo}`, 'cat-file', 'blob', entry.oid],
      {
        maxBuffer: MAX_FILE_BYTES + 1,
      },
    );
    const text = isTextual(bytes);
    return { ...base, binary: text === null, tooLarge: false, symlink, content: text };
  }

  /** Merge commits on main's first-parent line, newest first, with the files each changed. */
  async mergeHistory(
    projectId: string,
    page: { limit: number; offset: number },
  ): Promise<MergeHistory> {
    const main = await this.repos.mainCommit(projectId);
    const dir = `--git-dir=${this.repos.repoPath(projectId)}`;
    const limit = Math.max(1, Math.min(100, Math.floor(page.limit)));
    const offset = Math.max(0, Math.floor(page.offset));
    const total = Number(
      await git(NEUTRAL_CWD, [dir, 'rev-list', '--count', '--first-parent', '--merges', main]),
    );
    if (offset >= total) return { commit: main, total, items: [] };
    const out = await git(
      NEUTRAL_CWD,
      [
        dir,
        'log',
        '-z',
        '--first-parent',
        '--merges',
        '--diff-merges=first-parent',
        '--numstat',
        '-M',
        `--skip=${offset}`,
        `--max-count=${limit}`,
        `--format=${RS}%H${FS}%P${FS}%an${FS}%ae${FS}%cI${FS}%B${END_OF_MESSAGE}`,
        main,
        '--',
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const items = out
      .split(new RegExp(`${RS}(?=[0-9a-f]{40,64}${FS})`))
      .map((record) => (record === '' ? null : parseMerge(record)))
      .filter((m): m is MergeCommit => m !== null);
    return { commit: main, total, items };
  }

  /** A commit's changes against its first parent (or, for a root commit, everything in it). */
  async commitDiff(projectId: string, ref: string): Promise<{ commit: string; diff: string }> {
    const commit = await this.resolve(projectId, ref);
    const dir = `--git-dir=${this.repos.repoPath(projectId)}`;
    const [, firstParent] = (
      await git(NEUTRAL_CWD, [dir, 'rev-list', '--parents', '--max-count=1', commit])
    ).split(' ');
    const base =
      firstParent ?? (await git(NEUTRAL_CWD, [dir, 'hash-object', '-t', 'tree', '/dev/null']));
    const args = [dir, 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '-M', base, commit];
    try {
      const res = await gitTry(NEUTRAL_CWD, [...args, '--'], {
        maxBuffer: MAX_COMMIT_DIFF_BYTES,
      });
      if (res.exitCode !== 0) throw new GitCommandError(args, res.exitCode, res.stderr);
      return { commit, diff: res.stdout };
    } catch (err) {
      if (
        err instanceof GitCommandError &&
        err.exitCode === null &&
        /maxBuffer/i.test(err.message)
      ) {
        throw new WorkspaceError(
          'TOO_LARGE',
          `the diff of ${commit.slice(0, 12)} is over ${MAX_COMMIT_DIFF_BYTES / 1024 / 1024} MiB; download the archive instead`,
        );
      }
      throw err;
    }
  }

  /** The entry at `path` of a commit, found segment by segment; '' is the root tree. */
  private async lookup(repo: string, commit: string, path: string): Promise<RawEntry> {
    let current: RawEntry = { mode: '040000', gitType: 'tree', oid: commit, size: null, name: '' };
    if (path === '') return current;
    const segments = path.split('/');
    for (const [i, name] of segments.entries()) {
      if (current.gitType !== 'tree') break;
      const found = (await this.lsTree(repo, current.oid)).find((e) => e.name === name);
      if (!found) break;
      current = found;
      if (i === segments.length - 1) return current;
    }
    throw new WorkspaceError(
      'PATH_NOT_FOUND',
      `no file or directory ${JSON.stringify(path)} at ${commit.slice(0, 12)}`,
    );
  }

  private async lsTree(repo: string, treeish: string): Promise<RawEntry[]> {
    // treeish is a full object id we read from git itself, never a caller's text.
    const out = await gitTry(
      NEUTRAL_CWD,
      [`--git-dir=${repo}`, 'ls-tree', '-z', '--long', treeish],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    if (out.exitCode !== 0)
      throw new GitCommandError(['ls-tree', treeish], out.exitCode, out.stderr);
    return parseLsTree(out.stdout);
  }
}
