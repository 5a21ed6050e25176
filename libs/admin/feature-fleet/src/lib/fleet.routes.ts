import type { Routes } from '@angular/router';
import { FleetPage } from './fleet-page/fleet-page';

/** Mounted at `/fleet`. */
export const fleetRoutes: Routes = [{ path: '', component: FleetPage, title: 'Fleet · AutoCoder' }];
