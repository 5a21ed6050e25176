-- A run's prompt-cache tokens beside its fresh input: with cache breakpoints on every turn most
-- of a session's prompt is read from cache (0.1× the input price) or written to it (1.25×), so
-- tokensIn alone no longer says what a run's prompts were. costUsd already prices all three.
ALTER TABLE "Run" ADD COLUMN "cacheReadTokens" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "cacheWriteTokens" INTEGER NOT NULL DEFAULT 0;
