import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { RepositoryFileView } from '@autocoder/shared-contracts';
import { MAIN, setUpTestBed, until } from '../testing/fixtures';
import { FileView } from './file-view';

function file(extra: Partial<RepositoryFileView> = {}): RepositoryFileView {
  return {
    ref: 'main',
    commit: MAIN,
    path: 'src/app.ts',
    size: 58,
    maxBytes: 1024 * 1024,
    binary: false,
    tooLarge: false,
    symlink: false,
    content: 'export const answer = 42;\n// "<b>not markup</b>"\nlet x = 1;\n',
    ...extra,
  };
}

describe('FileView', () => {
  let fixture: ComponentFixture<FileView>;
  const q = (id: string) =>
    (fixture.nativeElement as HTMLElement).querySelector<HTMLElement>(`[data-testid="${id}"]`);

  function show(f: RepositoryFileView) {
    fixture.componentRef.setInput('file', f);
    fixture.detectChanges();
  }

  beforeEach(() => {
    setUpTestBed();
    fixture = TestBed.createComponent(FileView);
  });

  it('shows the text with line numbers, then with syntax colours', async () => {
    show(file());
    expect(q('file-meta')?.textContent).toContain('3 lines');
    expect(q('file-content')?.querySelector('.gutter')?.textContent).toBe('1\n2\n3');
    await until(() => {
      fixture.detectChanges();
      expect(q('file-content')?.querySelector('.hljs-keyword')?.textContent).toBe('export');
    });
    expect(q('file-meta')?.textContent).toContain('typescript');
    // The file's text stays text.
    expect(q('file-content')?.querySelector('b')).toBeNull();
    expect(q('file-content')?.textContent).toContain('"<b>not markup</b>"');
    // The scrolling box is reachable by keyboard and named.
    expect(q('file-content')?.getAttribute('tabindex')).toBe('0');
    expect(q('file-content')?.getAttribute('aria-label')).toBe('Contents of src/app.ts');
  });

  it('shows a file of an unknown language as plain text', async () => {
    show(file({ path: 'notes.unknownext', content: 'just words\n' }));
    await until(() => {
      fixture.detectChanges();
      expect(q('file-content')?.textContent).toContain('just words');
    });
    expect(q('file-content')?.querySelector('[class^="hljs-"]')).toBeNull();
  });

  it('says what a binary, oversized, linked or empty file is instead of showing it', () => {
    show(file({ binary: true, content: null, size: 2048 }));
    expect(q('file-notice')?.textContent).toContain('A binary file (2.0 KB)');
    expect(q('file-content')).toBeNull();
    show(file({ tooLarge: true, content: null, size: 3 * 1024 * 1024 }));
    expect(q('file-notice')?.textContent).toContain('more than the 1.0 MB shown here');
    show(file({ symlink: true, content: '../README.md' }));
    expect(q('file-notice')?.textContent).toContain('A symbolic link to ../README.md');
    show(file({ content: '', size: 0 }));
    expect(q('file-notice')?.textContent).toContain('An empty file.');
  });
});
