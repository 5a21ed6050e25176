import type { ParamMap, Params } from '@angular/router';
import {
  type BoardQuery,
  FEATURE_STATUSES,
  type FeatureStatus,
  type FeatureView,
} from '@autocoder/shared-contracts';

/** What the person narrowed the board to; it lives in the URL so a filtered board can be shared. */
export interface BoardFilter {
  status: FeatureStatus | null;
  category: string | null;
  q: string;
}

export const NO_FILTER: BoardFilter = { status: null, category: null, q: '' };

/** The query parameter names, shared with links to a filtered board. */
export const FILTER_PARAMS = { status: 'status', category: 'category', q: 'q' } as const;

function isStatus(value: string | null): value is FeatureStatus {
  return value !== null && (FEATURE_STATUSES as readonly string[]).includes(value);
}

/** Reads the filter from the URL; values the api would refuse are ignored, not passed on. */
export function filterFromParams(params: ParamMap): BoardFilter {
  const status = params.get(FILTER_PARAMS.status);
  const category = params.get(FILTER_PARAMS.category)?.trim().slice(0, 100) ?? '';
  const q = params.get(FILTER_PARAMS.q)?.trim().slice(0, 200) ?? '';
  return { status: isStatus(status) ? status : null, category: category || null, q };
}

/** Query parameters for the URL: null removes a parameter when merged into the current ones. */
export function filterToParams(filter: BoardFilter): Params {
  return {
    [FILTER_PARAMS.status]: filter.status,
    [FILTER_PARAMS.category]: filter.category,
    [FILTER_PARAMS.q]: filter.q.trim() || null,
  };
}

/** The same filter as api query parameters. */
export function filterToQuery(filter: BoardFilter): Partial<BoardQuery> {
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.q.trim() ? { q: filter.q.trim() } : {}),
  };
}

export function sameFilter(a: BoardFilter, b: BoardFilter): boolean {
  return a.status === b.status && a.category === b.category && a.q.trim() === b.q.trim();
}

/**
 * The api's rule (name or description contains the text, case-insensitive; category exact),
 * applied to the cards already loaded so the board narrows on the keystroke while the api's
 * answer, with the true totals and the cards not loaded yet, is on its way.
 */
export function matchesFilter(feature: FeatureView, filter: BoardFilter): boolean {
  if (filter.category && feature.category !== filter.category) return false;
  const q = filter.q.trim().toLowerCase();
  if (!q) return true;
  return feature.name.toLowerCase().includes(q) || feature.description.toLowerCase().includes(q);
}
