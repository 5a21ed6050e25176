import type { Routes } from '@angular/router';
import { ProjectSettings } from './project-settings/project-settings';

/** Mounted at `/projects/:id/settings`; the component reads `id` as an input. */
export const settingsRoutes: Routes = [
  { path: '', component: ProjectSettings, title: 'Settings · AutoCoder' },
];
