import { ComponentFixture, TestBed } from '@angular/core/testing';
import { setUpTestBed, TWO_FILE_DIFF, until } from '../testing/fixtures';
import { DIFF_LAYOUT_KEY, DiffView } from './diff-view';

describe('DiffView', () => {
  let fixture: ComponentFixture<DiffView>;
  const host = () => fixture.nativeElement as HTMLElement;
  const q = (id: string) => host().querySelector<HTMLElement>(`[data-testid="${id}"]`);
  const all = (id: string) => [...host().querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)];

  async function show(diff: string) {
    fixture = TestBed.createComponent(DiffView);
    fixture.componentRef.setInput('diff', diff);
    fixture.detectChanges();
    await until(() => {
      fixture.detectChanges();
      expect(all('diff-file')).not.toHaveLength(0);
    });
  }

  beforeEach(() => {
    localStorage.clear();
    setUpTestBed();
  });

  it('lists the changed files with their counts, each in its own section', async () => {
    await show(TWO_FILE_DIFF);
    expect(q('diff-summary')?.textContent).toMatch(/2 files changed\s*\+3 −1/);
    const links = all('diff-file-link').map((l) => l.textContent?.replace(/\s+/g, ' ').trim());
    expect(links).toEqual(['src/login.ts +1 −1', 'README.md added +2 −0']);
    expect(all('diff-file').map((s) => s.getAttribute('aria-label'))).toEqual([
      'src/login.ts',
      'README.md',
    ]);
    // Text from the diff is shown as text, never as markup.
    expect(q('diff')?.querySelector('b')).toBeNull();
    expect(q('diff')?.textContent).toContain('<b>true</b>');
    expect(document.head.querySelector('link[href="vendor/diff2html.min.css"]')).not.toBeNull();
  });

  it('switches between unified and side by side, and remembers the choice', async () => {
    await show(TWO_FILE_DIFF);
    expect(q('diff-line-by-line')?.getAttribute('aria-pressed')).toBe('true');
    expect(host().querySelectorAll('.d2h-file-side-diff')).toHaveLength(0);
    q('diff-side-by-side')?.click();
    fixture.detectChanges();
    expect(q('diff-side-by-side')?.getAttribute('aria-pressed')).toBe('true');
    // Two columns per file.
    expect(host().querySelectorAll('.d2h-file-side-diff')).toHaveLength(4);
    expect(localStorage.getItem(DIFF_LAYOUT_KEY)).toBe('side-by-side');
    q('diff-line-by-line')?.click();
    fixture.detectChanges();
    expect(host().querySelectorAll('.d2h-file-side-diff')).toHaveLength(0);
    expect(host().querySelectorAll('.d2h-file-diff')).toHaveLength(2);
  });

  it('folds and unfolds a file, and all of them at once', async () => {
    await show(TWO_FILE_DIFF);
    const [first] = all('diff-file-toggle');
    expect(first.getAttribute('aria-expanded')).toBe('true');
    first.click();
    fixture.detectChanges();
    expect(first.getAttribute('aria-expanded')).toBe('false');
    expect(all('diff-file')[0].querySelector('.d2h-file-wrapper')).toBeNull();
    expect(all('diff-file')[1].querySelector('.d2h-file-wrapper')).not.toBeNull();

    q('diff-toggle-all')?.click(); // "Collapse all": one was still open
    fixture.detectChanges();
    expect(all('diff-file-toggle').map((t) => t.getAttribute('aria-expanded'))).toEqual([
      'false',
      'false',
    ]);
    expect(q('diff-toggle-all')?.textContent?.trim()).toBe('Expand all');
    q('diff-toggle-all')?.click();
    fixture.detectChanges();
    expect(all('diff-file-toggle').map((t) => t.getAttribute('aria-expanded'))).toEqual([
      'true',
      'true',
    ]);
  });

  it('jumps to a folded file from the list: unfolds it and focuses its header', async () => {
    await show(TWO_FILE_DIFF);
    all('diff-file-toggle')[1].click();
    fixture.detectChanges();
    all('diff-file-link')[1].click();
    await until(() => {
      fixture.detectChanges();
      expect(document.activeElement).toBe(all('diff-file-toggle')[1]);
    });
    expect(all('diff-file-toggle')[1].getAttribute('aria-expanded')).toBe('true');
  });

  it('colours the code with the syntax of each file', async () => {
    await show(TWO_FILE_DIFF);
    await until(() => {
      fixture.detectChanges();
      const keywords = all('diff-file')[0].querySelectorAll('.hljs-keyword');
      expect([...keywords].map((k) => k.textContent)).toContain('const');
    });
    // The changed words keep their marks inside the coloured line.
    expect(all('diff-file')[0].querySelector('ins, del')).not.toBeNull();
  });

  it('folds a large file until asked, and says when nothing changed', async () => {
    const lines = Array.from({ length: 450 }, (_, i) => `+line ${i}`);
    await show(
      [
        'diff --git a/big.txt b/big.txt',
        '--- /dev/null',
        '+++ b/big.txt',
        '@@ -0,0 +1,450 @@',
        ...lines,
        '',
      ].join('\n'),
    );
    expect(all('diff-file-toggle')[0].getAttribute('aria-expanded')).toBe('false');
    expect(q('diff')?.textContent).toContain('A large change (450 lines) is folded.');
    expect(q('diff-file-link')).toBeNull(); // one file: no list

    fixture.componentRef.setInput('diff', '');
    await until(() => {
      fixture.detectChanges();
      expect(q('diff')?.textContent).toContain('No changes.');
    });
  });
});
