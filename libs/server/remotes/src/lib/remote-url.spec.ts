import { DomainError } from '@autocoder/shared-contracts';
import { checkRemoteUrl, sameOrigin } from './remote-url';

function refusal(url: string, allowHttp = false): string {
  try {
    checkRemoteUrl(url, allowHttp);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe('invalid');
    return (err as DomainError).message;
  }
  throw new Error(`${url} was accepted`);
}

describe('checkRemoteUrl', () => {
  it('accepts https remotes, and http only when allowed', () => {
    expect(checkRemoteUrl('https://github.com/acme/app.git', false).href).toBe(
      'https://github.com/acme/app.git',
    );
    expect(checkRemoteUrl('http://127.0.0.1:8080/app.git', true).href).toBe(
      'http://127.0.0.1:8080/app.git',
    );
    expect(refusal('http://127.0.0.1:8080/app.git')).toContain('must be https://');
  });

  it('refuses credentials in the URL and sends them to `credential`', () => {
    expect(refusal(['https://alice', 'not-a-secret@github.com/acme/app.git'].join(':'))).toContain(
      'put the credential in `credential`',
    );
    expect(refusal('https://token@github.com/acme/app.git')).toContain('`credential`');
  });

  it('refuses other schemes, queries, fragments and missing paths', () => {
    for (const url of [
      'file:///tmp/x.git',
      'ssh://git@github.com/acme/app.git',
      'ext::sh -c touch% /tmp/pwned',
      '-uhttps://x',
      'https://github.com/acme/app.git?x=1',
      'https://github.com/acme/app.git#main',
      'https://github.com',
      'https://github.com/',
    ]) {
      expect(refusal(url, true)).toMatch(/^url /);
    }
  });
});

describe('sameOrigin', () => {
  it('compares scheme, host and port', () => {
    expect(sameOrigin('https://github.com/a/b.git', 'https://github.com/c/d.git')).toBe(true);
    expect(sameOrigin('https://github.com/a/b.git', 'https://gitlab.com/a/b.git')).toBe(false);
    expect(sameOrigin('https://h/a.git', 'https://h:8443/a.git')).toBe(false);
    expect(sameOrigin('http://h/a.git', 'https://h/a.git')).toBe(false);
  });
});
