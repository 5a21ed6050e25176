import type { BoardQuery, BoardView } from '@autocoder/shared-contracts';
import { BoardChangeLog, snapshotXmin } from '@autocoder/server-db';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { FeaturesService } from './features.service';

const gzip = promisify(gzipCallback);

/** Boards kept at most; a project's first pages and a few filters fit many times over. */
const MAX_ENTRIES = 256;
/** Bytes kept at most (JSON plus its gzip): a 10,000-feature board's first page is ~150 KB. */
const MAX_BYTES = 64 * 1024 * 1024;
/**
 * How long an answer may be kept at all. Not a freshness limit (every use is checked against the
 * change log); it bounds which change rows an answer can still need, so older ones can go.
 */
export const BOARD_ANSWER_MAX_AGE_MS = 10 * 60_000;
/** How often the change log is pruned, and the xmin noted that later prunes go by. */
const PRUNE_EVERY_MS = 60_000;

/** A board answer ready to send: its JSON, a strong ETag of it, and its gzip once asked for. */
export interface BoardAnswer {
  json: Buffer;
  etag: string;
  gzipped(): Promise<Buffer>;
}

interface Entry {
  /** The snapshot the board was read under (or an earlier one: never a later one). */
  snapshot: string;
  builtAt: number;
  answer: BoardAnswer;
  bytes: number;
}

/** A build under way: the snapshot it reads under, known before its answer. */
interface Build {
  snapshot: Promise<string>;
  answer: Promise<BoardAnswer>;
}

/** The query fields a board depends on, in a fixed order (the key of a kept answer). */
export function boardKey(projectId: string, query: BoardQuery): string {
  return JSON.stringify([
    projectId,
    query.status ?? null,
    query.category || null,
    query.q || null,
    query.limit,
    query.offset,
  ]);
}

function answerOf(view: BoardView): BoardAnswer {
  const json = Buffer.from(JSON.stringify(view));
  let compressed: Promise<Buffer> | null = null;
  return {
    json,
    etag: `"${createHash('sha1').update(json).digest('base64url')}"`,
    gzipped: () => (compressed ??= gzip(json)),
  };
}

/**
 * The board, serialised and gzipped, kept while the project's features do not change. A board is
 * a function of the project's Feature and FeatureDependency rows and the query; every change to
 * them leaves a row in the change log (BoardChangeLog, migration board_changes), and a kept answer
 * is served only after the log says nothing changed that its snapshot did not see. So an answer
 * is never older than the database was when the request came in; no time limit is involved.
 *
 * Why: the board of a 10,000-feature project costs the api ~13 ms of CPU and Postgres ~10 ms,
 * and the console of every person watching asks for it every two seconds while agents work; the
 * check costs one index probe (docs/benchmarks.md, "Board API under load").
 */
@Injectable()
export class BoardAnswers implements OnModuleDestroy {
  private readonly logger = new Logger(BoardAnswers.name);
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  /** Per key, the build under way and the one queued behind it (see `rebuild`). */
  private readonly running = new Map<string, Build>();
  private readonly queued = new Map<string, Promise<BoardAnswer>>();
  /** (time, xmin) noted every PRUNE_EVERY_MS; a prune goes by one older than the max age. */
  private readonly marks: { at: number; xmin: bigint }[] = [];
  private pruneTimer: NodeJS.Timeout | null = null;
  /** Answers served from memory and built afresh (tests, the benchmark). */
  readonly counts = { kept: 0, built: 0 };

  constructor(
    private readonly features: FeaturesService,
    private readonly changes: BoardChangeLog,
  ) {}

  onModuleDestroy(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  async board(projectId: string, query: BoardQuery): Promise<BoardAnswer> {
    // Started on the first board asked for, so processes that serve none (the runner) never prune.
    this.pruneTimer ??= setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
    const key = boardKey(projectId, query);
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.builtAt < BOARD_ANSWER_MAX_AGE_MS) {
      if (!(await this.changes.changedSince(projectId, entry.snapshot))) {
        // Most recently used last: the Map's order is the eviction order.
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
          this.entries.set(key, entry);
        }
        this.counts.kept++;
        return entry.answer;
      }
    }
    return this.rebuild(projectId, query, key);
  }

  /**
   * An answer holding every change committed before this call. Requests that miss together share
   * builds: a request arriving while a build runs joins it when nothing was committed since that
   * build's snapshot (it then holds every write this request must see); otherwise it waits for the
   * next build, queued behind the running one and shared by all that arrive meanwhile. At most one
   * build runs and one waits per key, however many requests there are.
   */
  private async rebuild(projectId: string, query: BoardQuery, key: string): Promise<BoardAnswer> {
    const current = this.running.get(key);
    if (current) {
      const snapshot = await current.snapshot.catch(() => null);
      if (snapshot !== null && !(await this.changes.changedSince(projectId, snapshot)))
        return current.answer;
    }
    const waiting = this.queued.get(key);
    if (waiting) return waiting;
    const start = (): Promise<BoardAnswer> => {
      this.queued.delete(key);
      // Read before the board: a change committed in between is then seen by the next check
      // (one rebuild too many), never missed.
      const snapshot = this.changes.snapshot();
      const answer = snapshot.then((s) => this.build(projectId, query, key, s));
      const build: Build = { snapshot, answer };
      this.running.set(key, build);
      const done = () => {
        if (this.running.get(key) === build) this.running.delete(key);
      };
      answer.then(done, done);
      return answer;
    };
    const running = this.running.get(key);
    if (!running) return start();
    const next = running.answer.then(start, start);
    this.queued.set(key, next);
    return next;
  }

  private async build(
    projectId: string,
    query: BoardQuery,
    key: string,
    snapshot: string,
  ): Promise<BoardAnswer> {
    const view = await this.features.board(projectId, query);
    const answer = answerOf(view);
    this.counts.built++;
    // An empty board is not kept: a project without features is deleted without a change row,
    // and its board must then answer 404.
    if (view.columns.some((column) => column.total > 0)) this.keep(key, snapshot, answer);
    return answer;
  }

  private keep(key: string, snapshot: string, answer: BoardAnswer): void {
    this.forget(key);
    const bytes = answer.json.length * 2; // room for its gzip, which is smaller
    this.entries.set(key, { snapshot, builtAt: Date.now(), answer, bytes });
    this.bytes += bytes;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES && this.bytes <= MAX_BYTES) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  /**
   * Deletes change rows no kept answer can need, in any api replica. An answer lives at most
   * BOARD_ANSWER_MAX_AGE_MS, so its snapshot was taken after (now − max age); a transaction below
   * the xmin noted before that had finished by then, so every such snapshot sees it, and its row
   * can tell no answer anything.
   */
  async prune(now = Date.now()): Promise<void> {
    try {
      this.marks.push({ at: now, xmin: snapshotXmin(await this.changes.snapshot()) });
      const horizon = now - BOARD_ANSWER_MAX_AGE_MS - PRUNE_EVERY_MS;
      let usable: bigint | null = null;
      while (this.marks.length > 0 && this.marks[0].at <= horizon) {
        usable = this.marks[0].xmin;
        this.marks.shift();
      }
      if (usable !== null) await this.changes.pruneBefore(usable);
      for (const [key, entry] of this.entries)
        if (now - entry.builtAt >= BOARD_ANSWER_MAX_AGE_MS) this.forget(key);
    } catch (error) {
      this.logger.warn(`board change log not pruned: ${String(error)}`);
    }
  }
}
