import { basicUserOf, createTokenCheck, tokenOf } from './authorization';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('authorization', () => {
  const token = 'a-token-of-at-least-32-characters-long';
  const check = createTokenCheck(token);

  it('accepts the token as the Basic password of any user, or as a Bearer token', () => {
    expect(check(basic(`autocoder:${token}`))).toBe(true);
    expect(check(basic(`someone:${token}`))).toBe(true);
    expect(check(basic(`:${token}`))).toBe(true);
    expect(check(`Bearer ${token}`)).toBe(true);
    expect(check(`bearer ${token}`)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      basic(token),
      basic(`${token}:autocoder`),
      basic('autocoder:'),
      `Token ${token}`,
      `Basic ${token}`,
    ]) {
      expect({ header, ok: check(header) }).toEqual({ header, ok: false });
    }
  });

  it('reads the token and the Basic user', () => {
    expect(tokenOf(basic('u:p:with:colons'))).toBe('p:with:colons');
    expect(basicUserOf(basic('runner-1:p'))).toBe('runner-1');
    expect(basicUserOf(`Bearer ${token}`)).toBeUndefined();
    expect(basicUserOf(basic('evil\n0000 forged:p'))).toBeUndefined();
    expect(basicUserOf(basic(':p'))).toBeUndefined();
  });
});
