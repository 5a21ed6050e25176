import { TestBed } from '@angular/core/testing';
import { MarkdownView } from './markdown-view';
import { until } from '../testing/fixtures';

async function render(text: string): Promise<HTMLElement> {
  const fixture = TestBed.createComponent(MarkdownView);
  fixture.componentRef.setInput('text', text);
  TestBed.tick();
  const el = fixture.nativeElement as HTMLElement;
  await until(() => {
    TestBed.tick();
    return el.querySelector('[data-testid="markdown"]') !== null;
  });
  return el;
}

describe('MarkdownView', () => {
  it('renders Markdown with styled code blocks', async () => {
    const el = await render('## Title\n\n- **one**\n- two\n\n```bash\nnpm test\n```');
    expect(el.querySelector('h2')?.textContent).toBe('Title');
    expect(el.querySelectorAll('li')).toHaveLength(2);
    expect(el.querySelector('strong')?.textContent).toBe('one');
    expect(el.querySelector('pre > code')?.textContent).toBe('npm test\n');
  });

  it('shows raw HTML as text: no image, no handler, no script', async () => {
    const el = await render('Hi <img src=x onerror=alert(1)> <script>alert(2)</script> end');
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('script')).toBeNull();
    expect(el.querySelector('[onerror]')).toBeNull();
    expect(el.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(el.textContent).toContain('<script>alert(2)</script>');
  });

  it('drops javascript: links and opens the others in a new tab with rel=noopener', async () => {
    const el = await render('[docs](https://example.com/docs) and [bad](javascript:alert(1))');
    const links = Array.from(el.querySelectorAll('a'));
    const good = links.find((a) => a.textContent === 'docs');
    expect(good?.getAttribute('href')).toBe('https://example.com/docs');
    expect(good?.getAttribute('rel')).toContain('noopener');
    expect(good?.getAttribute('target')).toBe('_blank');
    expect(el.innerHTML).not.toContain('javascript:');
  });
});
