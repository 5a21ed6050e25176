import { CurrencyPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { StatusBadge } from '@autocoder/admin-ui';
import type { FeatureSpendView } from '@autocoder/shared-contracts';

export type SpendSortKey = 'name' | 'newWorkUsd' | 'regressionUsd' | 'totalUsd';
/** Rows shown before "show all": the expensive ones are what a person looks for. */
export const SPEND_ROWS_SHOWN = 20;

const COLUMNS: { key: SpendSortKey; title: string; numeric: boolean }[] = [
  { key: 'name', title: 'Feature', numeric: false },
  { key: 'newWorkUsd', title: 'New work', numeric: true },
  { key: 'regressionUsd', title: 'Regression', numeric: true },
  { key: 'totalUsd', title: 'Total', numeric: true },
];

/** What each feature cost, split into new work and regression checks; sortable by column. */
@Component({
  selector: 'ac-feature-spend-table',
  imports: [CurrencyPipe, RouterLink, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (features().length === 0) {
      <p class="muted none">No feature has cost anything yet.</p>
    } @else {
      <div class="scroll">
        <table class="data compact" data-testid="feature-spend">
          <thead>
            <tr>
              @for (column of columns; track column.key) {
                <th
                  [class.num]="column.numeric"
                  [attr.aria-sort]="
                    sortKey() === column.key ? (descending() ? 'descending' : 'ascending') : 'none'
                  "
                >
                  <button
                    type="button"
                    class="sort"
                    [attr.data-testid]="'sort-' + column.key"
                    (click)="sortBy(column.key)"
                  >
                    {{ column.title }}
                    <span aria-hidden="true">{{
                      sortKey() === column.key ? (descending() ? '▼' : '▲') : ''
                    }}</span>
                  </button>
                </th>
              }
            </tr>
          </thead>
          <tbody>
            @for (row of shown(); track row.featureId) {
              <tr data-testid="feature-spend-row">
                <td class="name">
                  <a [routerLink]="['/projects', projectId(), 'features', row.featureId]">{{
                    row.name
                  }}</a>
                  <ac-status-badge [status]="row.status" />
                </td>
                <td class="num">{{ row.newWorkUsd | currency: 'USD' : 'symbol' : '1.2-4' }}</td>
                <td class="num">{{ row.regressionUsd | currency: 'USD' : 'symbol' : '1.2-4' }}</td>
                <td class="num total">{{ row.totalUsd | currency: 'USD' : 'symbol' : '1.2-4' }}</td>
              </tr>
            }
          </tbody>
        </table>
      </div>
      @if (features().length > limit) {
        <button
          type="button"
          class="btn btn-small more"
          data-testid="spend-show-all"
          [attr.aria-expanded]="showAll()"
          (click)="showAll.set(!showAll())"
        >
          {{ showAll() ? 'Show the top ' + limit : 'Show all ' + features().length }}
        </button>
      }
    }
  `,
  styles: `
    .scroll {
      overflow-x: auto;
    }
    .compact td,
    .compact th {
      padding: 0.35rem 0.5rem;
      font-size: 0.85rem;
    }
    .sort {
      all: unset;
      cursor: pointer;
      font: inherit;
      color: inherit;
      text-transform: inherit;
      letter-spacing: inherit;
    }
    .sort:focus-visible {
      outline: 2px solid var(--ac-accent);
      outline-offset: 2px;
      border-radius: 3px;
    }
    .name {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      flex-wrap: wrap;
      min-width: 10rem;
      overflow-wrap: anywhere;
    }
    .total {
      font-weight: 600;
    }
    .none {
      margin: 0;
      font-size: 0.85rem;
    }
    .more {
      margin-top: 0.5rem;
    }
  `,
})
export class FeatureSpendTable {
  /** Most expensive first, as the api sends them. */
  readonly features = input.required<FeatureSpendView[]>();
  readonly projectId = input.required<string>();

  protected readonly columns = COLUMNS;
  protected readonly limit = SPEND_ROWS_SHOWN;
  protected readonly sortKey = signal<SpendSortKey>('totalUsd');
  protected readonly descending = signal(true);
  protected readonly showAll = signal(false);

  protected readonly sorted = computed(() => {
    const key = this.sortKey();
    const sign = this.descending() ? -1 : 1;
    return [...this.features()].sort((a, b) =>
      key === 'name' ? sign * a.name.localeCompare(b.name) : sign * (a[key] - b[key]),
    );
  });
  protected readonly shown = computed(() =>
    this.showAll() ? this.sorted() : this.sorted().slice(0, SPEND_ROWS_SHOWN),
  );

  protected sortBy(key: SpendSortKey): void {
    if (this.sortKey() === key) {
      this.descending.update((d) => !d);
    } else {
      this.sortKey.set(key);
      // Money reads best most-first; names alphabetically.
      this.descending.set(key !== 'name');
    }
  }
}
