import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A person who can sign in at the dev IdP. `groups` is what the api maps to a role. */
export interface DevIdpUser {
  /** Stable subject (`sub`). */
  sub: string;
  username: string;
  password: string;
  name: string;
  email: string;
  groups: string[];
}

/** A relying party registered at the dev IdP. */
interface DevIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Lifetime of the access tokens it receives (default 15 minutes). */
  accessTokenTtlSeconds?: number;
}

export interface DevIdpOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Defaults to http://<host>:<port> once listening. */
  issuer?: string;
  /** Audience of access tokens when a client names no resource: the AutoCoder api. */
  audience: string;
  /** Further resource servers a client may ask for (tests ask for one to get a wrong audience). */
  otherAudiences: string[];
  users: DevIdpUser[];
  clients: DevIdpClient[];
}

/** The group names the api maps to roles by default (AUTH_ADMIN_GROUPS / AUTH_VIEWER_GROUPS). */
export const DEV_IDP_ADMIN_GROUP = 'autocoder-admins';
export const DEV_IDP_VIEWER_GROUP = 'autocoder-viewers';
export const DEV_IDP_AUDIENCE = 'urn:autocoder:api';
export const DEV_IDP_CONSOLE_CLIENT = 'autocoder-console';
/** Same as the console client but its access tokens live 2 seconds: for expiry tests. */
export const DEV_IDP_SHORT_LIVED_CLIENT = 'autocoder-short-lived';
export const DEV_IDP_OTHER_AUDIENCE = 'urn:autocoder:other-api';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url()).min(1));

const EnvSchema = z.object({
  DEV_IDP_HOST: z.string().min(1).default('127.0.0.1'),
  DEV_IDP_PORT: z.coerce.number().int().min(0).max(65_535).default(4020),
  DEV_IDP_ISSUER: z.url().optional(),
  // oidc-provider takes resource indicators as absolute URIs (RFC 8707), hence a URN.
  DEV_IDP_AUDIENCE: z.url().default(DEV_IDP_AUDIENCE),
  DEV_IDP_CLIENT_SECRET: z.string().min(8).default('autocoder-dev-console-secret'),
  DEV_IDP_REDIRECT_URIS: list(
    'http://127.0.0.1:3000/api/v1/auth/callback,http://localhost:3000/api/v1/auth/callback',
  ),
  DEV_IDP_POST_LOGOUT_REDIRECT_URIS: list('http://127.0.0.1:3000/,http://localhost:3000/'),
  DEV_IDP_ADMIN_PASSWORD: z.string().min(1).default('admin'),
  DEV_IDP_VIEWER_PASSWORD: z.string().min(1).default('viewer'),
});

/**
 * Options from the environment: the seeded users admin/admin and viewer/viewer (passwords
 * overridable), the console client and its short-lived twin. Throws with every invalid variable.
 */
export function devIdpOptionsFromEnv(env: NodeJS.ProcessEnv): DevIdpOptions {
  // The client secret may come from a file (Docker and Kubernetes secrets), as the api reads it.
  const secretFile = env['DEV_IDP_CLIENT_SECRET_FILE'];
  const parsed = EnvSchema.safeParse(
    secretFile ? { ...env, DEV_IDP_CLIENT_SECRET: readFileSync(secretFile, 'utf8').trim() } : env,
  );
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid dev-idp configuration: ${reasons.join('; ')}`);
  }
  const e = parsed.data;
  const console = {
    clientSecret: e.DEV_IDP_CLIENT_SECRET,
    redirectUris: e.DEV_IDP_REDIRECT_URIS,
    postLogoutRedirectUris: e.DEV_IDP_POST_LOGOUT_REDIRECT_URIS,
  };
  return {
    host: e.DEV_IDP_HOST,
    port: e.DEV_IDP_PORT,
    issuer: e.DEV_IDP_ISSUER,
    audience: e.DEV_IDP_AUDIENCE,
    otherAudiences: [DEV_IDP_OTHER_AUDIENCE],
    users: [
      {
        sub: 'dev-admin',
        username: 'admin',
        password: e.DEV_IDP_ADMIN_PASSWORD,
        name: 'Ada Admin',
        email: 'admin@autocoder.local',
        groups: [DEV_IDP_ADMIN_GROUP],
      },
      {
        sub: 'dev-viewer',
        username: 'viewer',
        password: e.DEV_IDP_VIEWER_PASSWORD,
        name: 'Vic Viewer',
        email: 'viewer@autocoder.local',
        groups: [DEV_IDP_VIEWER_GROUP],
      },
    ],
    clients: [
      { clientId: DEV_IDP_CONSOLE_CLIENT, ...console },
      { clientId: DEV_IDP_SHORT_LIVED_CLIENT, ...console, accessTokenTtlSeconds: 2 },
    ],
  };
}
