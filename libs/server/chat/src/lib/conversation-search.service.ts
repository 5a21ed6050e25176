import { ProjectsService } from '@autocoder/server-projects';
import { Prisma, PrismaService } from '@autocoder/server-db';
import {
  CONVERSATION_SEARCH_WINDOW,
  type ConversationKind,
  type ConversationSearchView,
  type MessageRole,
  type SearchConversationsQuery,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

/** Marks ts_headline puts around matched words; stripped from the text first, so unambiguous. */
const START = '\u0001';
const STOP = '\u0002';
const HEADLINE_OPTIONS = `StartSel="${START}", StopSel="${STOP}", MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

interface HitRow {
  messageId: string;
  conversationId: string;
  title: string;
  kind: ConversationKind;
  role: MessageRole;
  createdAt: Date;
  rank: number;
  /** Matches in the search window (at most CONVERSATION_SEARCH_WINDOW + 1). */
  matches: bigint;
  headline: string;
}

/** Splits a headline with START/STOP marks into plain text and the marked ranges. */
export function parseHeadline(headline: string): {
  snippet: string;
  highlights: [number, number][];
} {
  let snippet = '';
  const highlights: [number, number][] = [];
  let open: number | null = null;
  for (const ch of headline) {
    if (ch === START) open = snippet.length;
    else if (ch === STOP) {
      if (open !== null && snippet.length > open) highlights.push([open, snippet.length]);
      open = null;
    } else snippet += ch;
  }
  return { snippet, highlights };
}

/**
 * Full-text search over a project's chat messages with Postgres' own text search (the generated
 * `Message.searchVector` column, migration conversation_search). `websearch_to_tsquery` parses
 * any text a person types without raising syntax errors.
 *
 * A common word can match most of a project's messages, and ranking reads every match. So only
 * the newest CONVERSATION_SEARCH_WINDOW matches are ranked and counted: Postgres either walks
 * (projectId, createdAt DESC) newest first and stops at the window (common words), or takes the
 * few matches from the GIN index and sorts them (rare words); the planner picks by the word's
 * frequency. Ranked with ts_rank_cd (matched words close together rank higher), newest first
 * among equals; only the returned page gets a headline, since ts_headline re-parses the text.
 */
@Injectable()
export class ConversationSearchService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
  ) {}

  async search(
    projectId: string,
    query: SearchConversationsQuery,
  ): Promise<ConversationSearchView> {
    await this.projects.require(projectId);
    const kind = query.kind ?? null;
    // The text is written into each condition rather than shared through a CTE, so the planner
    // sees it and estimates how many messages match (that choice is the whole point). A phrase
    // is the exception: Postgres estimates it as all of its words anywhere, so for "dark theme"
    // it expects thousands of matches, walks the project newest first and reads every message
    // to find a hundred. The phrase's matches are then taken whole from the GIN index first
    // (a materialised CTE), and only they are sorted.
    const phrase = query.q.includes('"');
    const rows = await this.prisma.$queryRaw<HitRow[]>`
      WITH found AS ${Prisma.raw(phrase ? 'MATERIALIZED' : 'NOT MATERIALIZED')} (
        SELECT m.id, m."conversationId", m.role, m."createdAt", m.content, m."searchVector"
        FROM "Message" m
        WHERE m."projectId" = ${projectId}::uuid
          AND m."searchVector" @@ websearch_to_tsquery('english', ${query.q})
          AND (${kind}::text IS NULL OR EXISTS (
            SELECT 1 FROM "Conversation" c
            WHERE c.id = m."conversationId" AND c.kind::text = ${kind}::text))
      ),
      recent AS (
        SELECT * FROM found
        ORDER BY "createdAt" DESC
        LIMIT ${CONVERSATION_SEARCH_WINDOW + 1}
      ),
      numbered AS (
        SELECT r.*, count(*) OVER () AS matches,
               row_number() OVER (ORDER BY r."createdAt" DESC, r.id) AS n
        FROM recent r
      ),
      page AS (
        SELECT n.id, n."conversationId", n.role, n."createdAt", n.content, n.matches,
               ts_rank_cd(n."searchVector", websearch_to_tsquery('english', ${query.q}))::float8 AS rank
        FROM numbered n
        WHERE n.n <= ${CONVERSATION_SEARCH_WINDOW}
        ORDER BY rank DESC, n."createdAt" DESC, n.id
        LIMIT ${query.limit} OFFSET ${query.offset}
      )
      SELECT p.id AS "messageId", p."conversationId", c.title, c.kind::text AS kind,
             p.role::text AS role, p."createdAt", p.rank, p.matches,
             ts_headline('english', translate(p.content, ${START + STOP}, ''),
                         websearch_to_tsquery('english', ${query.q}), ${HEADLINE_OPTIONS}) AS headline
      FROM page p
      JOIN "Conversation" c ON c.id = p."conversationId"
      ORDER BY p.rank DESC, p."createdAt" DESC, p.id`;
    // A page past the end has no rows to carry the count: ask for it alone (rare).
    const total =
      rows.length > 0
        ? Number(rows[0].matches)
        : query.offset === 0
          ? 0
          : await this.countMatches(projectId, query.q, kind);
    return {
      items: rows.map((r) => ({
        conversationId: r.conversationId,
        conversationTitle: r.title,
        kind: r.kind,
        messageId: r.messageId,
        role: r.role,
        createdAt: r.createdAt.toISOString(),
        rank: Math.round(r.rank * 10_000) / 10_000,
        ...parseHeadline(r.headline),
      })),
      total: Math.min(total, CONVERSATION_SEARCH_WINDOW),
      capped: total > CONVERSATION_SEARCH_WINDOW,
      limit: query.limit,
      offset: query.offset,
    };
  }

  private async countMatches(projectId: string, q: string, kind: string | null): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ total: bigint }[]>`
      SELECT count(*) AS total FROM (
        SELECT 1 FROM "Message" m
        WHERE m."projectId" = ${projectId}::uuid
          AND m."searchVector" @@ websearch_to_tsquery('english', ${q})
          AND (${kind}::text IS NULL OR EXISTS (
            SELECT 1 FROM "Conversation" c
            WHERE c.id = m."conversationId" AND c.kind::text = ${kind}::text))
        LIMIT ${CONVERSATION_SEARCH_WINDOW + 1}
      ) window_`;
    return Number(row?.total ?? 0);
  }
}
