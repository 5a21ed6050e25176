import type { LiveEvent, RunEventView } from '@autocoder/shared-contracts';

/** Levels from least to most severe; a filter shows its level and everything above it. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevelFilter = (typeof LOG_LEVELS)[number];

export function levelRank(level: string): number {
  const rank = (LOG_LEVELS as readonly string[]).indexOf(level);
  return rank === -1 ? 1 : rank;
}

/**
 * The same event arrives twice when the stream and a refetch overlap; live events carry no
 * stored id, so an event is known by its time, type and message.
 */
export function eventKey(event: Pick<RunEventView, 'createdAt' | 'type' | 'message'>): string {
  return `${event.createdAt}\u0000${event.type}\u0000${event.message}`;
}

/** A live event of the run, in the shape of its stored log entry (the id is synthetic). */
export function fromLiveEvent(event: LiveEvent): RunEventView {
  return {
    id: `live:${event.at}:${event.type}:${event.message}`,
    type: event.type,
    level: event.level,
    message: event.message,
    data: event.data ?? null,
    createdAt: event.at,
  };
}

/** Adds what is new to a log, keeping it in time order and each event once. */
export function mergeEvents(current: RunEventView[], incoming: RunEventView[]): RunEventView[] {
  const seen = new Set(current.map(eventKey));
  const added = incoming.filter((e) => {
    const key = eventKey(e);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (added.length === 0) return current;
  const merged = [...current, ...added];
  // Stored ids break ties in the same millisecond; appended live events are already in order.
  const last = current.at(-1)?.createdAt ?? '';
  return added.every((e) => e.createdAt >= last)
    ? merged
    : merged.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

const SUMMARY_KEYS = ['command', 'path', 'pattern', 'query', 'featureId', 'name', 'url'];

/** The one line a tool call shows collapsed: the tool and its most telling argument. */
export function summarize(event: RunEventView): string {
  if (event.type !== 'tool.call') return event.message;
  const input = (event.data as { input?: unknown } | null)?.input;
  if (input === undefined || input === null) return event.message;
  if (typeof input === 'object') {
    const record = input as Record<string, unknown>;
    const key = SUMMARY_KEYS.find((k) => typeof record[k] === 'string');
    if (key) return `${event.message} ${oneLine(String(record[key]))}`;
  }
  return `${event.message} ${oneLine(JSON.stringify(input))}`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Whether a row has more than its one line to show. */
export function hasDetail(event: RunEventView): boolean {
  return (
    (event.data !== null && event.data !== undefined) ||
    event.message.length > 60 ||
    event.message.includes('\n')
  );
}
