import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig, loadConfigFor } from './load-config';

const base = { DATABASE_URL: 'postgresql://u:secret@db:5432/app' };

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const c = loadConfig({ ...base, API_PORT: '8080' });
    expect(c).toMatchObject({
      API_PORT: 8080,
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'autocoder',
      JOB_ATTEMPTS: 3,
    });
  });

  it('names every invalid variable with its description', () => {
    expect(() => loadConfig({ API_PORT: 'abc', LLM_PROVIDER: 'openai' })).toThrow(ConfigError);
    try {
      loadConfig({ API_PORT: 'abc', LLM_PROVIDER: 'openai' });
    } catch (err) {
      const message = (err as Error).message;
      expect(message).toMatch(/DATABASE_URL: .*Postgres connection string/);
      expect(message).toMatch(/API_PORT/);
      expect(message).toMatch(/LLM_PROVIDER/);
    }
  });

  it('reads ACTIVE_QUEUES as a list of queue names and refuses an unknown one', () => {
    expect(loadConfig(base).ACTIVE_QUEUES).toEqual(['agent-session', 'control', 'chat']);
    expect(loadConfig({ ...base, ACTIVE_QUEUES: ' chat, control,chat ' }).ACTIVE_QUEUES).toEqual([
      'chat',
      'control',
    ]);
    expect(() => loadConfig({ ...base, ACTIVE_QUEUES: 'chat,agent-sessions' })).toThrow(
      'ACTIVE_QUEUES: unknown queue "agent-sessions"; the queues are agent-session, control, chat',
    );
    expect(() => loadConfig({ ...base, ACTIVE_QUEUES: ',' })).toThrow(
      /ACTIVE_QUEUES: name at least one queue/,
    );
  });

  it('reads TRUSTED_PROXIES as addresses and CIDR ranges, trusting nobody by default', () => {
    expect(loadConfig(base).TRUSTED_PROXIES).toEqual([]);
    expect(
      loadConfig({ ...base, TRUSTED_PROXIES: ' 172.30.80.2, 10.0.0.0/8 ,fd00::/8,::1' })
        .TRUSTED_PROXIES,
    ).toEqual(['172.30.80.2', '10.0.0.0/8', 'fd00::/8', '::1']);
    for (const bad of ['loopback', '10.0.0.0/33', '10.0.0.1/8/1', 'traefik', '1.2.3', '::1/129']) {
      expect(() => loadConfig({ ...base, TRUSTED_PROXIES: bad })).toThrow(
        /TRUSTED_PROXIES[\s\S]*not an IP address or CIDR range/,
      );
    }
  });

  it('reads a secret from <NAME>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'key'), 'sk-from-file\n');
    expect(
      loadConfig({ ...base, ANTHROPIC_API_KEY_FILE: join(dir, 'key') }).ANTHROPIC_API_KEY,
    ).toBe('sk-from-file');
  });

  it('masks sensitive values when describing the configuration', () => {
    const described = describeConfig(loadConfig({ ...base, ANTHROPIC_API_KEY: 'sk-123' }));
    expect(described['DATABASE_URL']).toBe('***');
    expect(described['ANTHROPIC_API_KEY']).toBe('***');
    expect(described['QUEUE_PREFIX']).toBe('autocoder');
    expect(JSON.stringify(described)).not.toContain('secret');
  });

  it('validates only the named variables for a service that reads a few (the git server)', () => {
    const names = ['GIT_SERVER_PORT', 'GIT_SERVER_ROOT', 'GIT_SERVER_TOKEN'] as const;
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'token'), `${'t'.repeat(40)}\n`);
    // No DATABASE_URL, and an invalid API_PORT nobody asked about.
    const c = loadConfigFor(names, { API_PORT: 'abc', GIT_SERVER_TOKEN_FILE: join(dir, 'token') });
    expect(c).toEqual({
      GIT_SERVER_PORT: 3400,
      GIT_SERVER_ROOT: './tmp/git-server',
      GIT_SERVER_TOKEN: 't'.repeat(40),
    });
    expect(describeConfig(c, names)).toEqual({
      GIT_SERVER_PORT: 3400,
      GIT_SERVER_ROOT: './tmp/git-server',
      GIT_SERVER_TOKEN: '***',
    });
    expect(() => loadConfigFor(names, { GIT_SERVER_TOKEN: 'short' })).toThrow(
      /GIT_SERVER_TOKEN: .*Token of the bundled git server/,
    );
  });
});
