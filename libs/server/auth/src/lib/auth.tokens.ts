/** The AuthSettings of this api (authSettings(config)). */
export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** SecretBox sealing refresh tokens kept in console sessions. */
export const REFRESH_TOKEN_BOX = Symbol('REFRESH_TOKEN_BOX');

/** The ConsoleSession (cookie, Redis store, CSRF) when AUTH_MODE=oidc; null otherwise. */
export const CONSOLE_SESSION = Symbol('CONSOLE_SESSION');

/** The rate limits' counters in Redis (ThrottlerStorageRedisService), shared by every replica. */
export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** How many refused credentials an IP may send per minute (AuthFailureLimit). */
export const AUTH_FAILURE_LIMIT = Symbol('AUTH_FAILURE_LIMIT');

/** Lifetimes of personal API tokens (ApiTokenPolicy), from the configuration. */
export const API_TOKEN_POLICY = Symbol('API_TOKEN_POLICY');
