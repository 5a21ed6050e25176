import { markdownOfMessage } from './conversation-export.service';
import { parseHeadline } from './chat-views';

describe('parseHeadline', () => {
  it('turns the marks into plain text and ranges', () => {
    const { snippet, highlights } = parseHeadline('Store \u0001todos\u0002 in \u0001SQLite\u0002.');
    expect(snippet).toBe('Store todos in SQLite.');
    expect(highlights.map(([a, b]) => snippet.slice(a, b))).toEqual(['todos', 'SQLite']);
  });

  it('counts characters beyond the BMP as the browser does (UTF-16 offsets)', () => {
    const { snippet, highlights } = parseHeadline('🙂 \u0001merge\u0002');
    expect(snippet.slice(...highlights[0])).toBe('merge');
  });

  it('ignores unbalanced or empty marks', () => {
    expect(parseHeadline('a\u0002b\u0001\u0002c\u0001d')).toEqual({
      snippet: 'abcd',
      highlights: [],
    });
  });
});

describe('markdownOfMessage', () => {
  const base = {
    id: 'm1',
    conversationId: 'c1',
    createdAt: '2026-12-01T10:00:00.000Z',
    toolCalls: null,
    toolResult: null,
    provider: null,
    model: null,
    fallbackFrom: null,
    stopped: false,
    notice: null,
  };

  it('fences tool results longer than any back-tick run inside them', () => {
    const md = markdownOfMessage({
      ...base,
      role: 'tool',
      content: 'a ```` b',
      toolResult: { toolUseId: 't', name: 'read_file', isError: false },
    });
    expect(md).toContain('`````\na ```` b\n`````');
  });

  it('lists the tools an assistant message called', () => {
    const md = markdownOfMessage({
      ...base,
      role: 'assistant',
      content: 'Looking.',
      toolCalls: [{ id: 't', name: 'feature_get', input: { id: 'f1' } }],
    });
    expect(md).toMatch(
      /^### Assistant · 2026-12-01T10:00:00.000Z\n\nLooking\.\n\nCalled `feature_get`:/,
    );
    expect(md).toContain('```json\n{\n  "id": "f1"\n}\n```');
  });

  it('names who wrote a reply and says when it was stopped', () => {
    const md = markdownOfMessage({
      ...base,
      role: 'assistant',
      content: 'Half an ans',
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      stopped: true,
    });
    expect(md).toMatch(
      /^### Assistant \(anthropic claude-sonnet-5-5\) · 2026-12-01T10:00:00.000Z · stopped\n\nHalf an ans/,
    );
  });
});
