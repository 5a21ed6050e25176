-- Full-text search over chat messages (GET /projects/:id/conversations/search).
-- A generated column keeps the document in step with `content` without application code;
-- 'english' stems words so "merging" finds "merged". The GIN index finds the rare words.
-- Prisma cannot express GENERATED columns: schema.prisma declares it Unsupported with the same
-- expression as a dbgenerated default, so later diffs see no change.
ALTER TABLE "Message" ADD COLUMN "searchVector" tsvector
  GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED;
CREATE INDEX "Message_searchVector_idx" ON "Message" USING GIN ("searchVector");

-- A common word matches a large share of the messages. Search ranks only the newest matches of
-- one project, which (projectId, createdAt DESC) serves by walking newest first and stopping
-- early; the project is copied onto each message (conversations never change project) so no
-- join is needed on that walk.
ALTER TABLE "Message" ADD COLUMN "projectId" UUID;
UPDATE "Message" m SET "projectId" = c."projectId" FROM "Conversation" c WHERE c.id = m."conversationId";
CREATE INDEX "Message_projectId_createdAt_idx" ON "Message" ("projectId", "createdAt" DESC);

CREATE FUNCTION message_project_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT "projectId" INTO NEW."projectId" FROM "Conversation" WHERE id = NEW."conversationId";
  RETURN NEW;
END $$;
CREATE TRIGGER message_project_id BEFORE INSERT OR UPDATE OF "conversationId" ON "Message"
  FOR EACH ROW EXECUTE FUNCTION message_project_id();
