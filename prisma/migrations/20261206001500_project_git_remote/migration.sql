-- A project's canonical repository may be its own remote (GitHub, GitLab, Gitea over https)
-- instead of the bundled git server. The credential is sealed (AES-256-GCM, SECRETS_KEY): the
-- table never holds it in clear.
ALTER TABLE "Project" ADD COLUMN "gitRemoteUrl" TEXT,
ADD COLUMN "gitRemoteUsername" TEXT,
ADD COLUMN "gitRemoteCredential" TEXT,
ADD COLUMN "gitRemoteUpdatedAt" TIMESTAMP(3);
