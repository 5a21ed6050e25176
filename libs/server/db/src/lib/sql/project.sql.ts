// Locks of ProjectsRepository, kept as text so review reads them as SQL: Prisma has no row or
// advisory locks. Both live until the transaction ends.

/**
 * Locks project $1's row, serialising the writes that must see each other's result: dependency
 * edits (two could each pass the cycle check and together close a cycle), backlog writes and
 * priorities, starting the initializer. Returns the id, or no row when the project is missing.
 */
export const LOCK_PROJECT_SQL = `SELECT id FROM "Project" WHERE id = $1::uuid FOR UPDATE`;

/**
 * The dispatcher's lock for project $1: an advisory lock, not the row lock, so that dispatching
 * (from any api or runner replica) does not wait on edits of the project.
 */
export const LOCK_DISPATCH_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('dispatch:' || $1::text, 0))`;
