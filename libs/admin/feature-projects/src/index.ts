export * from './lib/projects.routes';
export { ProjectList } from './lib/project-list/project-list';
