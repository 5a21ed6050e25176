import type { Route } from '@angular/router';

// Features load lazily so the first paint only pays for the shell.
export const appRoutes: Route[] = [
  { path: '', pathMatch: 'full', redirectTo: 'projects' },
  {
    path: 'projects',
    loadChildren: () => import('@autocoder/admin-feature-projects').then((m) => m.projectsRoutes),
  },
  {
    path: 'projects/:id/graph',
    loadChildren: () => import('@autocoder/admin-feature-graph').then((m) => m.graphRoutes),
  },
  {
    path: 'projects/:id',
    loadChildren: () => import('@autocoder/admin-feature-board').then((m) => m.boardRoutes),
  },
  {
    path: 'settings/tokens',
    loadChildren: () => import('@autocoder/admin-feature-access').then((m) => m.apiTokensRoutes),
  },
  {
    path: 'audit',
    loadChildren: () => import('@autocoder/admin-feature-access').then((m) => m.auditRoutes),
  },
  { path: '**', redirectTo: 'projects' },
];
