import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { entry, setUpTestBed, tree } from '../testing/fixtures';
import { ancestorsOf, FileTree } from './file-tree';

const TREE = '/api/v1/projects/p1/repository/tree';

describe('FileTree', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<FileTree>;
  const host = () => fixture.nativeElement as HTMLElement;
  const rows = () =>
    [...host().querySelectorAll<HTMLElement>('[data-path]')].map(
      (r) => `${r.dataset['testid'] === 'tree-dir' ? 'd' : 'f'}:${r.dataset['path']}`,
    );
  const row = (path: string) => host().querySelector<HTMLElement>(`[data-path="${path}"]`);
  const answer = (path: string, entries: ReturnType<typeof entry>[], ref?: string) => {
    const req = http.expectOne(
      (r) =>
        r.url === TREE &&
        r.params.get('path') === (path || null) &&
        r.params.get('ref') === (ref ?? null),
    );
    req.flush(tree(path, entries));
    fixture.detectChanges();
  };

  function create(selected = '', ref?: string) {
    fixture = TestBed.createComponent(FileTree);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('selected', selected);
    if (ref) fixture.componentRef.setInput('ref', ref);
    fixture.detectChanges();
  }

  beforeEach(() => {
    http = setUpTestBed();
  });

  afterEach(() => http.verify());

  it('lists the root, then loads a directory when it is opened, and folds it again', () => {
    const opened: string[] = [];
    create();
    fixture.componentInstance.openDir.subscribe((p) => opened.push(p));
    answer('', [entry('src', 'dir'), entry('README.md', 'file')]);
    expect(rows()).toEqual(['d:src', 'f:README.md']);
    expect(row('src')?.getAttribute('aria-expanded')).toBe('false');

    row('src')?.click();
    fixture.detectChanges();
    expect(host().textContent).toContain('Loading…');
    answer('src', [entry('src/lib', 'dir'), entry('src/main.ts', 'file')]);
    expect(rows()).toEqual(['d:src', 'd:src/lib', 'f:src/main.ts', 'f:README.md']);
    expect(row('src')?.getAttribute('aria-expanded')).toBe('true');
    expect(opened).toEqual(['src']);
    // Files are links to themselves.
    expect(row('src/main.ts')?.getAttribute('href')).toBe('/?file=src%2Fmain.ts');

    row('src')?.click();
    fixture.detectChanges();
    expect(rows()).toEqual(['d:src', 'f:README.md']);
    // Opening it again needs no new request.
    row('src')?.click();
    fixture.detectChanges();
    expect(rows()).toContain('f:src/main.ts');
  });

  it('opens the way to a deep-linked file, at the commit asked for', () => {
    create('src/lib/util.ts', 'abc1234');
    answer('', [entry('src', 'dir')], 'abc1234');
    answer('src', [entry('src/lib', 'dir')], 'abc1234');
    answer('src/lib', [entry('src/lib/util.ts', 'file')], 'abc1234');
    expect(rows()).toEqual(['d:src', 'd:src/lib', 'f:src/lib/util.ts']);
    expect(row('src/lib/util.ts')?.getAttribute('aria-current')).toBe('page');
    expect(row('src/lib/util.ts')?.getAttribute('href')).toBe('/?file=src%2Flib%2Futil.ts');
  });

  it('offers a retry when a directory cannot be read', () => {
    create();
    http
      .expectOne((r) => r.url === TREE)
      .flush({ statusCode: 500, message: 'boom' }, { status: 500, statusText: 'Error' });
    fixture.detectChanges();
    expect(host().textContent).toContain('The files could not be loaded.');
    host().querySelector<HTMLButtonElement>('button')?.click();
    answer('', [entry('a.txt', 'file')]);
    expect(rows()).toEqual(['f:a.txt']);
  });

  it('knows the directories above a path', () => {
    expect(ancestorsOf('')).toEqual(['']);
    expect(ancestorsOf('README.md')).toEqual(['']);
    expect(ancestorsOf('a/b/c.ts')).toEqual(['', 'a', 'a/b']);
  });
});
