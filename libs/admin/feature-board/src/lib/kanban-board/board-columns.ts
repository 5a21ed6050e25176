import {
  type BoardColumn,
  type BoardView,
  FEATURE_STATUSES,
  type FeatureStatus,
  type FeatureView,
} from '@autocoder/shared-contracts';

/** Cards per request, per column: the first page and every page after it. */
export const BOARD_PAGE_SIZE = 50;

export type BoardColumns = Record<FeatureStatus, BoardColumn>;

export function emptyColumns(): BoardColumns {
  const columns = {} as BoardColumns;
  for (const status of FEATURE_STATUSES) columns[status] = { status, total: 0, items: [] };
  return columns;
}

/** The api's first pages as five columns in workflow order, even if it leaves a column out. */
export function columnsFromView(view: BoardView): BoardColumns {
  const columns = emptyColumns();
  for (const column of view.columns) columns[column.status] = column;
  return columns;
}

/**
 * A refresh brings only the first page of each column (one request, whatever the person has
 * scrolled to). Cards loaded beyond it are kept, so a deep scroll position survives the live
 * updates, minus every card the fresh pages now show somewhere (it moved or changed) and minus
 * any overflow past the fresh total. Cards beyond the first page update when they are paged
 * in again; the totals are always fresh.
 */
export function mergeRefresh(current: BoardColumns, view: BoardView): BoardColumns {
  const fresh = columnsFromView(view);
  const freshIds = new Set<string>();
  for (const status of FEATURE_STATUSES) {
    for (const item of fresh[status].items) freshIds.add(item.id);
  }
  const merged = emptyColumns();
  for (const status of FEATURE_STATUSES) {
    const { total, items } = fresh[status];
    const tail =
      items.length < view.limit
        ? [] // the first page already holds the whole column
        : current[status].items.slice(view.limit).filter((item) => !freshIds.has(item.id));
    merged[status] = { status, total, items: [...items, ...tail].slice(0, total) };
  }
  return merged;
}

/** Appends a later page of one column, skipping cards already shown (the list may have shifted). */
export function appendPage(current: BoardColumn, page: BoardColumn): BoardColumn {
  const known = new Set(current.items.map((item) => item.id));
  const added: FeatureView[] = page.items.filter((item) => !known.has(item.id));
  return { status: current.status, total: page.total, items: [...current.items, ...added] };
}

/** Every category seen on the board so far, for the category filter. */
export function categoriesOf(columns: BoardColumns, known: ReadonlySet<string>): Set<string> {
  const categories = new Set(known);
  for (const status of FEATURE_STATUSES) {
    for (const item of columns[status].items) categories.add(item.category);
  }
  return categories;
}
