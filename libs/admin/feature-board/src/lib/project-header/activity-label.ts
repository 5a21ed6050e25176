import type { ProjectActivityView } from '@autocoder/shared-contracts';

/** The header's badge: the activity state in a few words ("running 2 of 3"). */
export function activityLabel(activity: ProjectActivityView): string {
  switch (activity.state) {
    case 'empty':
      return 'no backlog';
    case 'initializing':
      return 'initializing';
    case 'ready':
      return 'ready';
    case 'running': {
      const testing = activity.testingSessions ? ` + ${activity.testingSessions} testing` : '';
      return `running ${activity.codingSessions} of ${activity.maxSessions}${testing}`;
    }
    case 'paused':
      return 'paused';
    case 'waiting':
      return 'waiting for a person';
    case 'budget':
      return 'budget spent';
    case 'done':
      return 'done';
  }
}
