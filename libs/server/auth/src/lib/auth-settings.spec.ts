import { loadConfig } from '@autocoder/server-config';
import { authSettings } from './auth-settings';

const base = { DATABASE_URL: 'postgresql://x@127.0.0.1/db' };
const secret = 'a-session-secret-of-at-least-32-characters';

describe('authSettings', () => {
  it('allows AUTH_MODE=none only on loopback', () => {
    expect(authSettings(loadConfig({ ...base, AUTH_MODE: 'none' }))).toEqual({ mode: 'none' });
    expect(() =>
      authSettings(loadConfig({ ...base, AUTH_MODE: 'none', API_HOST: '0.0.0.0' })),
    ).toThrow(/only allowed when API_HOST is a loopback address/);
  });

  it('needs an issuer and a session secret for OIDC', () => {
    expect(() => authSettings(loadConfig(base))).toThrow(
      /needs OIDC_ISSUER_URL and SESSION_SECRET/,
    );
  });

  it('takes http issuers only on loopback or *.localhost', () => {
    const oidc = (issuer: string) =>
      authSettings(loadConfig({ ...base, OIDC_ISSUER_URL: issuer, SESSION_SECRET: secret }));
    expect(oidc('http://127.0.0.1:4020').mode).toBe('oidc');
    expect(oidc('http://idp.localhost:4020').mode).toBe('oidc');
    expect(oidc('https://idp.example.com/realms/a').mode).toBe('oidc');
    expect(() => oidc('http://idp.example.com')).toThrow(/must be https/);
  });

  it('derives the callback, cookie security and role mapping', () => {
    const s = authSettings(
      loadConfig({
        ...base,
        OIDC_ISSUER_URL: 'https://idp.example.com',
        SESSION_SECRET: secret,
        PUBLIC_URL: 'https://autocoder.example.com',
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_ADMIN_VALUES: 'ops, platform',
        OIDC_DEFAULT_ROLE: 'viewer',
      }),
    );
    expect(s).toMatchObject({
      redirectUri: 'https://autocoder.example.com/api/v1/auth/callback',
      secureCookies: true,
      roles: {
        claim: 'realm_access.roles',
        adminValues: ['ops', 'platform'],
        defaultRole: 'viewer',
      },
    });
  });
});
