import {
  ChangeDetectionStrategy,
  Component,
  computed,
  type ElementRef,
  inject,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { AutocoderApi, toApiError } from '@autocoder/admin-data-access-api';
import { StatusBadge } from '@autocoder/admin-ui';
import type { BoardView, FeatureRefView } from '@autocoder/shared-contracts';
import { catchError, debounceTime, distinctUntilChanged, map, of, switchMap } from 'rxjs';

/** Typing settles this long before the api is asked. */
export const FEATURE_SEARCH_DEBOUNCE_MS = 200;
/** Matches asked of each status column, and shown in all. */
const PER_COLUMN = 5;
const SHOWN = 8;

type Found =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; items: FeatureRefView[] }
  | { state: 'failed'; message: string };

/** A board answer as one list of matches, names starting with the text first. */
export function matchesOf(view: BoardView, text: string): FeatureRefView[] {
  const needle = text.trim().toLowerCase();
  const all = view.columns.flatMap((c) =>
    c.items.map((f) => ({ id: f.id, name: f.name, status: f.status })),
  );
  const rank = (f: FeatureRefView) => {
    const name = f.name.toLowerCase();
    return name.startsWith(needle) ? 0 : name.includes(needle) ? 1 : 2;
  };
  return all.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

let nextSearchId = 0;

/**
 * Finds features of a project by name (the board's text filter, which also searches
 * descriptions) and offers each match as a button; choosing one emits it. Features in `exclude`
 * (the feature itself, those already chosen) are left out. Used to add dependencies, in the
 * feature panel and the add-feature form.
 */
@Component({
  selector: 'ac-feature-search',
  imports: [StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="search">
      <label [for]="inputId" class="label">{{ label() }}</label>
      <input
        #box
        type="search"
        autocomplete="off"
        maxlength="200"
        [id]="inputId"
        [value]="text()"
        [disabled]="disabled()"
        [attr.aria-describedby]="describedBy()"
        [attr.aria-invalid]="invalid() ? 'true' : null"
        [attr.aria-controls]="listId"
        placeholder="Search features by name"
        data-testid="feature-search-input"
        (input)="onInput($event)"
        (keydown.escape)="clear($event)"
      />
      <div class="results" [id]="listId" aria-live="polite">
        @switch (found().state) {
          @case ('loading') {
            <p class="muted note">Searching…</p>
          }
          @case ('failed') {
            <p class="note error">{{ failure() }}</p>
          }
          @case ('done') {
            @if (matches().length === 0) {
              <p class="muted note" data-testid="feature-search-none">No other feature matches.</p>
            } @else {
              <ul aria-label="Matching features">
                @for (m of matches(); track m.id) {
                  <li>
                    <button
                      type="button"
                      class="match"
                      data-testid="feature-search-result"
                      [disabled]="disabled()"
                      (click)="pick(m)"
                    >
                      <span class="name">{{ m.name }}</span>
                      <ac-status-badge [status]="m.status" />
                    </button>
                  </li>
                }
              </ul>
            }
          }
        }
      </div>
    </div>
  `,
  styles: `
    .search {
      display: flex;
      flex-direction: column;
      gap: 0.35rem;
      min-width: 0;
    }
    .label {
      font-weight: 600;
    }
    input {
      width: 100%;
      padding: 0.45rem 0.65rem;
      border: 1px solid var(--ac-border-strong);
      border-radius: 8px;
      background: var(--ac-input-bg);
      color: inherit;
      font: inherit;
    }
    input[aria-invalid='true'] {
      border-color: var(--ac-danger);
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      border: 1px solid var(--ac-border);
      border-radius: 8px;
      overflow: hidden;
    }
    li + li {
      border-top: 1px solid var(--ac-divider);
    }
    .match {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
      width: 100%;
      padding: 0.45rem 0.65rem;
      border: 0;
      background: var(--ac-surface);
      color: var(--ac-text);
      font: inherit;
      text-align: left;
      cursor: pointer;
    }
    .match:hover {
      background: var(--ac-surface-hover);
    }
    .match:focus-visible {
      outline-offset: -2px;
    }
    .name {
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .note {
      margin: 0;
      font-size: 0.85rem;
    }
    .error {
      color: var(--ac-danger);
    }
  `,
})
export class FeatureSearch {
  private readonly api = inject(AutocoderApi);

  readonly projectId = input.required<string>();
  readonly label = input('Find a feature');
  /** Ids not to offer (the feature itself, dependencies it has or that were chosen). */
  readonly exclude = input<readonly string[]>([]);
  readonly disabled = input(false);
  readonly invalid = input(false);
  /** Id of the text that explains the control (an error next to it). */
  readonly describedBy = input<string | null>(null);
  readonly picked = output<FeatureRefView>();

  protected readonly inputId = `ac-feature-search-${nextSearchId}`;
  protected readonly listId = `ac-feature-search-list-${nextSearchId++}`;
  protected readonly text = signal('');
  private readonly box = viewChild.required<ElementRef<HTMLInputElement>>('box');
  protected readonly found = signal<Found>({ state: 'idle' });
  protected readonly matches = computed(() => {
    const found = this.found();
    if (found.state !== 'done') return [];
    const excluded = new Set(this.exclude());
    return found.items.filter((f) => !excluded.has(f.id)).slice(0, SHOWN);
  });
  protected readonly failure = computed(() => {
    const found = this.found();
    return found.state === 'failed' ? found.message : '';
  });

  constructor() {
    toObservable(this.text)
      .pipe(
        map((t) => t.trim()),
        debounceTime(FEATURE_SEARCH_DEBOUNCE_MS),
        distinctUntilChanged(),
        switchMap((q) => {
          if (!q) return of<Found>({ state: 'idle' });
          this.found.set({ state: 'loading' });
          return this.api.getBoard(this.projectId(), { q, limit: PER_COLUMN }).pipe(
            map((view): Found => ({ state: 'done', items: matchesOf(view, q) })),
            catchError((err: unknown) =>
              of<Found>({ state: 'failed', message: toApiError(err).message }),
            ),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((found) => this.found.set(found));
  }

  protected onInput(event: Event): void {
    this.text.set((event.target as HTMLInputElement).value);
  }

  protected clear(event: Event): void {
    if (!this.text()) return;
    // Esc empties the search before it would close the side panel.
    event.stopPropagation();
    this.text.set('');
  }

  protected pick(feature: FeatureRefView): void {
    this.picked.emit(feature);
    this.text.set('');
    // The button chosen goes away with the list: focus returns to the search box.
    this.box().nativeElement.focus();
  }
}
