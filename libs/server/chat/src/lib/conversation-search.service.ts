import { ProjectsService } from '@autocoder/server-backlog';
import { PrismaService } from '@autocoder/server-db';
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
    const [rows, counted] = await Promise.all([
      this.prisma.$queryRaw<HitRow[]>`
        WITH q AS (SELECT websearch_to_tsquery('english', ${query.q}) AS query),
        recent AS (
          SELECT m.id, m."conversationId", m.role, m."createdAt", m.content, m."searchVector"
          FROM "Message" m CROSS JOIN q
          WHERE m."projectId" = ${projectId}::uuid
            AND m."searchVector" @@ q.query
            AND (${kind}::text IS NULL OR EXISTS (
              SELECT 1 FROM "Conversation" c
              WHERE c.id = m."conversationId" AND c.kind::text = ${kind}::text))
          ORDER BY m."createdAt" DESC
          LIMIT ${CONVERSATION_SEARCH_WINDOW}
        ),
        page AS (
          SELECT r.id, r."conversationId", r.role, r."createdAt", r.content,
                 ts_rank_cd(r."searchVector", q.query)::float8 AS rank
          FROM recent r CROSS JOIN q
          ORDER BY rank DESC, r."createdAt" DESC, r.id
          LIMIT ${query.limit} OFFSET ${query.offset}
        )
        SELECT p.id AS "messageId", p."conversationId", c.title, c.kind::text AS kind,
               p.role::text AS role, p."createdAt", p.rank,
               ts_headline('english', translate(p.content, ${START + STOP}, ''), q.query,
                           ${HEADLINE_OPTIONS}) AS headline
        FROM page p
        JOIN "Conversation" c ON c.id = p."conversationId"
        CROSS JOIN q
        ORDER BY p.rank DESC, p."createdAt" DESC, p.id`,
      this.prisma.$queryRaw<{ total: bigint }[]>`
        SELECT count(*) AS total FROM (
          SELECT 1 FROM "Message" m
          WHERE m."projectId" = ${projectId}::uuid
            AND m."searchVector" @@ websearch_to_tsquery('english', ${query.q})
            AND (${kind}::text IS NULL OR EXISTS (
              SELECT 1 FROM "Conversation" c
              WHERE c.id = m."conversationId" AND c.kind::text = ${kind}::text))
          LIMIT ${CONVERSATION_SEARCH_WINDOW + 1}
        ) window_`,
    ]);
    const total = Number(counted[0]?.total ?? 0);
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
}
