/** The model providers of sessions (SessionProviders; the runner builds them). */
export const SESSION_PROVIDER = Symbol('SESSION_PROVIDER');
