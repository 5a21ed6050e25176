import type { BoardQuery, BoardView } from '@autocoder/shared-contracts';
import { BoardChangeFeed, type BoardStamp } from '@autocoder/server-db';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { FeaturesService } from './features.service';

const gzip = promisify(gzipCallback);

/** Boards kept at most; a project's first pages and a few filters fit many times over. */
const MAX_ENTRIES = 256;
/** Bytes kept at most (JSON plus its gzip): a 10,000-feature board's first page is ~150 KB. */
const MAX_BYTES = 64 * 1024 * 1024;

/** A board answer ready to send: its JSON, a strong ETag of it, and its gzip once asked for. */
export interface BoardAnswer {
  json: Buffer;
  etag: string;
  gzipped(): Promise<Buffer>;
}

interface Entry {
  stamp: BoardStamp;
  answer: BoardAnswer;
  bytes: number;
}

interface Build {
  stamp: BoardStamp;
  answer: Promise<BoardAnswer>;
}

function sameStamp(a: BoardStamp, b: BoardStamp): boolean {
  return a.epoch === b.epoch && a.changes === b.changes;
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
 * The board, serialised, kept until the project's features change. A board is a function of
 * the project's Feature and FeatureDependency rows and the query; BoardChangeFeed tells when
 * those rows changed (a trigger NOTIFYs on commit), so a kept answer is served only while no
 * change was committed since it was read, and never when the feed is not listening. No time
 * limit: an answer is exactly as fresh as a query of the database would be.
 *
 * Why: the board of a 10,000-feature project costs the api ~13 ms of CPU and Postgres ~10 ms,
 * and the console of every person watching asks for it every two seconds while agents work
 * (docs/benchmarks.md, "Board API under load").
 */
@Injectable()
export class BoardAnswers implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  /** Answers being built, so that requests missing together share one build. */
  private readonly building = new Map<string, Build>();
  private bytes = 0;
  private readonly unsubscribe: () => void;
  /** Answers served from memory and built afresh, for the benchmark and metrics. */
  readonly counts = { kept: 0, built: 0 };

  constructor(
    private readonly features: FeaturesService,
    private readonly feed: BoardChangeFeed,
  ) {
    this.unsubscribe = feed.onReset(() => this.clear());
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  async board(projectId: string, query: BoardQuery): Promise<BoardAnswer> {
    const key = boardKey(projectId, query);
    const stamp = await this.feed.stamp(projectId);
    if (!stamp) return this.build(projectId, query, key, null);
    const entry = this.entries.get(key);
    if (entry && sameStamp(entry.stamp, stamp)) {
      // Most recently used last: the Map's order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.counts.kept++;
      return entry.answer;
    }
    // Requests that missed under the same stamp share one build: after a write, the dozens of
    // requests arriving while it is rebuilt would otherwise each rebuild it.
    const pending = this.building.get(key);
    if (pending && sameStamp(pending.stamp, stamp)) return pending.answer;
    const answer = this.build(projectId, query, key, stamp);
    const build = { stamp, answer };
    this.building.set(key, build);
    const done = () => {
      if (this.building.get(key) === build) this.building.delete(key);
    };
    answer.then(done, done);
    return answer;
  }

  private async build(
    projectId: string,
    query: BoardQuery,
    key: string,
    stamp: BoardStamp | null,
  ): Promise<BoardAnswer> {
    const view = await this.features.board(projectId, query);
    const answer = answerOf(view);
    this.counts.built++;
    // An empty board is not kept: a project without features can be deleted without a
    // notification, and its board must then answer 404.
    if (stamp && view.columns.some((column) => column.total > 0)) this.keep(key, stamp, answer);
    return answer;
  }

  private keep(key: string, stamp: BoardStamp, answer: BoardAnswer): void {
    this.forget(key);
    const bytes = answer.json.length * 2; // room for its gzip, which is smaller
    this.entries.set(key, { stamp, answer, bytes });
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

  private clear(): void {
    this.entries.clear();
    this.building.clear();
    this.bytes = 0;
  }
}
