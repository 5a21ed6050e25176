import type { MergeQueueEntryView } from '@autocoder/shared-contracts';

/** "42 s", "3 min", "1 h 05 min": how long a request waited, at a glance. */
export function formatWait(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Requests of one batch (merging), or the ones waiting for the next batch. */
export interface QueueGroup {
  /** The batch's id; null for the waiting requests. */
  batchId: string | null;
  state: 'merging' | 'queued';
  /** When the batch started (its earliest request's start); null while waiting. */
  startedAt: string | null;
  entries: MergeQueueEntryView[];
}

/**
 * Groups open requests (in queue order, as the api lists them) by batch: each merging batch,
 * then everything waiting. A queued request keeps the id of a batch that gave it back, so only
 * merging requests group by batch.
 */
export function groupOpen(open: readonly MergeQueueEntryView[]): QueueGroup[] {
  const groups: QueueGroup[] = [];
  const batches = new Map<string, QueueGroup>();
  const waiting: MergeQueueEntryView[] = [];
  for (const entry of open) {
    if (entry.status !== 'merging' || entry.batchId === null) {
      waiting.push(entry);
      continue;
    }
    let group = batches.get(entry.batchId);
    if (!group) {
      group = { batchId: entry.batchId, state: 'merging', startedAt: entry.startedAt, entries: [] };
      batches.set(entry.batchId, group);
      groups.push(group);
    }
    group.entries.push(entry);
    if (entry.startedAt && (!group.startedAt || entry.startedAt < group.startedAt)) {
      group.startedAt = entry.startedAt;
    }
  }
  if (waiting.length > 0) {
    groups.push({ batchId: null, state: 'queued', startedAt: null, entries: waiting });
  }
  return groups;
}

/** A conflict's detail as files, one a line. */
export function conflictFiles(detail: string | null): string[] {
  return (detail ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
