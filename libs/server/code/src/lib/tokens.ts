/** The ProjectRepository over WORKSPACE_ROOT. */
export const PROJECT_REPOSITORY = Symbol('PROJECT_REPOSITORY');
