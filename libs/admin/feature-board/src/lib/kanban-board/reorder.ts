import type { FeatureView } from '@autocoder/shared-contracts';

export type MoveDirection = 'up' | 'down';

/** A priority to write with PATCH. */
export interface PriorityChange {
  id: string;
  priority: number;
}

/**
 * The priority changes that move the card at `index` of a column (ordered as the board orders
 * it: priority, then age) past its neighbour: the two swap priorities; when they share one, the
 * card moved takes the next number past it (or, moving up from 0, the neighbour moves down).
 * Nothing when there is no neighbour that way.
 */
export function movePriorities(
  items: readonly FeatureView[],
  index: number,
  direction: MoveDirection,
): PriorityChange[] {
  const other = direction === 'up' ? index - 1 : index + 1;
  const a = items[index];
  const b = items[other];
  if (!a || !b) return [];
  if (a.priority !== b.priority) {
    return [
      { id: a.id, priority: b.priority },
      { id: b.id, priority: a.priority },
    ];
  }
  if (direction === 'down') return [{ id: a.id, priority: a.priority + 1 }];
  return a.priority > 0
    ? [{ id: a.id, priority: a.priority - 1 }]
    : [{ id: b.id, priority: b.priority + 1 }];
}

/** The board's order within a column: priority, then creation, then id. */
export function byBoardOrder(a: FeatureView, b: FeatureView): number {
  return (
    a.priority - b.priority || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)
  );
}

/** A column's cards with new priorities applied and put back in the board's order. */
export function withPriorities(
  items: readonly FeatureView[],
  changes: readonly PriorityChange[],
): FeatureView[] {
  const next = new Map(changes.map((c) => [c.id, c.priority]));
  return items
    .map((f) => (next.has(f.id) ? { ...f, priority: next.get(f.id) ?? f.priority } : f))
    .sort(byBoardOrder);
}
