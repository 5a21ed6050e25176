import { AppConfig } from '@autocoder/server-config';

/** The queues this runner consumes (ACTIVE_QUEUES). */
export function activeQueues(config: Pick<AppConfig, 'ACTIVE_QUEUES'>): string[] {
  return config.ACTIVE_QUEUES.split(',')
    .map((q) => q.trim())
    .filter(Boolean);
}
