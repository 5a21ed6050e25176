import { gitReason, remoteGitEnv } from './remote-git';

describe('remoteGitEnv', () => {
  it('hands the Authorization header to git through GIT_CONFIG_* only, redirects off', () => {
    const env = remoteGitEnv('Basic YWxpY2U6czNjcjN0');
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.followRedirects',
      GIT_CONFIG_VALUE_0: 'false',
      GIT_CONFIG_KEY_1: 'http.extraHeader',
      GIT_CONFIG_VALUE_1: 'Authorization: Basic YWxpY2U6czNjcjN0',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_GLOBAL: '/dev/null',
    });
    expect(remoteGitEnv()).toMatchObject({ GIT_CONFIG_COUNT: '1' });
    expect(remoteGitEnv()['GIT_CONFIG_KEY_1']).toBeUndefined();
  });

  it("carries none of the process's own variables but PATH and HOME", () => {
    process.env['SOME_SECRET_OF_OURS'] = 'x';
    try {
      expect(remoteGitEnv()['SOME_SECRET_OF_OURS']).toBeUndefined();
    } finally {
      delete process.env['SOME_SECRET_OF_OURS'];
    }
  });
});

describe('gitReason', () => {
  it('masks the secrets, their base64 and userinfo, and drops hints', () => {
    const secret = 's3cr3t-token';
    const stderr = [
      `fatal: unable to access 'https://alice:${secret}@example.test/a.git/': 401`,
      `remote: header Basic ${Buffer.from(secret).toString('base64')}`,
      'hint: try again',
    ].join('\n');
    const reason = gitReason(stderr, [secret, undefined]);
    expect(reason).not.toContain(secret);
    expect(reason).not.toContain(Buffer.from(secret).toString('base64'));
    expect(reason).not.toContain('alice');
    expect(reason).not.toContain('hint');
    expect(reason).toContain('https://example.test/a.git/');
  });

  it('says so when git said nothing, and keeps long complaints short', () => {
    expect(gitReason('\n', [])).toBe('git gave no reason');
    expect(gitReason('x'.repeat(5000), []).length).toBe(500);
  });
});
