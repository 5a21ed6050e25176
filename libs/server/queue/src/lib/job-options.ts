import { JobName, JobPayloads } from '@autocoder/shared-contracts';
import type { JobsOptions } from 'bullmq';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/**
 * Default options of every job, in one place. The job id is the run id, so submitting the same
 * run twice cannot run it twice. Failed jobs are kept for inspection; completed ones are bounded.
 */
export function jobOptionsFor<N extends JobName>(
  name: N,
  data: JobPayloads[N],
  retry: RetryPolicy,
): JobsOptions {
  return JOB_OPTIONS[name](data, retry);
}

const DAY_S = 24 * 3600;

/** Completed jobs kept a day, failed ones a week. */
const RETENTION = {
  removeOnComplete: { age: DAY_S, count: 5000 },
  removeOnFail: { age: 7 * DAY_S, count: 5000 },
};

/** A session's job: the run's id, platform retries only with jittered exponential backoff. */
const sessionJob = (data: { runId: string }, retry: RetryPolicy): JobsOptions => ({
  jobId: data.runId,
  attempts: retry.attempts,
  backoff: { type: 'exponential', delay: retry.backoffMs, jitter: 0.5 },
});

/** Complete by type: a new JobName without options does not compile. */
const JOB_OPTIONS: {
  readonly [N in JobName]: (data: JobPayloads[N], retry: RetryPolicy) => JobsOptions;
} = {
  [JobName.InitializerSession]: (data, retry) => ({
    ...sessionJob(data, retry),
    removeOnComplete: { age: 7 * DAY_S, count: 1000 },
    removeOnFail: false,
  }),
  // Platform retries only (5xx, a dead runner); a feature's own attempts are counted in Postgres.
  [JobName.CodingSession]: (data, retry) => ({ ...sessionJob(data, retry), ...RETENTION }),
  [JobName.TestingSession]: (data, retry) => ({ ...sessionJob(data, retry), ...RETENTION }),
  // Ticks repeat (a job scheduler); a lost one is replaced by the next.
  [JobName.ControlTick]: () => ({
    attempts: 1,
    removeOnComplete: { count: 100 },
    removeOnFail: { count: 100 },
  }),
  // A person waits for the answer: one quick retry (a provider 429 waits without spending it).
  // Job id = the person's message id, so posting it twice answers it once.
  [JobName.ChatTurn]: (data) => ({
    jobId: data.messageId,
    attempts: 2,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    ...RETENTION,
  }),
  // Start edges repeat (a job scheduler per schedule; no job id of ours). An end edge's id names
  // its window, and completed ones are kept longer than a window lasts (7 days), so the same end
  // enqueued twice runs once. BullMQ refuses ":" in custom ids (ISO instants have it): millis.
  // One retry; beyond that the control tick, which reconciles every scheduled project, catches up.
  [JobName.ScheduleEdge]: (data) => ({
    ...(data.edge === 'end'
      ? { jobId: `schedule-end-${data.scheduleId}-${Date.parse(data.windowStart)}` }
      : {}),
    attempts: 2,
    backoff: { type: 'fixed', delay: 5000 },
    removeOnComplete: { age: 8 * DAY_S, count: 1000 },
    removeOnFail: { age: 8 * DAY_S, count: 1000 },
  }),
};
