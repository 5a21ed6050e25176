import type { Routes } from '@angular/router';
import { RepositoryPage } from './repository-page/repository-page';
import { RunDiffPage } from './run-diff-page/run-diff-page';

/**
 * Mounted at `/projects/:id/code` (a route without a component, so `:id` reaches every child as
 * an input).
 */
export const codeRoutes: Routes = [
  { path: '', component: RepositoryPage, data: { view: 'files' }, title: 'Code · AutoCoder' },
  {
    path: 'history',
    component: RepositoryPage,
    data: { view: 'history' },
    title: 'Code history · AutoCoder',
  },
  { path: 'runs/:runId', component: RunDiffPage, title: 'Run changes · AutoCoder' },
];
