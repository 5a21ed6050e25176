import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS, redactQuery, redactQueryObject } from './redaction';

/** One JSON log line written by pino with the services' redaction. */
function logged(obj: Record<string, unknown>): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink).info(obj, 'line');
  return out;
}

describe('log redaction', () => {
  it('removes credentials from request and response headers', () => {
    const line = logged({
      req: {
        headers: {
          authorization: 'Bearer acp_secret-token-value',
          cookie: 'autocoder.sid=s%3Asession-id',
          'x-xsrf-token': 'csrf-token-value',
          'user-agent': 'curl',
        },
      },
      res: { headers: { 'set-cookie': 'autocoder.sid=s%3Anew-session' } },
    });
    for (const secret of [
      'acp_secret-token-value',
      'session-id',
      'csrf-token-value',
      'new-session',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('curl');
  });

  it('removes keys, tokens and secrets from logged objects', () => {
    const line = logged({
      config: {
        ANTHROPIC_API_KEY: 'sk-ant-key',
        SESSION_SECRET: 'session-secret',
        OIDC_CLIENT_SECRET: 'client-secret',
      },
      tokens: { access_token: 'at', refresh_token: 'rt-value', id_token: 'it-value' },
      user: { refreshToken: 'rt2-value', password: 'pw-value' },
    });
    for (const secret of [
      'sk-ant-key',
      'session-secret',
      'client-secret',
      'rt-value',
      'it-value',
      'rt2-value',
      'pw-value',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });
});

describe('query string redaction', () => {
  it('replaces the values of credential parameters by name, without case, keeping the rest', () => {
    expect(
      redactQuery('/api/v1/auth/callback?code=abc&State=xyz&iss=http%3A%2F%2Fidp&access_token'),
    ).toBe(
      '/api/v1/auth/callback?code=[redacted]&State=[redacted]&iss=http%3A%2F%2Fidp&access_token=[redacted]',
    );
    expect(redactQuery('/x?api%5Fkey=k1&limit=5#frag')).toBe(
      '/x?api%5Fkey=[redacted]&limit=5#frag',
    );
    expect(redactQuery('/plain/path')).toBe('/plain/path');
    expect(redactQueryObject({ token: 't', limit: '5' })).toEqual({
      token: '[redacted]',
      limit: '5',
    });
  });
});
