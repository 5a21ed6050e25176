/** DI token of the OpenIntegrationTree the merge queue works in (provided by the runner's wiring). */
export const INTEGRATION_TREES = Symbol('INTEGRATION_TREES');

/**
 * DI token of the MergeMessage: the message of each merge commit, e.g.
 * `(r) => mergeMessage({ id: r.featureId, name: r.featureName }, { id: r.runId })` from
 * @autocoder/server-code (not imported here, to keep this lib below it).
 */
export const MERGE_MESSAGE = Symbol('MERGE_MESSAGE');

/** DI token of optional MergeQueueTuning (poll interval, error backoff), e.g. for tests. */
export const MERGE_QUEUE_TUNING = Symbol('MERGE_QUEUE_TUNING');
