export * from './lib/fleet.service';
export * from './lib/fleet.module';
