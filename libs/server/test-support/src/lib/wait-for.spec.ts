import { waitFor, waitUntil } from './wait-for';

describe('waitUntil', () => {
  it('polls until the value is accepted and returns it', async () => {
    let reads = 0;
    const state = await waitUntil(
      'the job to complete',
      async () => (++reads < 3 ? 'active' : 'completed'),
      (s) => s === 'completed',
      { intervalMs: 1 },
    );
    expect(state).toBe('completed');
    expect(reads).toBe(3);
  });

  it('names what it waited for and the last value read when it times out', async () => {
    await expect(
      waitUntil(
        'the job to complete',
        async () => ({ state: 'active' }),
        (j) => j.state === 'completed',
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(
      "timed out after 30 ms waiting for the job to complete; last value: { state: 'active' }",
    );
  });

  it('shows the last error when reading keeps failing', async () => {
    await expect(
      waitUntil(
        'a row',
        () => Promise.reject(new Error('connection refused')),
        () => true,
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('timed out after 30 ms waiting for a row: Error: connection refused');
  });

  it('reads once more after a pause that ends past the deadline', async () => {
    let reads = 0;
    const value = await waitUntil(
      'a second read',
      async () => ++reads,
      (n) => n === 2,
      { timeoutMs: 1_000, intervalMs: 2_000 },
    );
    expect(value).toBe(2);
  });
});

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    const values = [undefined, null, false, 'row'];
    await expect(waitFor('a row', async () => values.shift(), { intervalMs: 1 })).resolves.toBe(
      'row',
    );
  });
});
