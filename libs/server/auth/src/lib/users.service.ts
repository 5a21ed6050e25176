import { User, UserRepository } from '@autocoder/server-db';
import { UserRole } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

/** How long a bearer token's user is trusted as written before the row is touched again. */
const REFRESH_MS = 5 * 60_000;

/** People known from the identity provider: a User row per issuer and subject. */
@Injectable()
export class UsersService {
  private readonly recent = new Map<string, { user: User; at: number }>();

  constructor(private readonly users: UserRepository) {}

  /**
   * The person's row, created or updated with their current name, e-mail and role, and
   * lastLoginAt: when the IdP last vouched for them (sign-in, session refresh, bearer token),
   * which keeps their API tokens alive (API_TOKEN_OWNER_INACTIVE_DAYS). Outside `login`, a
   * recent row is reused instead of writing on every request.
   */
  async fromClaims(
    issuer: string,
    claims: Record<string, unknown>,
    role: UserRole,
    { login = false } = {},
  ): Promise<User> {
    const subject = String(claims['sub'] ?? '');
    if (!subject) throw new Error('the identity provider sent no subject (sub)');
    const key = `${issuer}\u0000${subject}`;
    const cached = this.recent.get(key);
    if (!login && cached && cached.user.role === role && Date.now() - cached.at < REFRESH_MS) {
      return cached.user;
    }
    const profile = {
      email: typeof claims['email'] === 'string' ? claims['email'] : null,
      name:
        typeof claims['name'] === 'string'
          ? claims['name']
          : typeof claims['preferred_username'] === 'string'
            ? claims['preferred_username']
            : null,
      role,
      lastLoginAt: new Date(),
    };
    const user = await this.users.upsert(issuer, subject, profile);
    this.recent.set(key, { user, at: Date.now() });
    if (this.recent.size > 10_000) this.recent.clear();
    return user;
  }
}

/** e-mail, else name, else subject: how the audit trail and the console name a person. */
export function userLabel(user: Pick<User, 'email' | 'name' | 'subject'>): string {
  return user.email ?? user.name ?? user.subject;
}
