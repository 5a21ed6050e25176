import type { LiveEvent, SessionView } from '@autocoder/shared-contracts';

/** The input fields that say most about a tool call, in the order they are looked for. */
const TELLING_FIELDS = ['command', 'path', 'pattern', 'file', 'query', 'featureId', 'name'];
const SUMMARY_CHARS = 120;

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS - 1)}…` : line;
}

/** One line for a tool call's input: its most telling field, else its JSON, clipped. */
export function summarizeToolInput(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'object') return clip(String(input));
  const record = input as Record<string, unknown>;
  for (const field of TELLING_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' && value) return clip(value);
  }
  try {
    return clip(JSON.stringify(input));
  } catch {
    return '';
  }
}

function dataOf(event: LiveEvent): Record<string, unknown> {
  return typeof event.data === 'object' && event.data !== null
    ? (event.data as Record<string, unknown>)
    : {};
}

/**
 * Applies a session's live event to the panel at once (its last tool call, its turn), so the
 * panel moves as the agent does; null when the event is not about a listed session's progress.
 */
export function applySessionEvent(
  sessions: readonly SessionView[],
  event: LiveEvent,
): SessionView[] | null {
  if (event.type !== 'tool.call' && event.type !== 'model.response') return null;
  const index = sessions.findIndex((s) => s.run.id === event.runId);
  if (index < 0) return null;
  const session = sessions[index];
  const data = dataOf(event);
  let next: SessionView;
  if (event.type === 'tool.call') {
    const name = typeof data['tool'] === 'string' ? data['tool'] : event.message;
    next = {
      ...session,
      lastTool: { name, summary: summarizeToolInput(data['input']), at: event.at },
    };
  } else {
    const turn = typeof data['turn'] === 'number' ? data['turn'] : session.turns + 1;
    next = { ...session, turns: Math.max(session.turns, turn) };
  }
  const copy = [...sessions];
  copy[index] = next;
  return copy;
}
