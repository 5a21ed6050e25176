-- The board's text filter (GET /api/v1/projects/:id/board?q=…) is "name" or "description" ILIKE
-- '%text%' (libs/server/db/src/lib/sql/board.sql.ts). A B-tree cannot serve a pattern with a
-- leading wildcard, so every filtered board read each feature of the project: ~110 ms on 10,000
-- features. Trigram indexes find the features holding the text's trigrams (texts of 3 letters or
-- more), and ILIKE rechecks only those. pg_trgm ships with Postgres and is a trusted extension
-- (no superuser needed). Written by hand: the Prisma schema cannot declare these indexes without
-- a preview feature, so they live here, like "Feature_claimable_idx".
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "Feature_name_trgm_idx" ON "Feature" USING gin ("name" gin_trgm_ops);
CREATE INDEX "Feature_description_trgm_idx" ON "Feature" USING gin ("description" gin_trgm_ops);
