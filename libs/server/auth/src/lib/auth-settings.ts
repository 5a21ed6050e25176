import { AppConfig, commaList } from '@autocoder/server-config';
import { RoleMapping } from './oidc/role-mapping';

export type AuthSettings =
  | { mode: 'none' }
  | {
      mode: 'oidc';
      issuer: URL;
      clientId: string;
      clientSecret: string | undefined;
      scopes: string;
      audience: string;
      redirectUri: string;
      postLogoutRedirectUri: string;
      sessionSecret: string;
      sessionTtlSeconds: number;
      /** Cookies are Secure when the console is served over https. */
      secureCookies: boolean;
      roles: RoleMapping;
    };

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Loopback, or a `*.localhost` name (RFC 6761: never leaves the machine; compose's dev IdP). */
function isLocalHost(host: string): boolean {
  return isLoopbackHost(host) || host.endsWith('.localhost');
}

/**
 * The api's authentication settings, checked at boot: OIDC needs an issuer and a session secret;
 * the no-auth mode is refused unless the api listens on loopback only; an http issuer is only
 * accepted on loopback (a dev IdP).
 */
export function authSettings(config: AppConfig): AuthSettings {
  if (config.AUTH_MODE === 'none') {
    if (!isLoopbackHost(config.API_HOST)) {
      throw new Error(
        `AUTH_MODE=none lets anyone do anything: it is only allowed when API_HOST is a loopback address, not ${config.API_HOST}`,
      );
    }
    return { mode: 'none' };
  }
  const missing = [
    !config.OIDC_ISSUER_URL && 'OIDC_ISSUER_URL',
    !config.SESSION_SECRET && 'SESSION_SECRET',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `AUTH_MODE=oidc needs ${missing.join(' and ')} (docs/configuration.md); for a single user on loopback only, AUTH_MODE=none`,
    );
  }
  const issuer = new URL(config.OIDC_ISSUER_URL as string);
  if (issuer.protocol === 'http:' && !isLocalHost(issuer.hostname)) {
    throw new Error(
      `OIDC_ISSUER_URL must be https (http only for a dev IdP on loopback or *.localhost): ${issuer}`,
    );
  }
  const publicUrl = new URL(config.PUBLIC_URL);
  return {
    mode: 'oidc',
    issuer,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    scopes: config.OIDC_SCOPES,
    audience: config.OIDC_AUDIENCE,
    redirectUri: new URL('/api/v1/auth/callback', publicUrl).toString(),
    postLogoutRedirectUri: new URL('/', publicUrl).toString(),
    sessionSecret: config.SESSION_SECRET as string,
    sessionTtlSeconds: config.SESSION_TTL_MINUTES * 60,
    secureCookies: publicUrl.protocol === 'https:',
    roles: {
      claim: config.OIDC_ROLE_CLAIM,
      adminValues: commaList(config.OIDC_ADMIN_VALUES),
      viewerValues: commaList(config.OIDC_VIEWER_VALUES),
      defaultRole: config.OIDC_DEFAULT_ROLE === 'viewer' ? 'viewer' : null,
    },
  };
}
