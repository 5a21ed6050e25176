import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** One tab of a project's pages: a path under `/projects/:id` ('' is the board). */
export interface ProjectTab {
  path: string;
  label: string;
}

/**
 * Every page of a project, in the order a person meets them. Each screen's lib adds its own
 * entry here, so the tab bar stays the one place that lists them.
 */
export const PROJECT_TABS: readonly ProjectTab[] = [
  { path: '', label: 'Board' },
  { path: 'graph', label: 'Graph' },
  { path: 'chat', label: 'Chat' },
  { path: 'stats', label: 'Stats' },
  { path: 'code', label: 'Code' },
  { path: 'schedules', label: 'Schedules' },
  // Settings stays the last tab.
  { path: 'settings', label: 'Settings' },
];

/** The project's tab bar: the same on every project page, scrolls sideways on a phone. */
@Component({
  selector: 'ac-project-nav',
  imports: [RouterLink, RouterLinkActive],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nav class="tabs" aria-label="Project pages" data-testid="project-nav">
      @for (tab of tabs; track tab.path) {
        <a
          [routerLink]="
            tab.path ? ['/projects', projectId(), tab.path] : ['/projects', projectId()]
          "
          routerLinkActive="active"
          [routerLinkActiveOptions]="{ exact: !tab.path }"
          ariaCurrentWhenActive="page"
          [attr.data-testid]="'project-tab-' + (tab.path || 'board')"
          >{{ tab.label }}</a
        >
      }
    </nav>
  `,
  styles: `
    .tabs {
      display: flex;
      gap: 0.25rem;
      overflow-x: auto;
      border-bottom: 1px solid var(--ac-border);
      scrollbar-width: thin;
    }
    a {
      padding: 0.5rem 0.85rem;
      white-space: nowrap;
      color: var(--ac-muted);
      text-decoration: none;
      border-bottom: 2px solid transparent;
      font-weight: 500;
    }
    a:hover {
      color: var(--ac-text);
    }
    a.active {
      color: var(--ac-text);
      border-bottom-color: var(--ac-accent);
    }
    a:focus-visible {
      outline: 2px solid var(--ac-accent);
      outline-offset: -2px;
    }
  `,
})
export class ProjectNav {
  readonly projectId = input.required<string>();
  protected readonly tabs = PROJECT_TABS;
}
