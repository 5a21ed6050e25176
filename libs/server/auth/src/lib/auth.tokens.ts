/** The AuthSettings of this api (authSettings(config)). */
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** SecretBox sealing refresh tokens kept in console sessions. */
export const REFRESH_TOKEN_BOX = Symbol('REFRESH_TOKEN_BOX');

/** The ConsoleSession (cookie, Redis store, CSRF) when AUTH_MODE=oidc; null otherwise. */
export const CONSOLE_SESSION = Symbol('CONSOLE_SESSION');
