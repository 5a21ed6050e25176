import type { Routes } from '@angular/router';
import { SchedulesPage } from './schedules-page/schedules-page';

/** Mounted at `/projects/:id/schedules`; the page reads `:id` as an input. */
export const schedulesRoutes: Routes = [
  { path: '', component: SchedulesPage, title: 'Schedules · AutoCoder' },
];
