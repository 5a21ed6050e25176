import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { RepositoryFileView } from '@autocoder/shared-contracts';
import { entry, MAIN, setUpTestBed, tree, until } from '../testing/fixtures';
import { RepositoryPage } from './repository-page';

const BASE = '/api/v1/projects/p1';

describe('RepositoryPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<RepositoryPage>;
  const host = () => fixture.nativeElement as HTMLElement;
  const q = (id: string) => host().querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const crumbs = () => q('code-breadcrumbs')?.textContent?.replace(/\s*\/\s*/g, ' / ');

  function open(inputs: { dir?: string; file?: string; ref?: string; view?: 'files' | 'history' }) {
    fixture = TestBed.createComponent(RepositoryPage);
    fixture.componentRef.setInput('id', 'p1');
    for (const [key, value] of Object.entries(inputs)) fixture.componentRef.setInput(key, value);
    fixture.detectChanges();
    http.expectOne(BASE).flush({ id: 'p1', name: 'Todo app' });
  }

  /** Every tree request (the page's listing and the file tree's) answered from `dirs`. */
  function answerTrees(dirs: Record<string, ReturnType<typeof entry>[]>) {
    for (const req of http.match((r) => r.url === `${BASE}/repository/tree`)) {
      const path = req.request.params.get('path') ?? '';
      req.flush(tree(path, dirs[path] ?? []));
    }
    fixture.detectChanges();
  }

  beforeEach(() => {
    http = setUpTestBed();
  });

  it('lists a directory with breadcrumbs back to the root, and the archive link', () => {
    open({ dir: 'src' });
    answerTrees({
      '': [entry('src', 'dir'), entry('README.md', 'file')],
      src: [entry('src/lib', 'dir'), entry('src/main.ts', 'file', 2048)],
    });
    const listing = q('dir-listing');
    expect(listing?.textContent?.replace(/\s+/g, ' ')).toContain('lib/');
    expect(listing?.textContent).toContain('2.0 KB');
    expect(crumbs()?.replace(/\s+/g, ' ').trim()).toBe('Todo app / src');
    expect(q('archive-download')?.getAttribute('href')).toBe(`${BASE}/repository.tar.gz`);
    expect(q('code-files-tab')?.getAttribute('aria-current')).toBe('page');
  });

  it('shows a file, and says which commit when it is not main', async () => {
    open({ file: 'src/main.ts', ref: 'abc1234' });
    const file: RepositoryFileView = {
      ref: 'abc1234',
      commit: MAIN,
      path: 'src/main.ts',
      size: 20,
      maxBytes: 1048576,
      binary: false,
      tooLarge: false,
      symlink: false,
      content: 'export const a = 1;\n',
    };
    const req = http.expectOne((r) => r.url === `${BASE}/repository/file`);
    expect(req.request.params.get('path')).toBe('src/main.ts');
    expect(req.request.params.get('ref')).toBe('abc1234');
    req.flush(file);
    answerTrees({ '': [entry('src', 'dir')], src: [entry('src/main.ts', 'file')] });
    await until(() => {
      fixture.detectChanges();
      expect(q('file-content')?.textContent).toContain('export const a = 1;');
    });
    expect(q('ref-note')?.textContent).toContain('abc1234');
    expect(crumbs()?.replace(/\s+/g, ' ').trim()).toBe('Todo app / src / main.ts');
  });

  it('explains an empty project instead of an error, and offers no archive', () => {
    open({});
    for (const req of http.match((r) => r.url === `${BASE}/repository/tree`)) {
      req.flush(
        { statusCode: 404, message: 'project p1 has no repository yet' },
        { status: 404, statusText: 'Not Found' },
      );
    }
    fixture.detectChanges();
    expect(q('no-repository')?.textContent).toContain('No code yet.');
    expect(q('archive-download')).toBeNull();
  });

  it('shows a missing file as an error with the reason', () => {
    open({ file: 'gone.txt' });
    http
      .expectOne((r) => r.url === `${BASE}/repository/file`)
      .flush(
        {
          statusCode: 404,
          message: 'no file or directory "gone.txt" at aaaaaaaaaaaa',
          requestId: 'r-9',
        },
        { status: 404, statusText: 'Not Found' },
      );
    answerTrees({ '': [entry('README.md', 'file')] });
    expect(q('error-panel')?.textContent).toContain('no file or directory "gone.txt"');
    expect(q('error-panel')?.textContent).toContain('r-9');
  });

  it('shows the history view, the merge queue above the merges', () => {
    open({ view: 'history' });
    expect(q('code-history-tab')?.getAttribute('aria-current')).toBe('page');
    expect(http.match((r) => r.url === `${BASE}/repository/history`)).toHaveLength(1);
    expect(http.match((r) => r.url === `${BASE}/merge-queue`)).toHaveLength(1);
    const cards = [...host().querySelectorAll('.card')];
    expect(cards[0]?.querySelector('ac-merge-queue')).not.toBeNull();
    expect(cards[1]?.querySelector('ac-merge-history')).not.toBeNull();
    expect(q('file-tree')).toBeNull();
  });
});
