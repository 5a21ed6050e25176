/** Longest summary of a tool call's input (one line in the live sessions panel). */
export const TOOL_SUMMARY_MAX = 120;

/** The inputs that name what a call is about, most telling first (bash command, file path...). */
const TELLING_KEYS = ['command', 'path', 'pattern', 'query', 'name', 'featureId'] as const;

/** One line of at most `max` characters, whitespace runs (newlines too) collapsed. */
export function oneLine(text: string, max = TOOL_SUMMARY_MAX): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/**
 * What a tool call was about, in one line: its telling inputs (`npm test`, `src/app.ts`), else
 * its input as compact JSON; empty when it had none.
 */
export function toolCallSummary(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input !== 'object' || Array.isArray(input)) return oneLine(JSON.stringify(input));
  const fields = input as Record<string, unknown>;
  const telling = TELLING_KEYS.map((k) => fields[k]).filter(
    (v): v is string | number => typeof v === 'string' || typeof v === 'number',
  );
  if (telling.length > 0) return oneLine(telling.join(' '));
  return Object.keys(fields).length === 0 ? '' : oneLine(JSON.stringify(fields));
}
