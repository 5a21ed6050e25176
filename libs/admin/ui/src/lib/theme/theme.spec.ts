import { TestBed } from '@angular/core/testing';
import { ThemeToggle } from './theme-toggle';
import { applyStoredTheme, THEME_STORAGE_KEY, ThemeService } from './theme.service';

describe('theme', () => {
  const root = document.documentElement;

  beforeEach(() => {
    localStorage.clear();
    root.removeAttribute('data-theme');
  });

  it('follows the system until the person chooses, then remembers the choice', () => {
    applyStoredTheme(document);
    expect(root.hasAttribute('data-theme')).toBe(false);

    const theme = TestBed.inject(ThemeService);
    expect(theme.preference()).toBe('system');
    theme.set('dark');
    expect(root.getAttribute('data-theme')).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');

    // A new page load applies the stored choice before the app starts.
    root.removeAttribute('data-theme');
    applyStoredTheme(document);
    expect(root.getAttribute('data-theme')).toBe('dark');

    theme.set('system');
    expect(root.hasAttribute('data-theme')).toBe(false);
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBeNull();
  });

  it('ignores a stored value it does not know', () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'sepia');
    applyStoredTheme(document);
    expect(root.hasAttribute('data-theme')).toBe(false);
    expect(TestBed.inject(ThemeService).preference()).toBe('system');
  });

  it('offers system, light and dark in a labelled select that applies the choice', async () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'light');
    const fixture = TestBed.createComponent(ThemeToggle);
    await fixture.whenStable();
    const el = fixture.nativeElement as HTMLElement;
    const select = el.querySelector('select') as HTMLSelectElement;

    expect(el.querySelector(`label[for="${select.id}"]`)?.textContent).toContain('Colour theme');
    expect([...select.options].map((o) => o.value)).toEqual(['system', 'light', 'dark']);
    expect(select.value).toBe('light');

    select.value = 'dark';
    select.dispatchEvent(new Event('change'));
    await fixture.whenStable();
    expect(root.getAttribute('data-theme')).toBe('dark');
    expect(TestBed.inject(ThemeService).preference()).toBe('dark');
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
  });
});
