/** The model providers of sessions (SessionProviders; the runner builds them). */
export const SESSION_PROVIDER = Symbol('SESSION_PROVIDER');

/** The ProjectRepository over WORKSPACE_ROOT. */
export const PROJECT_REPOSITORY = Symbol('PROJECT_REPOSITORY');
