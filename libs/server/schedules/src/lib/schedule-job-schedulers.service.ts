import { Schedule, ScheduleRepository } from '@autocoder/server-db';
import {
  JobQueueService,
  jobOptionsFor,
  QUEUE_SETTINGS,
  QueueSettings,
  withTimeout,
  queueUnavailable,
} from '@autocoder/server-queue';
import { JobName, QueueName, ScheduleEdgeJob } from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';
import { startPattern } from './schedule-window';

/** Id of the BullMQ job scheduler that fires a schedule's start edge. */
export function startSchedulerId(scheduleId: string): string {
  return `schedule-start:${scheduleId}`;
}
const SCHEDULER_PREFIX = 'schedule-start:';
/** How long a change waits for Redis before answering 503. */
const REDIS_TIMEOUT_MS = 3000;

/**
 * The BullMQ job schedulers on the control queue that fire the start edge of every enabled
 * schedule (a cron pattern in its time zone): one per enabled schedule, none for anything else.
 */
@Injectable()
export class ScheduleJobSchedulers {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly queue: JobQueueService,
    @Inject(QUEUE_SETTINGS) private readonly queueSettings: QueueSettings,
  ) {}

  /** The schedule's job scheduler: there when enabled, gone when not (503 when Redis is down). */
  async sync(schedule: Schedule): Promise<void> {
    const id = startSchedulerId(schedule.id);
    if (!schedule.enabled) {
      await this.redis(this.controlQueue().removeJobScheduler(id));
      return;
    }
    const data: ScheduleEdgeJob = { edge: 'start', scheduleId: schedule.id };
    // A start edge has no job id of ours (the scheduler names each firing).
    const opts = jobOptionsFor(JobName.ScheduleEdge, data, this.queueSettings);
    await this.redis(
      this.controlQueue().upsertJobScheduler(
        id,
        { pattern: startPattern(schedule), tz: schedule.timeZone },
        { name: JobName.ScheduleEdge, data, opts },
      ),
    );
  }

  /** Removes the job scheduler of a deleted schedule (503 when Redis is down). */
  async remove(scheduleId: string): Promise<void> {
    await this.redis(this.controlQueue().removeJobScheduler(startSchedulerId(scheduleId)));
  }

  /** Removes a job scheduler left behind, as well as it can (the next sync tries again). */
  async removeLeftover(scheduleId: string): Promise<void> {
    await this.controlQueue()
      .removeJobScheduler(startSchedulerId(scheduleId))
      .catch(() => false);
  }

  /**
   * Job schedulers for every enabled schedule, none for anything else (a deleted project's
   * schedules, a change whose commit failed after Redis took it). The runner calls it at start.
   */
  async syncAll(): Promise<{ upserted: number; removed: number }> {
    const schedules = await this.schedules.enabled();
    for (const s of schedules) await this.sync(s);
    const wanted = new Set(schedules.map((s) => startSchedulerId(s.id)));
    const existing = await this.controlQueue().getJobSchedulers(0, -1);
    let removed = 0;
    for (const js of existing) {
      if (js.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(js.key)) {
        await this.controlQueue().removeJobScheduler(js.key);
        removed++;
      }
    }
    return { upserted: schedules.length, removed };
  }

  private controlQueue() {
    return this.queue.queue(QueueName.Control);
  }

  private async redis<T>(op: Promise<T>): Promise<T> {
    try {
      return await withTimeout(op, REDIS_TIMEOUT_MS);
    } catch (err) {
      throw queueUnavailable(err, 'the schedule was not changed, try again shortly');
    }
  }
}
