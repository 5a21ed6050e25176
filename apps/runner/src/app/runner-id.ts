import type { AppConfig } from '@autocoder/server-config';
import { hostname } from 'node:os';

/**
 * This runner's name: RUNNER_ID, or host-pid. Runs record it ("runnerId") and every BullMQ worker
 * of the process carries it as its connection name, so the fleet page ties the workers it sees
 * in Redis to the sessions in Postgres.
 */
export function runnerIdOf(config: Pick<AppConfig, 'RUNNER_ID'>): string {
  return config.RUNNER_ID ?? `${hostname()}-${process.pid}`;
}
