import { Injectable, signal } from '@angular/core';
import type { FeatureStatus } from '@autocoder/shared-contracts';

export const COLLAPSED_COLUMNS_KEY = 'autocoder.board.collapsed';

/** Columns that may be folded away: the passing one grows largest and needs the least watching. */
export const COLLAPSIBLE_STATUSES: readonly FeatureStatus[] = ['passing'];

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled (privacy settings): the choice then lasts for the page only
  }
}

function read(): FeatureStatus[] {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(COLLAPSED_COLUMNS_KEY) ?? '[]');
    return Array.isArray(parsed)
      ? COLLAPSIBLE_STATUSES.filter((status) => parsed.includes(status))
      : [];
  } catch {
    return [];
  }
}

/** Which board columns are folded, remembered in this browser across projects and visits. */
@Injectable({ providedIn: 'root' })
export class ColumnCollapse {
  readonly collapsed = signal<ReadonlySet<FeatureStatus>>(new Set(read()));

  toggle(status: FeatureStatus): void {
    if (!COLLAPSIBLE_STATUSES.includes(status)) return;
    const next = new Set(this.collapsed());
    if (!next.delete(status)) next.add(status);
    this.collapsed.set(next);
    try {
      storage()?.setItem(COLLAPSED_COLUMNS_KEY, JSON.stringify([...next]));
    } catch {
      // quota or disabled storage: keep the in-memory choice
    }
  }
}
