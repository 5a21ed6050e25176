import { endsTurn, StoredMessage } from './history';

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

describe('endsTurn', () => {
  it('is true for a final answer and for the platform giving up, not for work in progress', () => {
    expect(endsTurn(msg('assistant', 'done'))).toBe(true);
    expect(endsTurn(msg('assistant', '', [call('a')]))).toBe(false);
    expect(endsTurn(msg('tool', 'ok', { toolUseId: 'a', name: 'x', isError: false }))).toBe(false);
    expect(endsTurn(msg('user', 'hi'))).toBe(false);
    expect(endsTurn(msg('system', 'x', { notice: 'failure', replyTo: 'm1' }))).toBe(true);
    expect(endsTurn(msg('system', 'x', { notice: 'tool_limit', replyTo: 'm1' }))).toBe(true);
    expect(endsTurn(msg('system', 'x', { notice: 'fallback', replyTo: 'm1' }))).toBe(false);
  });
});
