import type { Route } from '@angular/router';

// Features load lazily so the first paint only pays for the shell.
export const appRoutes: Route[] = [
  { path: '', pathMatch: 'full', redirectTo: 'projects' },
  {
    path: 'projects',
    loadChildren: () => import('@autocoder/admin-feature-projects').then((m) => m.projectsRoutes),
  },
  // A project's pages (the tabs of ProjectNav), each its own lazy lib.
  {
    path: 'projects/:id/graph',
    // The graph opens the board's feature panel over itself.
    loadChildren: () =>
      Promise.all([
        import('@autocoder/admin-feature-graph'),
        import('@autocoder/admin-feature-board'),
      ]).then(([graph, board]) => graph.graphRoutes([board.featurePanelRoute])),
  },
  {
    path: 'projects/:id/chat',
    loadChildren: () => import('@autocoder/admin-feature-chat').then((m) => m.chatRoutes),
  },
  {
    path: 'projects/:id/stats',
    loadChildren: () => import('@autocoder/admin-feature-stats').then((m) => m.statsRoutes),
  },
  {
    path: 'projects/:id/code',
    loadChildren: () => import('@autocoder/admin-feature-code').then((m) => m.codeRoutes),
  },
  {
    path: 'projects/:id/schedules',
    loadChildren: () => import('@autocoder/admin-feature-schedules').then((m) => m.schedulesRoutes),
  },
  {
    path: 'projects/:id/settings',
    loadChildren: () => import('@autocoder/admin-feature-settings').then((m) => m.settingsRoutes),
  },
  // The board (and its panels) last among the project's pages.
  {
    path: 'projects/:id',
    loadChildren: () => import('@autocoder/admin-feature-board').then((m) => m.boardRoutes),
  },
  {
    path: 'fleet',
    loadChildren: () => import('@autocoder/admin-feature-fleet').then((m) => m.fleetRoutes),
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
