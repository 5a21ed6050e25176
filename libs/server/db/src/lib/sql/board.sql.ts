// SQL of FeatureBoardRepository: a project's board (features by status, each column paged and
// filtered alike) in two statements that run side by side, where it took sixteen Prisma queries
// (a page, a count and the page's dependencies per column, and the project). bench/board-api.mjs measures it at 200 requests/s on a
// 10,000-feature project. Positional parameters only, no string building.
//
// Shared filters: $1 project, $2 the columns (FeatureStatus[]), $3 category or null, $4 a text
// pattern for ILIKE ('%…%', wildcards in the person's text escaped) or null. Postgres plans
// these unnamed statements with their values, so a null filter costs nothing.
//
// Text: "name" or "description" ILIKE the pattern, as Prisma's `contains` (mode insensitive)
// did. Without an index that is a scan of every feature of the project, twice per column; the
// trigram indexes of migration board_text_search (pg_trgm, GIN) turn it into a bitmap of the
// features holding the text's trigrams, and ILIKE only rechecks those.

/**
 * Features per column matching the filters: rows (status, total). A column without any is
 * missing. Without a text filter this reads "Feature_projectId_status_priority_idx" only.
 */
export const BOARD_COUNTS_SQL = `
SELECT f."status", count(*)::int AS "total"
FROM "Feature" f
WHERE f."projectId" = $1::uuid
  AND f."status" = ANY ($2::"FeatureStatus"[])
  AND ($3::text IS NULL OR f."category" = $3::text)
  AND ($4::text IS NULL OR f."name" ILIKE $4::text OR f."description" ILIKE $4::text)
GROUP BY f."status"`;

/**
 * One page of every column: for each status of $2, the features matching the filters in board
 * order (priority, then creation, then id), $5 of them after skipping $6. Each column is one
 * walk of "Feature_projectId_status_priority_idx" that stops once its page is full. Rows come
 * column by column, in board order within a column, each with the features it depends on as
 * "boardDependencies" (json: [{id, status}] in the order they were added), which a card needs
 * for its blocked mark.
 */
export const BOARD_PAGE_SQL = `
SELECT f.*,
       COALESCE((
         SELECT json_agg(json_build_object('id', d."id", 'status', d."status") ORDER BY e."createdAt", d."id")
         FROM "FeatureDependency" e
         JOIN "Feature" d ON d."id" = e."dependsOnId"
         WHERE e."featureId" = f."id"
       ), '[]'::json) AS "boardDependencies"
FROM unnest($2::"FeatureStatus"[]) WITH ORDINALITY AS c("status", "column")
CROSS JOIN LATERAL (
  SELECT *
  FROM "Feature" x
  WHERE x."projectId" = $1::uuid
    AND x."status" = c."status"
    AND ($3::text IS NULL OR x."category" = $3::text)
    AND ($4::text IS NULL OR x."name" ILIKE $4::text OR x."description" ILIKE $4::text)
  ORDER BY x."priority", x."createdAt", x."id"
  LIMIT $5::int OFFSET $6::int
) f
ORDER BY c."column", f."priority", f."createdAt", f."id"`;
