import type { IntegrationTree, OpenIntegrationTree, TreeVerification } from '../integration-tree';

/** A fake commit: its parents and the request commits (branch tips) merged into it, in order. */
interface FakeCommit {
  parents: string[];
  merged: string[];
  message: string;
}

export interface FakeRemoteOptions {
  /** Branch tips whose presence makes verification fail. */
  bad?: Iterable<string>;
  /** Files `commit` conflicts on when merged onto a chain holding `merged`; null: clean. */
  conflict?: (merged: readonly string[], commit: string) => string[] | null;
  /** Runs inside every verification (slow verifications, blocking, bookkeeping). */
  onVerify?: (commit: string, merged: readonly string[]) => Promise<void>;
  /** Runs before every publish's CAS (e.g. someone else moves main). */
  onPublish?: () => void;
  /** Runs after a successful publish moved main, before publish returns. */
  afterPublish?: (main: string) => Promise<void>;
}

/**
 * A git remote as a pure chain model for merge-queue tests: a commit is the list of request
 * commits merged into it; verification fails when a "bad" one is in the list; main moves only by
 * CAS. Trees opened from it share it, like runners sharing one git server.
 */
export class FakeRemote {
  main = 'root';
  readonly commits = new Map<string, FakeCommit>([
    ['root', { parents: [], merged: [], message: 'root' }],
  ]);
  readonly bad: Set<string>;
  /** Every verification: the commit's merged list. */
  readonly verified: string[][] = [];
  /** Every successful publish: the commit main moved to. */
  readonly published: string[] = [];
  publishAttempts = 0;
  openTrees = 0;
  maxOpenTrees = 0;
  private next = 1;

  constructor(private readonly options: FakeRemoteOptions = {}) {
    this.bad = new Set(options.bad ?? []);
  }

  /** The request commits on main, in merge order. */
  mainMerged(): string[] {
    return this.mergedOf(this.main);
  }

  mergedOf(commit: string): string[] {
    const found = this.commits.get(commit);
    if (!found) throw new Error(`unknown commit ${commit}`);
    return found.merged;
  }

  messageOf(commit: string): string {
    return this.commits.get(commit)?.message ?? '';
  }

  /** Moves main as a push from outside the queue would. */
  pushOutside(commitName: string): string {
    this.main = this.commitOnto(this.main, commitName, `outside ${commitName}`);
    return this.main;
  }

  private commitOnto(onto: string, commit: string, message: string): string {
    const id = `m${this.next++}`;
    this.commits.set(id, { parents: [onto], merged: [...this.mergedOf(onto), commit], message });
    return id;
  }

  reachableFromMain(commit: string): boolean {
    const todo = [this.main];
    const seen = new Set<string>();
    while (todo.length > 0) {
      const at = todo.pop() as string;
      if (at === commit) return true;
      if (seen.has(at)) continue;
      seen.add(at);
      todo.push(...(this.commits.get(at)?.parents ?? []));
    }
    return false;
  }

  readonly open: OpenIntegrationTree = async () => {
    this.openTrees++;
    this.maxOpenTrees = Math.max(this.maxOpenTrees, this.openTrees);
    let closed = false;
    const tree: IntegrationTree = {
      base: this.main,
      merge: async (onto, commit, message) => {
        const merged = this.mergedOf(onto);
        if (merged.includes(commit)) return { commit: onto };
        const files = this.options.conflict?.(merged, commit) ?? null;
        if (files) return { conflict: files };
        return { commit: this.commitOnto(onto, commit, message) };
      },
      verify: async (commit): Promise<TreeVerification> => {
        const merged = this.mergedOf(commit);
        this.verified.push(merged);
        await this.options.onVerify?.(commit, merged);
        const broken = merged.filter((c) => this.bad.has(c));
        return broken.length === 0
          ? { ok: true, output: 'all good', exitCode: 0, timedOut: false }
          : { ok: false, output: `tests fail: ${broken.join(', ')}`, exitCode: 1, timedOut: false };
      },
      publish: async (expected, next) => {
        this.publishAttempts++;
        this.options.onPublish?.();
        if (this.main !== expected) return 'moved';
        this.main = next;
        this.published.push(next);
        await this.options.afterPublish?.(next);
        return 'published';
      },
      onMain: async (commit) => this.reachableFromMain(commit),
      close: async () => {
        if (closed) return;
        closed = true;
        this.openTrees--;
      },
    };
    return tree;
  };
}
