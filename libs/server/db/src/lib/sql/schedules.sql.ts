// SQL of ScheduleRepository that Prisma cannot say. Positional parameters only.

/**
 * Takes the schedule lock of project $1 until the transaction ends.
 *
 * Why an advisory lock and not a row lock: the state it guards (the project's schedule state and
 * override in Setting) may not exist yet, and edges, control ticks and a person's start or stop
 * from any api or runner replica must take turns on one project and see each other's writes.
 * Transaction-scoped, so a crashed holder cannot leave it taken; hashtextextended maps the
 * `schedule:<project id>` key to the bigint the lock wants (the dispatcher's lock uses another
 * prefix, so they never collide by name).
 */
export const SCHEDULE_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))`;
