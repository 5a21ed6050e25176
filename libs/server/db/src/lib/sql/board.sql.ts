// SQL of FeatureBoardRepository: a project's board (features by status, each column paged and
// filtered alike) in one statement, where it took sixteen Prisma queries (a page, a count and the
// page's dependencies per column, and the project) and ~32 ms of the api's CPU per board of a
// 10,000-feature project. bench/board-api.mjs measures it at 200 requests/s. Positional
// parameters only, no string building.
//
// Filters: $1 project, $2 the columns (FeatureStatus[], in board order), $3 category or null,
// $4 a text pattern for ILIKE ('%…%', the wildcards of the person's text escaped) or null.
// Postgres plans this unnamed statement with its values, so a null filter costs nothing.
//
// Text: "name" or "description" ILIKE the pattern, as Prisma's `contains` (mode insensitive)
// did. Without an index that is a scan of every feature of the project, twice per column; the
// trigram indexes of migration board_text_search (pg_trgm, GIN) turn it into a bitmap of the
// features holding the text's trigrams, and ILIKE only rechecks those.

/** The columns of $2 in board order, and the numbers of their places. */
const COLUMNS = `WITH "columns" AS (
  SELECT s."status", s."ord"
  FROM unnest($2::"FeatureStatus"[]) WITH ORDINALITY AS s("status", "ord")
)`;

/**
 * A board row per column and feature of its page: the column, its total (from "totals") and the
 * feature f of the LATERAL page that follows, with "boardDependencies".
 */
const BOARD_ROWS = `SELECT c."status" AS "boardColumn",
       COALESCE(n."total", 0) AS "boardTotal",
       f.*,
       CASE WHEN f."id" IS NULL THEN NULL ELSE COALESCE((
         SELECT json_agg(json_build_object('id', d."id", 'status', d."status") ORDER BY e."createdAt", d."id")
         FROM "FeatureDependency" e
         JOIN "Feature" d ON d."id" = e."dependsOnId"
         WHERE e."featureId" = f."id"
       ), '[]'::json) END AS "boardDependencies"
FROM "columns" c
LEFT JOIN "totals" n ON n."status" = c."status"
LEFT JOIN LATERAL (`;

/**
 * Every column of $2, in order, with its total (features matching the filters) and one page:
 * the matching features in board order (priority, then creation, then id), $5 of them after
 * skipping $6, each with the features it depends on as "boardDependencies" (json
 * [{id, status}], in the order they were added) for its blocked mark. A column whose page is
 * empty is one row with only "boardColumn" and "boardTotal" (its feature columns null).
 *
 * Totals: one pass over "Feature_projectId_status_priority_idx" (index only), or over the
 * trigram bitmap with a text filter. Pages: per column, one walk of the same index in priority
 * order that stops when the page is full. One statement, so totals and pages are one snapshot.
 */
export const BOARD_SQL = `
${COLUMNS}, "totals" AS (
  SELECT t."status", count(*)::int AS "total"
  FROM "Feature" t
  WHERE t."projectId" = $1::uuid
    AND t."status" = ANY ($2::"FeatureStatus"[])
    AND ($3::text IS NULL OR t."category" = $3::text)
    AND ($4::text IS NULL OR t."name" ILIKE $4::text OR t."description" ILIKE $4::text)
  GROUP BY t."status"
)
${BOARD_ROWS}
  SELECT *
  FROM "Feature" x
  WHERE x."projectId" = $1::uuid
    AND x."status" = c."status"
    AND ($3::text IS NULL OR x."category" = $3::text)
    AND ($4::text IS NULL OR x."name" ILIKE $4::text OR x."description" ILIKE $4::text)
  ORDER BY x."priority", x."createdAt", x."id"
  LIMIT $5::int OFFSET $6::int
) f ON true
ORDER BY c."ord", f."priority", f."createdAt", f."id"`;

/**
 * BOARD_SQL with a text filter ($4 not null), same parameters and rows. The text is matched once:
 * the features of the project holding it (the trigram indexes' bitmap, then ILIKE's recheck) are
 * read into a CTE, and the totals and every column's page are taken from those rows. BOARD_SQL
 * would recheck the text per column, walking each column's index in priority order until its page
 * is full, ~75 ms for a common word on 10,000 features; a filtered board is rebuilt after each
 * write to the project (BoardAnswers), so that cost is paid often while agents work.
 */
export const BOARD_TEXT_SQL = `
${COLUMNS}, "matched" AS MATERIALIZED (
  SELECT t.*
  FROM "Feature" t
  WHERE t."projectId" = $1::uuid
    AND t."status" = ANY ($2::"FeatureStatus"[])
    AND ($3::text IS NULL OR t."category" = $3::text)
    AND (t."name" ILIKE $4::text OR t."description" ILIKE $4::text)
), "totals" AS (
  SELECT m."status", count(*)::int AS "total" FROM "matched" m GROUP BY m."status"
)
${BOARD_ROWS}
  SELECT *
  FROM "matched" x
  WHERE x."status" = c."status"
  ORDER BY x."priority", x."createdAt", x."id"
  LIMIT $5::int OFFSET $6::int
) f ON true
ORDER BY c."ord", f."priority", f."createdAt", f."id"`;
