import { DOCUMENT } from '@angular/common';
import { inject, Injectable, signal } from '@angular/core';

/** The person's colour theme: the system's, or one they chose. */
export type ThemePreference = 'system' | 'light' | 'dark';

export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];
export const THEME_STORAGE_KEY = 'autocoder.theme';

function isPreference(value: unknown): value is ThemePreference {
  return THEME_PREFERENCES.includes(value as ThemePreference);
}

/** The stored choice; 'system' when none is stored or storage is unavailable (private mode). */
export function storedThemePreference(storage: Storage | undefined): ThemePreference {
  try {
    const value = storage?.getItem(THEME_STORAGE_KEY);
    return isPreference(value) ? value : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Puts a preference on <html>: `data-theme` for a chosen theme, none for the system's. The
 * global styles do the rest (color-scheme and light-dark() colours), so no script runs per paint.
 */
export function applyThemePreference(root: HTMLElement, preference: ThemePreference): void {
  if (preference === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', preference);
}

/**
 * Applies the stored choice before Angular starts (called from main.ts), so a chosen theme is on
 * the page as early as a script may run under the console's CSP (no inline scripts).
 */
export function applyStoredTheme(doc: Document): void {
  applyThemePreference(doc.documentElement, storedThemePreference(doc.defaultView?.localStorage));
}

/** The theme choice for the top bar's toggle: remembered in localStorage, applied at once. */
@Injectable({ providedIn: 'root' })
export class ThemeService {
  private readonly doc = inject(DOCUMENT);
  private readonly storage = this.doc.defaultView?.localStorage;
  private readonly current = signal<ThemePreference>(storedThemePreference(this.storage));
  readonly preference = this.current.asReadonly();

  set(preference: ThemePreference): void {
    this.current.set(preference);
    applyThemePreference(this.doc.documentElement, preference);
    try {
      if (preference === 'system') this.storage?.removeItem(THEME_STORAGE_KEY);
      else this.storage?.setItem(THEME_STORAGE_KEY, preference);
    } catch {
      // Storage refused (private mode, quota): the choice still holds for this page.
    }
  }
}
