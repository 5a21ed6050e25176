import { scrubErrorEvent, scrubText, scrubValue } from './error-report-scrub';

describe('scrubText', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.abc-def', 'eyJhbGciOi'],
    ['token acp_3f9kQ2xYz_lmnop7 was refused', 'acp_3f9kQ2xYz_lmnop7'],
    ['key sk-ant-api03-AbCdEf123456 leaked', 'sk-ant-api03-AbCdEf123456'],
    ['gemini AIzaSyA1b2C3d4E5f6G7h8I9j0KLMNOP', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KLMNOP'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature here', 'eyJzdWIiOiIxIn0'],
    ['GET /cb?code=abc123&state=xyz789&iss=x', 'abc123'],
    ['GET /cb?code=abc123&state=xyz789&iss=x', 'xyz789'],
    ['{"password":"hunter2hunter2"}', 'hunter2hunter2'],
    ['redis://user:p4ssw0rd@redis:6379', 'p4ssw0rd'],
    [
      'secret Zm9vYmFyYmF6UXV4MTIzNDU2Nzg5MEFCQ0RFRkdI in text',
      'Zm9vYmFyYmF6UXV4MTIzNDU2Nzg5MEFCQ0RFRkdI',
    ],
  ])('removes the credential from %j', (text, secret) => {
    const out = scrubText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('keeps ordinary text, UUIDs, paths and status codes', () => {
    const text =
      'request 3f1c2a9e-4b7d-4c1e-9a2b-1c2d3e4f5a6b failed at /work/app/node_modules/@nestjs/core/router/router-execution-context.js (statusCode: 500)';
    expect(scrubText(text)).toBe(text);
  });
});

describe('scrubValue', () => {
  it('censors secret-named keys at any depth and scrubs strings', () => {
    expect(
      scrubValue({
        a: { apiKey: 'x', nested: [{ sessionId: 'y', note: 'Bearer abc.def' }] },
        email: 'ada@example.org',
        count: 3,
        empty: '',
      }),
    ).toEqual({
      a: { apiKey: '[redacted]', nested: [{ sessionId: '[redacted]', note: '[redacted]' }] },
      email: '[redacted]',
      count: 3,
      empty: '',
    });
  });
});

describe('scrubErrorEvent', () => {
  it('drops body, cookies, credential headers and the user; censors query secrets', () => {
    const event = scrubErrorEvent({
      message: 'failed for Bearer abc123',
      request: {
        method: 'POST',
        url: 'https://x.test/api/v1/projects?token=t0ps3cret&page=2',
        query_string: 'token=t0ps3cret&page=2',
        headers: {
          authorization: 'Bearer abc123',
          cookie: 'ac_session=s3ss10n',
          'x-xsrf-token': 'csrf',
          'x-api-key': 'k',
          'user-agent': 'curl/8',
          'x-request-id': 'r-1',
        },
        cookies: { ac_session: 's3ss10n' },
        data: { password: 'hunter2' },
        env: { REMOTE_ADDR: '10.0.0.1' },
      },
      user: { id: 'u1', email: 'ada@example.org', ip_address: '10.0.0.1', username: 'ada' },
      exception: {
        values: [
          {
            value: `connect to ${'postgres'}://app:pw123456@db/x failed`,
            stacktrace: { frames: [{ vars: { token: 'v' } }] },
          },
        ],
      },
      tags: { role: 'admin', request_id: 'r-1' },
      extra: { body: { password: 'p' } },
      breadcrumbs: [{ message: 'GET /x?access_token=zzz', data: { url: '/y?code=c0de1' } }],
    });
    const sent = JSON.stringify(event);
    for (const secret of [
      'abc123',
      't0ps3cret',
      's3ss10n',
      'csrf',
      'hunter2',
      'ada',
      '10.0.0.1',
      'pw123456',
      '"v"',
      'zzz',
      'c0de1',
    ]) {
      expect(sent).not.toContain(secret);
    }
    expect(event.request).toEqual({
      method: 'POST',
      url: 'https://x.test/api/v1/projects?token=[redacted]&page=2',
      query_string: 'token=[redacted]&page=2',
      headers: { 'user-agent': 'curl/8', 'x-request-id': 'r-1' },
    });
    expect(event.user).toBeUndefined();
    expect(event.tags).toEqual({ role: 'admin', request_id: 'r-1' });
  });
});
