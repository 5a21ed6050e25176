import { INTERRUPTED_RESULT, type StoredMessage } from '@autocoder/server-chat';
import { buildHistory } from './model-history';

let clock = 0;
const msg = (
  role: StoredMessage['role'],
  content: string,
  toolCalls: StoredMessage['toolCalls'] = null,
): StoredMessage => ({
  id: `m${++clock}`,
  role,
  content,
  toolCalls,
  createdAt: new Date(1_700_000_000_000 + clock),
});
const call = (id: string, name = 'feature_stats', input: StoredMessage['toolCalls'] = {}) => ({
  id,
  name,
  input,
});
const result = (toolUseId: string, content: string, isError = false, name = 'feature_stats') =>
  msg('tool', content, { toolUseId, name, isError });

describe('buildHistory', () => {
  it('turns a plain exchange into alternating user and assistant turns', () => {
    expect(
      buildHistory([msg('user', 'hi'), msg('assistant', 'hello'), msg('user', 'how many?')]),
    ).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
      { role: 'user', content: [{ type: 'text', text: 'how many?' }] },
    ]);
  });

  it('gives tool calls their results, in call order, in the user turn after them', () => {
    const history = buildHistory([
      msg('user', 'stats please'),
      msg('assistant', 'Checking.', [call('a'), call('b', 'feature_graph')]),
      // stored out of call order: the model still sees them in call order
      result('b', '{"nodes":[]}', false, 'feature_graph'),
      result('a', 'bad input', true),
      msg('assistant', 'There are none.'),
    ]);
    expect(history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'stats please' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'a', name: 'feature_stats', input: {} },
          { type: 'tool_use', id: 'b', name: 'feature_graph', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'a', content: 'bad input', isError: true },
          { type: 'tool_result', toolUseId: 'b', content: '{"nodes":[]}' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'There are none.' }] },
    ]);
  });

  it('answers a call whose result was never stored with an error result', () => {
    const history = buildHistory([
      msg('user', 'go'),
      msg('assistant', '', [call('a'), call('b')]),
      result('a', 'ok'),
    ]);
    expect(history[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'a', name: 'feature_stats', input: {} },
        { type: 'tool_use', id: 'b', name: 'feature_stats', input: {} },
      ],
    });
    expect(history[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolUseId: 'a', content: 'ok' },
        { type: 'tool_result', toolUseId: 'b', content: INTERRUPTED_RESULT, isError: true },
      ],
    });
    expect(history).toHaveLength(3);
  });

  it('leaves system notes out and merges the person messages around a failed turn', () => {
    const history = buildHistory([
      msg('user', 'first'),
      msg('system', 'No reply: provider refused.', { notice: 'failure', replyTo: 'm1' }),
      msg('user', 'second'),
    ]);
    expect(history).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'first' },
          { type: 'text', text: 'second' },
        ],
      },
    ]);
  });

  it('puts a new person message after the results of an interrupted turn', () => {
    const history = buildHistory([
      msg('user', 'go'),
      msg('assistant', 'Looking.', [call('a')]),
      msg('user', 'still there?'),
    ]);
    expect(history[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolUseId: 'a', content: INTERRUPTED_RESULT, isError: true },
        { type: 'text', text: 'still there?' },
      ],
    });
  });

  it('drops empty assistant messages, orphan results and anything before the first user turn', () => {
    const history = buildHistory([
      msg('assistant', 'stray'),
      result('zzz', 'orphan'),
      msg('user', 'hi'),
      msg('assistant', ''),
      msg('assistant', 'hello'),
    ]);
    expect(history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
    ]);
  });

  it('ignores malformed toolCalls columns instead of failing the turn', () => {
    expect(
      buildHistory([msg('user', 'hi'), msg('assistant', 'ok', [{ nope: true }, 'x'])]),
    ).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
    ]);
  });
});
