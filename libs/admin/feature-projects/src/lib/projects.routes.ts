import type { Routes } from '@angular/router';
import { ProjectList } from './project-list/project-list';

/** Mounted at `/projects`; `/projects/:id` belongs to the board feature. */
export const projectsRoutes: Routes = [
  { path: '', pathMatch: 'full', component: ProjectList, title: 'Projects · AutoCoder' },
  {
    path: 'new',
    // Its own chunk: the form brings the zod schemas, which the list does not need.
    loadComponent: () => import('./project-create/project-create').then((m) => m.ProjectCreate),
    title: 'New project · AutoCoder',
  },
];
