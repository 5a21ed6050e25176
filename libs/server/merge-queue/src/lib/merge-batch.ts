import type { IntegrationTree, TreeVerification } from './integration-tree';

/** A request of a batch, as the algorithm needs it. */
export interface BatchRequest {
  id: string;
  featureId: string;
  featureName: string;
  runId: string;
  branch: string;
  /** The branch tip to merge. */
  commit: string;
}

/** The message of a request's merge commit. */
export type MergeMessage = (request: BatchRequest) => string;

/** Longest verification output kept for a failed request (its tail). */
export const OUTPUT_TAIL_CHARS = 8000;

/** How a request of a published (or unpublishable) batch ended. */
export type RequestOutcome =
  | { id: string; status: 'merged'; mergeCommit: string }
  | { id: string; status: 'conflict'; files: string[] }
  | {
      id: string;
      status: 'failed';
      /** Tail of the verification output of the first chain it broke. */
      output: string;
      exitCode: number | null;
      timedOut: boolean;
    };

/** What a batch is about to publish: written down before the push (crash recovery). */
export interface PublishPlan {
  previousMain: string;
  candidate: string;
  merges: { id: string; mergeCommit: string }[];
}

export type BatchResult =
  /**
   * Every request has an outcome. `plan` is what was published, or null when nothing was (all
   * conflicted or failed, or every merged request was already on main).
   */
  | { kind: 'done'; outcomes: RequestOutcome[]; plan: PublishPlan | null; verifications: number }
  /** main moved under the push: nothing merged; the whole batch goes back to the queue. */
  | { kind: 'moved'; plan: PublishPlan; verifications: number };

export interface MergeBatchOptions {
  /** Whether the project has a verification command; without one, clean merges publish as is. */
  verify: boolean;
  message: MergeMessage;
  /** Called with the plan right before the push; throwing (or aborting) prevents the push. */
  beforePublish?: (plan: PublishPlan) => Promise<void>;
  /** Stops between steps (a merge worker that lost its lock must not push). */
  signal?: AbortSignal;
  /** Each verification run's time and result (the verification metric). */
  onVerified?: (seconds: number, ok: boolean) => void;
}

interface Link {
  request: BatchRequest;
  /** The chain's commit after merging this request. */
  commit: string;
}

/**
 * Merges a batch of requests (queue order) onto `tree.base`, verifies, and publishes only
 * commits that passed verification:
 *
 * 1. Merge each request onto the previous result; a conflicting request is skipped (conflict).
 * 2. Verify the chain's tip. On failure, binary-search the chain for the first failing commit
 *    (log2 n verifications; the commit before it passed, or is the known-good base). Its request
 *    is the culprit (failed); the requests after it are merged again on top of the good prefix
 *    and verified again, until the remainder passes or is empty.
 * 3. Publish the good chain by CAS; 'moved' gives the batch back to the caller untouched.
 *
 * A request is in the published chain at most once, and main only ever receives a commit that
 * passed verification (when the project verifies).
 */
export async function mergeBatch(
  tree: IntegrationTree,
  requests: readonly BatchRequest[],
  opts: MergeBatchOptions,
): Promise<BatchResult> {
  const outcomes = new Map<string, RequestOutcome>();
  const results = new Map<string, TreeVerification>();
  let verifications = 0;
  const verify = async (commit: string): Promise<TreeVerification> => {
    const known = results.get(commit);
    if (known) return known;
    opts.signal?.throwIfAborted();
    const started = performance.now();
    const result = await tree.verify(commit);
    opts.onVerified?.((performance.now() - started) / 1000, result.ok);
    verifications++;
    results.set(commit, result);
    return result;
  };

  // The accepted chain (known good, or unverified when the project does not verify) and its tip.
  const accepted: Link[] = [];
  let tip = tree.base;
  let pending: readonly BatchRequest[] = requests;
  while (pending.length > 0) {
    const chain: Link[] = [];
    let onto = tip;
    for (const request of pending) {
      opts.signal?.throwIfAborted();
      const merged = await tree.merge(onto, request.commit, opts.message(request));
      if ('conflict' in merged) {
        outcomes.set(request.id, { id: request.id, status: 'conflict', files: merged.conflict });
        continue;
      }
      chain.push({ request, commit: merged.commit });
      onto = merged.commit;
    }
    pending = [];
    const last = chain.at(-1);
    if (!last) break;
    if (!opts.verify || (await verify(last.commit)).ok) {
      accepted.push(...chain);
      tip = last.commit;
      break;
    }
    // chain[hi] fails; the commit before chain[lo] passes (or is the good tip).
    let lo = 0;
    let hi = chain.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((await verify(chainAt(chain, mid).commit)).ok) lo = mid + 1;
      else hi = mid;
    }
    const culprit = chainAt(chain, lo);
    const failure = await verify(culprit.commit); // known: no new verification
    outcomes.set(culprit.request.id, {
      id: culprit.request.id,
      status: 'failed',
      output: failure.output.slice(-OUTPUT_TAIL_CHARS),
      exitCode: failure.exitCode,
      timedOut: failure.timedOut,
    });
    const good = chain.slice(0, lo);
    accepted.push(...good);
    tip = good.at(-1)?.commit ?? tip;
    pending = chain.slice(lo + 1).map((link) => link.request);
  }

  const plan: PublishPlan | null =
    accepted.length === 0
      ? null
      : {
          previousMain: tree.base,
          candidate: tip,
          merges: accepted.map((link) => ({ id: link.request.id, mergeCommit: link.commit })),
        };
  if (plan && plan.candidate !== tree.base) {
    opts.signal?.throwIfAborted();
    // The caller's last word (its plan written down, its lock still held); nothing in between.
    await opts.beforePublish?.(plan);
    if ((await tree.publish(tree.base, plan.candidate)) === 'moved') {
      return { kind: 'moved', plan, verifications };
    }
  }
  for (const merge of plan?.merges ?? []) {
    outcomes.set(merge.id, { id: merge.id, status: 'merged', mergeCommit: merge.mergeCommit });
  }
  const ordered = requests.map((request) => {
    const outcome = outcomes.get(request.id);
    if (!outcome) throw new Error(`merge batch left request ${request.id} without an outcome`);
    return outcome;
  });
  return { kind: 'done', outcomes: ordered, plan, verifications };
}

function chainAt(chain: readonly Link[], index: number): Link {
  const link = chain[index];
  if (!link) throw new RangeError(`no link ${index} in a chain of ${chain.length}`);
  return link;
}
