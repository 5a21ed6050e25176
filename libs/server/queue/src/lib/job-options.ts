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

/** Complete by type: a new JobName without options does not compile. */
const JOB_OPTIONS: {
  readonly [N in JobName]: (data: JobPayloads[N], retry: RetryPolicy) => JobsOptions;
} = {
  [JobName.InitializerSession]: (data, retry) => ({
    jobId: data.runId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: false,
  }),
};
