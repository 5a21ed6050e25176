-- Full-text search over chat messages (GET /projects/:id/conversations/search).
-- A generated column keeps the document in step with `content` without application code or
-- triggers; 'english' stems words so "merging" finds "merged". The GIN index serves `@@`.
-- Prisma cannot express GENERATED columns: schema.prisma declares it Unsupported with the same
-- expression as a dbgenerated default, so later diffs see no change.
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED;

-- CreateIndex
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");
