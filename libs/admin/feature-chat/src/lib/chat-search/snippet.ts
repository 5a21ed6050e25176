/** A piece of a search snippet: plain text, marked or not. */
export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * Splits a snippet (plain text) at the api's highlight offsets ([start, end) pairs). The parts
 * are shown as text nodes, never as HTML, so a snippet can hold anything. Offsets out of range,
 * overlapping or out of order are clipped rather than trusted.
 */
export function snippetParts(
  snippet: string,
  highlights: readonly [number, number][],
): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let at = 0;
  const sorted = [...highlights].sort((a, b) => a[0] - b[0]);
  for (const [rawStart, rawEnd] of sorted) {
    const start = Math.max(at, Math.min(rawStart, snippet.length));
    const end = Math.max(start, Math.min(rawEnd, snippet.length));
    if (end === start) continue;
    if (start > at) parts.push({ text: snippet.slice(at, start), match: false });
    parts.push({ text: snippet.slice(start, end), match: true });
    at = end;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), match: false });
  return parts;
}
