import { BatchRequest, BatchResult, mergeBatch, RequestOutcome } from './merge-batch';
import { FakeRemote, FakeRemoteOptions } from './testing/fake-integration-tree';

/** Requests r1..rn whose branch tips are named like them. */
function requests(n: number): BatchRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i + 1}`,
    featureId: `f${i + 1}`,
    featureName: `feature ${i + 1}`,
    runId: `run${i + 1}`,
    branch: `autocoder/session/run${i + 1}`,
    commit: `r${i + 1}`,
  }));
}

const message = (r: BatchRequest) => `Merge ${r.featureName} (run ${r.runId})`;

async function run(
  n: number,
  options: FakeRemoteOptions & { verify?: boolean } = {},
): Promise<{ remote: FakeRemote; result: BatchResult }> {
  const remote = new FakeRemote(options);
  const tree = await remote.open('p', []);
  const result = await mergeBatch(tree, requests(n), {
    verify: options.verify ?? true,
    message,
  });
  await tree.close();
  return { remote, result };
}

const byStatus = (outcomes: RequestOutcome[], status: RequestOutcome['status']) =>
  outcomes.filter((o) => o.status === status).map((o) => o.id);

function done(result: BatchResult) {
  if (result.kind !== 'done') throw new Error(`expected done, got ${result.kind}`);
  return result;
}

describe('mergeBatch', () => {
  it('merges a passing batch with one verification and one publish', async () => {
    const { remote, result } = await run(10);
    const r = done(result);
    expect(r.verifications).toBe(1);
    expect(byStatus(r.outcomes, 'merged')).toEqual(requests(10).map((q) => q.id));
    expect(remote.mainMerged()).toEqual(requests(10).map((q) => q.commit));
    expect(remote.published).toHaveLength(1);
    // Each merge commit names its request and is on main.
    for (const o of r.outcomes) {
      if (o.status !== 'merged') throw new Error('not merged');
      expect(remote.messageOf(o.mergeCommit)).toBe(
        `Merge feature ${o.id.slice(1)} (run run${o.id.slice(1)})`,
      );
      expect(remote.reachableFromMain(o.mergeCommit)).toBe(true);
    }
    expect(r.plan).toEqual({
      previousMain: 'root',
      candidate: remote.main,
      merges: r.outcomes.map((o) => ({
        id: o.id,
        mergeCommit: (o as { mergeCommit: string }).mergeCommit,
      })),
    });
  });

  it.each([1, 2, 5, 7, 10])(
    'finds the one bad request (r%i) among 10 in at most ceil(log2 10) + 2 verifications',
    async (bad) => {
      const { remote, result } = await run(10, { bad: [`r${bad}`] });
      const r = done(result);
      expect(r.verifications).toBeLessThanOrEqual(Math.ceil(Math.log2(10)) + 2);
      expect(byStatus(r.outcomes, 'failed')).toEqual([`r${bad}`]);
      const failed = r.outcomes.find((o) => o.status === 'failed');
      expect(failed).toMatchObject({ output: `tests fail: r${bad}`, exitCode: 1, timedOut: false });
      const others = requests(10)
        .map((q) => q.commit)
        .filter((c) => c !== `r${bad}`);
      expect(byStatus(r.outcomes, 'merged')).toEqual(others);
      expect(remote.mainMerged()).toEqual(others);
      expect(remote.published).toHaveLength(1);
    },
  );

  it('never publishes a commit that failed verification', async () => {
    const { remote, result } = await run(10, { bad: ['r4'] });
    done(result);
    for (const commit of remote.published) {
      expect(remote.mergedOf(commit)).not.toContain('r4');
    }
    // Every verified chain containing r4 failed, and main holds only verified-good chains.
    expect(remote.verified.some((m) => m.join() === remote.mainMerged().join())).toBe(true);
  });

  it('fails both culprits when two are bad and merges the rest', async () => {
    const { remote, result } = await run(10, { bad: ['r3', 'r8'] });
    const r = done(result);
    expect(byStatus(r.outcomes, 'failed')).toEqual(['r3', 'r8']);
    expect(remote.mainMerged()).toEqual(['r1', 'r2', 'r4', 'r5', 'r6', 'r7', 'r9', 'r10']);
    // Two bisections: well under verifying every request alone.
    expect(r.verifications).toBeLessThanOrEqual(2 * (Math.ceil(Math.log2(10)) + 1) + 1);
  });

  it('fails a lone failing request directly, with one verification, and publishes nothing', async () => {
    const { remote, result } = await run(1, { bad: ['r1'] });
    const r = done(result);
    expect(r.verifications).toBe(1);
    expect(r.outcomes).toEqual([
      { id: 'r1', status: 'failed', output: 'tests fail: r1', exitCode: 1, timedOut: false },
    ]);
    expect(r.plan).toBeNull();
    expect(remote.publishAttempts).toBe(0);
    expect(remote.main).toBe('root');
  });

  it('skips a request that conflicts mid-batch and merges the others', async () => {
    const { remote, result } = await run(5, {
      conflict: (merged, commit) =>
        commit === 'r3' && merged.includes('r2') ? ['src/a.ts'] : null,
    });
    const r = done(result);
    expect(r.outcomes[2]).toEqual({ id: 'r3', status: 'conflict', files: ['src/a.ts'] });
    expect(byStatus(r.outcomes, 'merged')).toEqual(['r1', 'r2', 'r4', 'r5']);
    expect(remote.mainMerged()).toEqual(['r1', 'r2', 'r4', 'r5']);
    expect(r.verifications).toBe(1);
  });

  it('reports a conflict that appears only once a culprit is dropped', async () => {
    // r4 merges cleanly after r3, but conflicts without it (it built on what r3 also touched).
    const { remote, result } = await run(5, {
      bad: ['r3'],
      conflict: (merged, commit) =>
        commit === 'r4' && !merged.includes('r3') ? ['src/b.ts'] : null,
    });
    const r = done(result);
    expect(r.outcomes.map((o) => o.status)).toEqual([
      'merged',
      'merged',
      'failed',
      'conflict',
      'merged',
    ]);
    expect(remote.mainMerged()).toEqual(['r1', 'r2', 'r5']);
  });

  it('gives the batch back untouched when main moved under the push', async () => {
    let moved = false;
    const remote = new FakeRemote({
      bad: ['r2'],
      onPublish: () => {
        if (!moved) remote.pushOutside('x');
        moved = true;
      },
    });
    const tree = await remote.open('p', []);
    const result = await mergeBatch(tree, requests(3), { verify: true, message });
    expect(result.kind).toBe('moved');
    expect(remote.mainMerged()).toEqual(['x']);
    // Retried on a fresh tree (what the service does with a requeued batch): merged on top of x.
    const retry = await mergeBatch(await remote.open('p', []), requests(3), {
      verify: true,
      message,
    });
    expect(byStatus(done(retry).outcomes, 'merged')).toEqual(['r1', 'r3']);
    expect(remote.mainMerged()).toEqual(['x', 'r1', 'r3']);
  });

  it('publishes clean merges unverified when the project has no verification command', async () => {
    const { remote, result } = await run(4, {
      verify: false,
      bad: ['r2'],
      conflict: (_merged, commit) => (commit === 'r3' ? ['x'] : null),
    });
    const r = done(result);
    expect(r.verifications).toBe(0);
    expect(remote.verified).toEqual([]);
    expect(byStatus(r.outcomes, 'merged')).toEqual(['r1', 'r2', 'r4']);
    expect(remote.mainMerged()).toEqual(['r1', 'r2', 'r4']);
  });

  it('writes the plan before the push, and a throwing hook prevents it', async () => {
    const remote = new FakeRemote();
    const tree = await remote.open('p', []);
    const seen: string[] = [];
    await expect(
      mergeBatch(tree, requests(2), {
        verify: true,
        message,
        beforePublish: async (plan) => {
          seen.push(plan.candidate);
          expect(remote.main).toBe('root');
          throw new Error('lock lost');
        },
      }),
    ).rejects.toThrow('lock lost');
    expect(seen).toHaveLength(1);
    expect(remote.main).toBe('root');
    expect(remote.publishAttempts).toBe(0);
  });

  it('stops before pushing once aborted', async () => {
    const abort = new AbortController();
    const remote = new FakeRemote({ onVerify: async () => abort.abort(new Error('lost')) });
    const tree = await remote.open('p', []);
    await expect(
      mergeBatch(tree, requests(3), { verify: true, message, signal: abort.signal }),
    ).rejects.toThrow('lost');
    expect(remote.publishAttempts).toBe(0);
  });

  it('counts a request already on main as merged without a new commit', async () => {
    const remote = new FakeRemote();
    remote.pushOutside('r1');
    const tree = await remote.open('p', []);
    const r = done(await mergeBatch(tree, requests(2), { verify: true, message }));
    expect(r.outcomes[0]).toEqual({ id: 'r1', status: 'merged', mergeCommit: tree.base });
    expect(remote.mainMerged()).toEqual(['r1', 'r2']);
  });

  it('merges one at a time in batches of one (the comparison mode)', async () => {
    const remote = new FakeRemote({ bad: ['r2'] });
    const all = requests(4);
    let verifications = 0;
    for (const request of all) {
      const tree = await remote.open('p', []);
      verifications += done(
        await mergeBatch(tree, [request], { verify: true, message }),
      ).verifications;
      await tree.close();
    }
    expect(verifications).toBe(4);
    expect(remote.mainMerged()).toEqual(['r1', 'r3', 'r4']);
  });
});
