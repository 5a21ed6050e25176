import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { AT, mergeQueue, queued, setUpTestBed } from '../testing/fixtures';
import { MERGE_QUEUE_BUSY_POLL_MS, MERGE_QUEUE_RECENT, MergeQueue } from './merge-queue';
import { formatWait, groupOpen } from './merge-queue-format';

const QUEUE = '/api/v1/projects/p1/merge-queue';
const MINUTE = 60_000;
const at = (minutesAfter: number) => new Date(Date.parse(AT) + minutesAfter * MINUTE).toISOString();

describe('MergeQueue', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<MergeQueue>;
  const host = () => fixture.nativeElement as HTMLElement;
  const all = (id: string, root: ParentNode = host()) => [
    ...root.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`),
  ];
  const q = (id: string, root: ParentNode = host()) =>
    root.querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const text = (el: Element | null | undefined) => el?.textContent?.replace(/\s+/g, ' ').trim();
  const stats = () =>
    [...(q('merge-queue-summary')?.querySelectorAll('.stat') ?? [])].map((s) => [
      text(s.querySelector('dt')),
      text(s.querySelector('dd')),
    ]);

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse(at(10)), doNotFake: ['queueMicrotask'] });
    http = setUpTestBed();
    fixture = TestBed.createComponent(MergeQueue);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.detectChanges();
  });

  afterEach(() => {
    http.verify();
    jest.useRealTimers();
  });

  function answer(view = mergeQueue()) {
    const req = http.expectOne((r) => r.url === QUEUE);
    expect(req.request.params.get('limit')).toBe(String(MERGE_QUEUE_RECENT));
    req.flush(view);
    fixture.detectChanges();
  }

  it('says what the queue is when nothing waits', () => {
    answer();
    expect([...(q('merge-queue-empty')?.querySelectorAll('p') ?? [])].map(text)).toEqual([
      'Nothing waiting.',
      'Features that pass are merged here, several at a time, verified once.',
    ]);
    expect(q('merge-queue-open')).toBeNull();
    expect(q('merge-queue-recent')).toBeNull();
    // No figures to show: all would be zero.
    expect(q('merge-queue-summary')).toBeNull();
  });

  it('groups merging requests by batch before the waiting ones, with links and waits', () => {
    answer(
      mergeQueue({
        open: [
          queued(1, { status: 'merging', batchId: 'b'.repeat(36), position: 1, startedAt: at(8) }),
          queued(2, { status: 'merging', batchId: 'b'.repeat(36), position: 2, startedAt: at(8) }),
          queued(3, { createdAt: at(7), attempts: 1, batchId: 'e'.repeat(36), position: 2 }),
        ],
        summary: {
          queued: 1,
          merging: 2,
          mergedLastHour: 4,
          failedLastHour: 1,
          medianWaitSeconds: 150,
        },
      }),
    );
    const batches = all('merge-batch');
    expect(batches.map((b) => b.dataset['state'])).toEqual(['merging', 'queued']);
    expect(text(batches[0])).toContain('Batch bbbbbbb');
    expect(text(batches[0])).toContain('2 requests · merging and verifying for 2 min');
    expect(
      all('merge-request', batches[0]).map((r) => text(q('merge-request-feature', r))),
    ).toEqual(['Feature 1', 'Feature 2']);
    const waiting = all('merge-request', batches[1]);
    expect(waiting).toHaveLength(1);
    expect(text(waiting[0])).toContain('waiting 3 min');
    // Its place is in the queue now, not in the batch that gave it back.
    expect(text(waiting[0].querySelector('.pos'))).toBe('1');
    expect(text(q('merge-request-attempts', waiting[0]))).toBe('tried once before');
    expect(q('merge-request-feature', waiting[0])?.getAttribute('href')).toBe(
      '/projects/p1/features/f3',
    );
    expect(stats()).toEqual([
      ['Waiting', '1'],
      ['Merging', '2'],
      ['Merged, last hour', '4'],
      ['Not merged, last hour', '1'],
      ['Median wait', '2 min'],
    ]);
    expect(q('merge-queue-empty')).toBeNull();
  });

  it('shows how recent requests ended: the merge sha, conflicting files, the output on demand', () => {
    const sha = '1234567'.padEnd(40, 'f');
    answer(
      mergeQueue({
        recent: [
          queued(4, { status: 'merged', mergeCommit: sha, finishedAt: at(6) }),
          queued(5, { status: 'conflict', detail: 'src/a.ts\nsrc/b.ts\n', finishedAt: at(5) }),
          queued(6, {
            status: 'failed',
            detail: '…FAIL src/todo.spec.ts',
            detailTruncated: true,
            finishedAt: at(4),
          }),
        ],
      }),
    );
    const outcomes = all('merge-outcome');
    expect(outcomes.map((o) => o.dataset['status'])).toEqual(['merged', 'conflict', 'failed']);
    const link = q('merge-outcome-sha', outcomes[0]) as HTMLAnchorElement;
    expect(text(link)).toBe('1234567');
    expect(link.getAttribute('href')).toBe('/projects/p1/code/runs/r4');
    expect(text(outcomes[0])).toContain('waited 6 min');
    expect(
      [...(q('merge-outcome-conflict', outcomes[1])?.querySelectorAll('li') ?? [])].map(text),
    ).toEqual(['src/a.ts', 'src/b.ts']);
    const output = q('merge-outcome-output', outcomes[2]) as HTMLDetailsElement;
    expect(output.open).toBe(false);
    expect(text(output.querySelector('summary'))).toBe('Verification output (its end)');
    expect(output.querySelector('pre')?.textContent).toBe('…FAIL src/todo.spec.ts');
    expect(q('merge-outcome-output', outcomes[1])).toBeNull();
  });

  it('polls while requests are open, and shows an error it can retry', () => {
    answer(mergeQueue({ open: [queued(1)] }));
    jest.advanceTimersByTime(MERGE_QUEUE_BUSY_POLL_MS);
    http.expectOne((r) => r.url === QUEUE).flush('down', { status: 503, statusText: 'Down' });
    fixture.detectChanges();
    expect(text(host())).toContain('Could not load the merge queue');
    // The last answer stays on screen.
    expect(all('merge-request')).toHaveLength(1);
    (host().querySelector('ac-error-panel button') as HTMLButtonElement).click();
    answer(mergeQueue());
    expect(text(host())).not.toContain('Could not load the merge queue');
    expect(q('merge-queue-empty')).not.toBeNull();
  });
});

describe('merge queue format', () => {
  it('formats waits', () => {
    expect([0, 42_000, 3 * MINUTE + 5_000, 65 * MINUTE, -1].map(formatWait)).toEqual([
      '0 s',
      '42 s',
      '3 min',
      '1 h 05 min',
      '—',
    ]);
  });

  it('groups only merging requests by batch; requeued ones wait', () => {
    const groups = groupOpen([
      queued(1, { status: 'merging', batchId: 'x', position: 1, startedAt: at(2) }),
      queued(2, { status: 'merging', batchId: 'y', position: 1, startedAt: at(3) }),
      queued(3, { status: 'merging', batchId: 'x', position: 2, startedAt: at(1) }),
      queued(4, { batchId: 'x', attempts: 1 }),
    ]);
    expect(
      groups.map((g) => [g.batchId, g.state, g.startedAt, g.entries.map((e) => e.id)]),
    ).toEqual([
      ['x', 'merging', at(1), ['mr1', 'mr3']],
      ['y', 'merging', at(3), ['mr2']],
      [null, 'queued', null, ['mr4']],
    ]);
  });
});
