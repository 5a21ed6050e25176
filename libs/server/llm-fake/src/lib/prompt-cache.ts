// Prompt caching as the providers bill it, so the cost of a conversation can be measured offline.
// A prompt is a list of pieces in the provider's order (Anthropic: tools, system, message blocks;
// Gemini: system and tools, then contents); each piece's prefix is identified by a chained hash.
import { createHash } from 'node:crypto';
import { estimateTokens } from './scenario-player';

/** One piece of a prompt: its canonical text (cache markers removed) and whether it ends a breakpoint. */
export interface PromptPiece {
  text: string;
  breakpoint: boolean;
}

/** The prompt up to and including one piece. */
export interface PrefixMark {
  hash: string;
  tokens: number;
  breakpoint: boolean;
}

export function prefixMarks(pieces: readonly PromptPiece[]): PrefixMark[] {
  let hash = '';
  let chars = 0;
  return pieces.map((piece) => {
    hash = createHash('sha256').update(hash).update('\u0000').update(piece.text).digest('hex');
    chars += piece.text.length;
    return { hash, tokens: estimateTokens(chars), breakpoint: piece.breakpoint };
  });
}

export interface CacheUsage {
  readTokens: number;
  writeTokens: number;
}

export interface PromptCacheOptions {
  /** How long a prefix stays cached after it was last written or read (Anthropic: 5 minutes). */
  ttlMs?: number;
  /** Shorter prefixes are never cached (Anthropic's minimum for Sonnet and Opus: 1024 tokens). */
  minTokens?: number;
  now?: () => number;
}

/** Bounds the fake's memory on a long demo run; the least recently used prefixes go first. */
const MAX_ENTRIES = 100_000;

export class PromptCache {
  /** Prefix hash → expiry time. Map order is last use: a hit moves the entry to the end. */
  private readonly expiries = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly minTokens: number;
  private readonly now: () => number;

  constructor(options: PromptCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.minTokens = options.minTokens ?? 1024;
    this.now = options.now ?? Date.now;
  }

  clear(): void {
    this.expiries.clear();
  }

  /**
   * Anthropic's explicit caching: the longest prefix cached at one of the request's breakpoints
   * is read; from there to the last breakpoint is written; both stay cached for another TTL.
   */
  explicit(marks: readonly PrefixMark[]): CacheUsage {
    return this.lookUp(marks.filter((m) => m.breakpoint));
  }

  /** Gemini's implicit caching: the longest prefix seen before (at a content boundary) is read. */
  implicit(marks: readonly PrefixMark[]): number {
    return this.lookUp(marks).readTokens;
  }

  private lookUp(candidates: readonly PrefixMark[]): CacheUsage {
    const now = this.now();
    const cacheable = candidates.filter((m) => m.tokens >= this.minTokens);
    let readTokens = 0;
    for (const mark of cacheable) {
      const expiry = this.expiries.get(mark.hash);
      if (expiry !== undefined && expiry > now) readTokens = Math.max(readTokens, mark.tokens);
    }
    const last = cacheable.at(-1);
    for (const mark of cacheable) {
      this.expiries.delete(mark.hash);
      this.expiries.set(mark.hash, now + this.ttlMs);
    }
    for (const hash of this.expiries.keys()) {
      if (this.expiries.size <= MAX_ENTRIES) break;
      this.expiries.delete(hash);
    }
    return { readTokens, writeTokens: last ? Math.max(0, last.tokens - readTokens) : 0 };
  }
}
