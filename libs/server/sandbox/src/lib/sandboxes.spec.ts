import { isHostAllowed } from './filtering-proxy';
import { bwrapArgs } from './sandbox';
import { Sandboxes, SandboxUnavailableError, registryHost, secretFilesOf } from './sandboxes';

const limits = { memoryMb: 2048, cpuSeconds: 60, maxProcesses: 256 };

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

  it('refuses sessions when no sandbox can be made, and runs none with SANDBOX=off', async () => {
    const missing = new Sandboxes({ mode: 'auto', limits, bwrapPath: '/nonexistent/bwrap' });
    await expect(missing.probe()).resolves.toMatchObject({ state: 'unavailable' });
    await expect(missing.open({ writable: ['/tmp'] })).rejects.toThrow(SandboxUnavailableError);
    await expect(missing.open({ writable: ['/tmp'] })).rejects.toThrow(/SANDBOX=off/);
    const off = new Sandboxes({ mode: 'off', limits, bwrapPath: '/nonexistent/bwrap' });
    await expect(off.probe()).resolves.toEqual({ state: 'off' });
    await expect(off.open({ writable: ['/tmp'] })).resolves.toBeNull();
  });

  it('hides only directories that exist, then binds the session’s own parts over them', () => {
    const args = bwrapArgs(
      {
        writable: ['/srv/ws/p1/worktrees/r1'],
        readOnly: ['/srv/ws/p1/repo'],
        hidden: ['/nonexistent/workspaces', '/etc'],
        hiddenFiles: ['/run/secrets/database_url'],
        allowedHosts: [],
        limits,
      },
      '/tmp/s/tmp',
      '/tmp/s/control',
    ).join(' ');
    expect(args).not.toContain('/nonexistent/workspaces');
    expect(args).toMatch(
      /--tmpfs \/etc .*--ro-bind-try \/dev\/null \/run\/secrets\/database_url .*--ro-bind \/srv\/ws\/p1\/repo .*--bind \/srv\/ws\/p1\/worktrees\/r1/,
    );
    expect(args).toContain('--unshare-all --die-with-parent');
    expect(args).toContain('--clearenv');
  });
});
