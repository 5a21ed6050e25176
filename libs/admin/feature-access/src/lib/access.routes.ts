import type { Routes } from '@angular/router';
import { adminOnly } from '@autocoder/admin-data-access-api';

/** Mounted at `/settings/tokens` and `/audit` by the app. */
export const apiTokensRoutes: Routes = [
  {
    path: '',
    loadComponent: () => import('./api-tokens/api-tokens-page').then((m) => m.ApiTokensPage),
    title: 'API tokens · AutoCoder',
  },
];

/** Admins only: viewers go back to the projects (the api refuses them the trail anyway). */
export const auditRoutes: Routes = [
  {
    path: '',
    canActivate: [adminOnly('/projects')],
    loadComponent: () => import('./audit/audit-page').then((m) => m.AuditPage),
    title: 'Audit trail · AutoCoder',
  },
];
