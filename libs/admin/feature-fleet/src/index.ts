export { fleetRoutes } from './lib/fleet.routes';
export { FleetPage, FLEET_POLL_MS } from './lib/fleet-page/fleet-page';
export { fleetSummary, sessionsPerHourOptions } from './lib/fleet-page/fleet-charts';
