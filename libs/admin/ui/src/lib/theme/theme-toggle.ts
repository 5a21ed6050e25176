import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { THEME_PREFERENCES, type ThemePreference, ThemeService } from './theme.service';

const LABELS: Record<ThemePreference, string> = {
  system: 'System theme',
  light: 'Light',
  dark: 'Dark',
};

/** The top bar's theme choice: follow the system, or always light, or always dark. */
@Component({
  selector: 'ac-theme-toggle',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <label class="visually-hidden" for="ac-theme">Colour theme</label>
    <select id="ac-theme" data-testid="theme-toggle" (change)="choose($event)">
      @for (option of options; track option) {
        <option [value]="option" [selected]="option === theme.preference()">
          {{ labels[option] }}
        </option>
      }
    </select>
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    select {
      padding: 0.2rem 0.4rem;
      border: 1px solid var(--ac-topbar-border);
      border-radius: 6px;
      background-color: transparent;
      color: var(--ac-topbar-text);
      font-size: 0.85rem;
    }
    option {
      background: var(--ac-surface);
      color: var(--ac-text);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
})
export class ThemeToggle {
  protected readonly theme = inject(ThemeService);
  protected readonly options = THEME_PREFERENCES;
  protected readonly labels = LABELS;

  protected choose(event: Event): void {
    const value = (event.target as HTMLSelectElement).value as ThemePreference;
    if (THEME_PREFERENCES.includes(value)) this.theme.set(value);
  }
}
