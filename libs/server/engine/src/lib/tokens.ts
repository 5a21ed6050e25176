/** The tool-capable model provider of sessions (the runner provides it). */
export const SESSION_PROVIDER = Symbol('SESSION_PROVIDER');

/** The ProjectRepository over WORKSPACE_ROOT. */
export const PROJECT_REPOSITORY = Symbol('PROJECT_REPOSITORY');
