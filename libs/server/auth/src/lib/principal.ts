import { UserRole } from '@autocoder/shared-contracts';
import type { IncomingMessage } from 'node:http';

/** Who is making a request, however they proved it. */
export interface Principal {
  /**
   * session: signed in to the console (cookie); bearer: an IdP access token; api-token: a
   * personal API token; local: AUTH_MODE=none.
   */
  kind: 'session' | 'bearer' | 'api-token' | 'local';
  /** The User row. */
  userId: string;
  /** e-mail or name, for the audit trail and the console. */
  label: string;
  role: UserRole;
  /** API tokens only. */
  tokenId?: string;
  /** API tokens scoped to one project. */
  projectId?: string | null;
}

/** A request after the AuthGuard. */
export interface AuthenticatedRequest extends IncomingMessage {
  principal?: Principal;
}

/** admin may do everything a viewer may. */
export function roleAllows(role: UserRole, needed: UserRole): boolean {
  return role === 'admin' || needed === 'viewer';
}
