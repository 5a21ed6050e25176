// The changes bull-board's JSON API can make, each with the audit action it records. A change
// not in this table is refused (403) rather than made unaudited: a newer bull-board with a new
// route needs an entry here first.

/** What one change of the queue view is about, for its audit row. */
export interface BoardChange {
  action: string;
  /** The queue's name, or null for a change of every queue (pause all, resume all). */
  queue: string | null;
  jobId?: string;
  /** The job state a bulk change applied to (retry failed, clean completed…). */
  status?: string;
  schedulerId?: string;
}

interface ChangeRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  action: string;
}

const Q = '(?<queue>[^/]+)';
const JOB = '(?<jobId>[^/]+)';
const STATUS = '(?<status>[^/]+)';
const SCHEDULER = '(?<schedulerId>[^/]+)';

const route = (method: ChangeRoute['method'], path: string, action: string): ChangeRoute => ({
  method,
  pattern: new RegExp(`^/api/queues${path}/?$`),
  action,
});

/** bull-board 9's changing routes (its routes.js), most specific first. */
const CHANGE_ROUTES: readonly ChangeRoute[] = [
  route('PUT', '/pause', 'queue.all_paused'),
  route('PUT', '/resume', 'queue.all_resumed'),
  route('POST', `/${Q}/add`, 'queue.job_added'),
  route('PUT', `/${Q}/retry/${STATUS}`, 'queue.jobs_retried'),
  route('PUT', `/${Q}/promote`, 'queue.jobs_promoted'),
  route('PUT', `/${Q}/clean/${STATUS}`, 'queue.cleaned'),
  route('PUT', `/${Q}/pause`, 'queue.paused'),
  route('PUT', `/${Q}/resume`, 'queue.resumed'),
  route('PUT', `/${Q}/concurrency`, 'queue.concurrency_set'),
  route('PUT', `/${Q}/rate-limit/release`, 'queue.rate_limit_released'),
  route('PUT', `/${Q}/rate-limit`, 'queue.rate_limit_set'),
  route('PUT', `/${Q}/empty`, 'queue.emptied'),
  route('PUT', `/${Q}/obliterate`, 'queue.obliterated'),
  route('PUT', `/${Q}/job-schedulers/${SCHEDULER}/remove`, 'queue.scheduler_removed'),
  route('PUT', `/${Q}/job-schedulers/${SCHEDULER}/run`, 'queue.scheduler_run'),
  route('PATCH', `/${Q}/job-schedulers/${SCHEDULER}`, 'queue.scheduler_updated'),
  route('PUT', `/${Q}/${JOB}/retry`, 'queue.job_retried'),
  route('PUT', `/${Q}/${JOB}/clean`, 'queue.job_removed'),
  route('PUT', `/${Q}/${JOB}/promote`, 'queue.job_promoted'),
  route('PUT', `/${Q}/${JOB}/remove-unprocessed-children`, 'queue.job_children_removed'),
  route('PATCH', `/${Q}/${JOB}/update-data`, 'queue.job_data_updated'),
  route('PATCH', `/${Q}/${JOB}/delay`, 'queue.job_delay_changed'),
  route('PATCH', `/${Q}/${JOB}/priority`, 'queue.job_priority_changed'),
];

function decoded(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The change a request to bull-board's router makes (path relative to the board, without its
 * query), or null when the route is not a known change.
 */
export function boardChange(method: string, path: string): BoardChange | null {
  const upper = method.toUpperCase();
  for (const r of CHANGE_ROUTES) {
    if (r.method !== upper) continue;
    const m = r.pattern.exec(path);
    if (!m) continue;
    const g = m.groups ?? {};
    return {
      action: r.action,
      queue: decoded(g['queue']) ?? null,
      ...(g['jobId'] !== undefined && { jobId: decoded(g['jobId']) }),
      ...(g['status'] !== undefined && { status: decoded(g['status']) }),
      ...(g['schedulerId'] !== undefined && { schedulerId: decoded(g['schedulerId']) }),
    };
  }
  return null;
}
