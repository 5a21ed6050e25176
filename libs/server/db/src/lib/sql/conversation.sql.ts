// Full-text search over a project's chat messages with Postgres' own text search (the generated
// `Message.searchVector` column, migration conversation_search). `websearch_to_tsquery` parses
// any text a person types without raising syntax errors.
//
// A common word can match most of a project's messages, and ranking reads every match. So only
// the newest CONVERSATION_SEARCH_WINDOW matches are ranked and counted: Postgres either walks
// (projectId, createdAt DESC) newest first and stops at the window (common words), or takes the
// few matches from the GIN index and sorts them (rare words); the planner picks by the word's
// frequency. Ranked with ts_rank_cd (matched words close together rank higher), newest first
// among equals; only the returned page gets a headline, since ts_headline re-parses the text.
import { CONVERSATION_SEARCH_WINDOW } from '@autocoder/shared-contracts';
import { Prisma } from '../../generated/prisma/client';

/** Marks ts_headline puts around matched words; stripped from the text first, so unambiguous. */
export const HEADLINE_START = '\u0001';
export const HEADLINE_STOP = '\u0002';
const HEADLINE_OPTIONS = `StartSel="${HEADLINE_START}", StopSel="${HEADLINE_STOP}", MaxWords=40, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

// The text is written into each condition rather than shared through a CTE, so the planner sees
// it and estimates how many messages match (that choice is the whole point).
const matching = (projectId: string, q: string, kind: string | null) => Prisma.sql`
  m."projectId" = ${projectId}::uuid
  AND m."searchVector" @@ websearch_to_tsquery('english', ${q})
  AND (${kind}::text IS NULL OR EXISTS (
    SELECT 1 FROM "Conversation" c
    WHERE c.id = m."conversationId" AND c.kind::text = ${kind}::text))`;

/**
 * A page of hits, each with the number of matches in the window. A phrase is the exception to the
 * rule above: Postgres estimates it as all of its words anywhere, so for "dark theme" it expects
 * thousands of matches, walks the project newest first and reads every message to find a
 * hundred. The phrase's matches are then taken whole from the GIN index first (a materialised
 * CTE), and only they are sorted.
 */
export const searchHitsSql = (
  projectId: string,
  q: string,
  kind: string | null,
  offset: number,
  limit: number,
) => Prisma.sql`
WITH found AS ${Prisma.raw(q.includes('"') ? 'MATERIALIZED' : 'NOT MATERIALIZED')} (
  SELECT m.id, m."conversationId", m.role, m."createdAt", m.content, m."searchVector"
  FROM "Message" m
  WHERE ${matching(projectId, q, kind)}
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
         ts_rank_cd(n."searchVector", websearch_to_tsquery('english', ${q}))::float8 AS rank
  FROM numbered n
  WHERE n.n <= ${CONVERSATION_SEARCH_WINDOW}
  ORDER BY rank DESC, n."createdAt" DESC, n.id
  LIMIT ${limit} OFFSET ${offset}
)
SELECT p.id AS "messageId", p."conversationId", c.title, c.kind::text AS kind,
       p.role::text AS role, p."createdAt", p.rank, p.matches,
       ts_headline('english', translate(p.content, ${HEADLINE_START + HEADLINE_STOP}, ''),
                   websearch_to_tsquery('english', ${q}), ${HEADLINE_OPTIONS}) AS headline
FROM page p
JOIN "Conversation" c ON c.id = p."conversationId"
ORDER BY p.rank DESC, p."createdAt" DESC, p.id`;

/** Matches in the window alone, for a page past the end. */
export const searchTotalSql = (projectId: string, q: string, kind: string | null) => Prisma.sql`
SELECT count(*) AS total FROM (
  SELECT 1 FROM "Message" m WHERE ${matching(projectId, q, kind)}
  LIMIT ${CONVERSATION_SEARCH_WINDOW + 1}
) window_`;
