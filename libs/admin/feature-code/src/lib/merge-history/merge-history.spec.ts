import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { RepositoryHistoryView } from '@autocoder/shared-contracts';
import { MAIN, merge, setUpTestBed, TWO_FILE_DIFF, until } from '../testing/fixtures';
import { HISTORY_PAGE_SIZE, MergeHistory } from './merge-history';

const HISTORY = '/api/v1/projects/p1/repository/history';

function page(
  items: RepositoryHistoryView['items'],
  total: number,
  offset = 0,
): RepositoryHistoryView {
  return { items, total, offset, limit: HISTORY_PAGE_SIZE, commit: MAIN };
}

describe('MergeHistory', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<MergeHistory>;
  const host = () => fixture.nativeElement as HTMLElement;
  const all = (id: string) => [...host().querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];
  const q = (id: string) => host().querySelector<HTMLElement>(`[data-testid="${id}"]`);

  beforeEach(() => {
    http = setUpTestBed();
    fixture = TestBed.createComponent(MergeHistory);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.detectChanges();
  });

  afterEach(() => http.verify());

  it('lists merges with their features, links them, and pages on', () => {
    const first = Array.from({ length: HISTORY_PAGE_SIZE }, (_, i) => merge(i + 1));
    first[1] = merge(2, { feature: null, featureName: 'Deleted feature' });
    first[2] = merge(3, {
      feature: null,
      featureName: null,
      runId: null,
      subject: 'Merge session/x',
    });
    http
      .expectOne((r) => r.url === HISTORY && r.params.get('offset') === '0')
      .flush(page(first, HISTORY_PAGE_SIZE + 1));
    fixture.detectChanges();

    const items = all('merge');
    expect(items).toHaveLength(HISTORY_PAGE_SIZE);
    const link = items[0].querySelector<HTMLAnchorElement>('[data-testid="merge-feature"]');
    expect(link?.textContent?.trim()).toBe('Feature 1');
    expect(link?.getAttribute('href')).toBe('/projects/p1/features/f1');
    expect(items[0].textContent).toContain(first[0].commit.slice(0, 7));
    expect(items[0].textContent).toMatch(/1 file\s*\+3 −1/);
    expect(items[1].textContent).toContain('Deleted feature');
    expect(items[1].textContent).toContain('(feature deleted)');
    expect(items[2].textContent).toContain('Merge session/x');

    q('history-more')?.click();
    http
      .expectOne((r) => r.url === HISTORY && r.params.get('offset') === String(HISTORY_PAGE_SIZE))
      .flush(page([merge(21)], HISTORY_PAGE_SIZE + 1, HISTORY_PAGE_SIZE));
    fixture.detectChanges();
    expect(all('merge')).toHaveLength(HISTORY_PAGE_SIZE + 1);
    expect(q('history-more')).toBeNull();
  });

  it("shows a merge's diff on demand, once", async () => {
    http.expectOne((r) => r.url === HISTORY).flush(page([merge(1)], 1));
    fixture.detectChanges();
    const toggle = q('merge-diff-toggle');
    expect(toggle?.getAttribute('aria-expanded')).toBe('false');
    toggle?.click();
    fixture.detectChanges();
    const sha = merge(1).commit;
    http.expectOne(`/api/v1/projects/p1/repository/commits/${sha}/diff`).flush(TWO_FILE_DIFF);
    await until(() => {
      fixture.detectChanges();
      expect(all('diff-file')).toHaveLength(2);
    });
    expect(toggle?.textContent?.trim()).toBe('Hide changes');
    toggle?.click();
    fixture.detectChanges();
    expect(all('diff-file')).toHaveLength(0);
    toggle?.click(); // again: no second request
    fixture.detectChanges();
    await until(() => {
      fixture.detectChanges();
      expect(all('diff-file')).toHaveLength(2);
    });
  });

  it('says when there is nothing yet, and shows a failure with its request id', () => {
    http.expectOne((r) => r.url === HISTORY).flush(page([], 0));
    fixture.detectChanges();
    expect(q('history-empty')?.textContent).toContain('No merges yet.');

    const again = TestBed.createComponent(MergeHistory);
    again.componentRef.setInput('projectId', 'p1');
    again.detectChanges();
    http
      .expectOne((r) => r.url === HISTORY)
      .flush(
        { statusCode: 404, message: 'project p1 has no repository yet', requestId: 'req-1' },
        { status: 404, statusText: 'Not Found' },
      );
    again.detectChanges();
    const error = (again.nativeElement as HTMLElement).querySelector('[data-testid="error-panel"]');
    expect(error?.textContent).toContain('project p1 has no repository yet');
    expect(error?.textContent).toContain('req-1');
  });
});
