import { ProjectsService } from '@autocoder/server-backlog';
import { PrismaService } from '@autocoder/server-db';
import type {
  ConversationKind,
  ConversationSearchHitView,
  MessageRole,
  Page,
  SearchConversationsQuery,
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
 * Full-text search over a project's chat messages: Postgres' own text search (the generated
 * `Message.searchVector` column with its GIN index, migration conversation_search), ranked with
 * ts_rank_cd (matched words close together rank higher), newest first among equals.
 * `websearch_to_tsquery` parses any text a person types without raising syntax errors.
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
  ): Promise<Page<ConversationSearchHitView>> {
    await this.projects.require(projectId);
    const kind = query.kind ?? null;
    // The page is ranked first and only its rows get a headline: ts_headline re-parses the
    // text, far dearer than ranking the stored vectors.
    const [rows, counted] = await Promise.all([
      this.prisma.$queryRaw<HitRow[]>`
        WITH q AS (SELECT websearch_to_tsquery('english', ${query.q}) AS query),
        page AS (
          SELECT m.id, m."conversationId", m.role, m."createdAt", m.content,
                 ts_rank_cd(m."searchVector", q.query)::float8 AS rank
          FROM "Message" m
          JOIN "Conversation" c ON c.id = m."conversationId"
          CROSS JOIN q
          WHERE c."projectId" = ${projectId}::uuid
            AND m."searchVector" @@ q.query
            AND (${kind}::text IS NULL OR c.kind::text = ${kind}::text)
          ORDER BY rank DESC, m."createdAt" DESC, m.id
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
        SELECT count(*) AS total
        FROM "Message" m
        JOIN "Conversation" c ON c.id = m."conversationId"
        WHERE c."projectId" = ${projectId}::uuid
          AND m."searchVector" @@ websearch_to_tsquery('english', ${query.q})
          AND (${kind}::text IS NULL OR c.kind::text = ${kind}::text)`,
    ]);
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
      total: Number(counted[0]?.total ?? 0),
      limit: query.limit,
      offset: query.offset,
    };
  }
}
