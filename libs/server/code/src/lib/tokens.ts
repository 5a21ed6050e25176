/** The ProjectRepository: cache clones under WORKSPACE_ROOT of each project's remote. */
export const PROJECT_REPOSITORY = Symbol('PROJECT_REPOSITORY');
