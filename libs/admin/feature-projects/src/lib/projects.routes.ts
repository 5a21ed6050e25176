import type { Routes } from '@angular/router';
import { adminOnly } from '@autocoder/admin-data-access-api';
import { ProjectList } from './project-list/project-list';

/** Mounted at `/projects`; `/projects/:id` belongs to the board feature. */
export const projectsRoutes: Routes = [
  { path: '', pathMatch: 'full', component: ProjectList, title: 'Projects · AutoCoder' },
  {
    path: 'new',
    // Viewers cannot create projects: back to the list rather than a form the api refuses.
    canActivate: [adminOnly('/projects')],
    // Its own chunk: the form brings the zod schemas, which the list does not need.
    loadComponent: () => import('./project-create/project-create').then((m) => m.ProjectCreate),
    title: 'New project · AutoCoder',
  },
];
