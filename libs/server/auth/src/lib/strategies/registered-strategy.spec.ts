import passport from 'passport';
import { ApiTokensService } from '../api-tokens.service';
import { AuthSettings } from '../auth-settings';
import { LocalStrategy } from './local.strategy';

// passport's registry is one per process; several apis in one process (tests) take turns.
const registered = (name: string): unknown =>
  (passport as unknown as { _strategy(name: string): unknown })._strategy(name);

describe('credential strategies in passport', () => {
  const tokens = {
    localUser: jest.fn(async () => ({ id: 'u1', email: 'local@example.test', name: null })),
  } as unknown as ApiTokensService;

  it('serve from the api started last, and hand back to the one before when it closes', () => {
    const first = new LocalStrategy({ mode: 'none' }, tokens);
    const second = new LocalStrategy({ mode: 'none' }, tokens);
    expect(registered('local')).toBe(second);
    second.onModuleDestroy();
    expect(registered('local')).toBe(first);
    first.onModuleDestroy();
    expect(registered('local')).toBeUndefined();
  });

  it('the local admin only in AUTH_MODE=none, looked up once', async () => {
    const none = new LocalStrategy({ mode: 'none' }, tokens);
    await none.validate();
    expect(await none.validate()).toEqual({
      kind: 'local',
      userId: 'u1',
      label: 'local@example.test',
      role: 'admin',
    });
    expect(tokens.localUser).toHaveBeenCalledTimes(1);
    none.onModuleDestroy();
    const oidc = new LocalStrategy({ mode: 'oidc' } as AuthSettings, tokens);
    expect(await oidc.validate()).toBeNull();
    oidc.onModuleDestroy();
  });
});
