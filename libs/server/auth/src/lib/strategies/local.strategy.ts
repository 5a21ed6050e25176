import { Inject, Injectable } from '@nestjs/common';
import { ApiTokensService } from '../api-tokens.service';
import { AuthSettings } from '../auth-settings';
import { AUTH_SETTINGS } from '../auth.tokens';
import { Principal } from '../principal';
import { userLabel } from '../users.service';
import { CredentialStrategy, STRATEGIES } from './registered-strategy';

/** AUTH_MODE=none: whoever has no API token is the local admin (one person on loopback). */
@Injectable()
export class LocalStrategy extends CredentialStrategy(STRATEGIES.local) {
  private local?: Promise<Principal>;

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    private readonly tokens: ApiTokensService,
  ) {
    super();
  }

  override async validate(): Promise<Principal | null> {
    if (this.settings.mode !== 'none') return null;
    this.local ??= this.tokens.localUser().then(
      (user) => ({ kind: 'local', userId: user.id, label: userLabel(user), role: 'admin' }),
      (err: unknown) => {
        this.local = undefined;
        throw err;
      },
    );
    return this.local;
  }
}
