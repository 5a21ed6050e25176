import { isHostAllowed } from './filtering-proxy';
import { registryHost, secretFilesOf } from './sandboxes';

describe('sandbox policy helpers', () => {
  it('matches hosts, ports and subdomain patterns', () => {
    const allowed = ['registry.internal', 'mirror.internal:8443', '*.cdn.internal', '[::1]:9000'];
    expect(isHostAllowed(allowed, 'registry.internal', 443)).toBe(true);
    expect(isHostAllowed(allowed, 'REGISTRY.internal', 80)).toBe(true);
    expect(isHostAllowed(allowed, 'mirror.internal', 8443)).toBe(true);
    expect(isHostAllowed(allowed, 'mirror.internal', 443)).toBe(false);
    expect(isHostAllowed(allowed, 'a.cdn.internal', 443)).toBe(true);
    expect(isHostAllowed(allowed, 'cdn.internal', 443)).toBe(false);
    expect(isHostAllowed(allowed, 'evilcdn.internal', 443)).toBe(false);
    expect(isHostAllowed(allowed, 'registry.internal.evil', 443)).toBe(false);
    expect(isHostAllowed(allowed, '[::1]', 9000)).toBe(true);
    expect(isHostAllowed([], 'registry.internal', 443)).toBe(false);
  });

  it("takes the registry's host (and port) from its URL", () => {
    expect(registryHost('https://registry.internal/')).toBe('registry.internal');
    expect(registryHost('http://127.0.0.1:4873/npm/')).toBe('127.0.0.1:4873');
    expect(registryHost('not a url')).toBeNull();
  });

  it('hides the files the runner reads secrets from', () => {
    expect(
      secretFilesOf({
        DATABASE_URL_FILE: '/run/secrets/database_url',
        ANTHROPIC_API_KEY_FILE: 'relative/path',
        DATABASE_URL: 'postgresql://x',
      }),
    ).toEqual(['/run/secrets/database_url']);
  });
});
