import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Dispatcher, ScheduleReconciler } from '@autocoder/server-orchestration';
import { ScheduleJobSchedulers } from '@autocoder/server-schedules';
import { OnJob } from '@autocoder/server-queue';
import { JobName, ScheduleEdgeJob, QueueName } from '@autocoder/shared-contracts';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';

const TICK_SCHEDULER_ID = 'control-tick';

/**
 * The control queue: one BullMQ job scheduler emits a tick every CONTROL_TICK_MS for the whole
 * fleet (every runner upserts the same scheduler), and whichever runner takes a tick reaps
 * expired leases, fails lost runs, tops up the running projects and reconciles the projects'
 * schedules. Each enabled schedule has its own job scheduler for its start edge, and a started
 * window a delayed job for its end (schedule-edge jobs); every runner re-syncs those schedulers
 * with Postgres at start.
 */
@Injectable()
export class ControlProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(ControlProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Control) private readonly queue: Queue,
    private readonly dispatcher: Dispatcher,
    private readonly jobSchedulers: ScheduleJobSchedulers,
    private readonly schedules: ScheduleReconciler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.ACTIVE_QUEUES.includes(QueueName.Control)) return;
    await this.queue.upsertJobScheduler(
      TICK_SCHEDULER_ID,
      { every: this.config.CONTROL_TICK_MS },
      {
        name: JobName.ControlTick,
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
    try {
      const synced = await this.jobSchedulers.syncAll();
      if (synced.upserted + synced.removed > 0) this.logger.log(synced, 'schedule edges synced');
    } catch (err) {
      // Not fatal: the control tick still starts and stops every window, a tick late.
      this.logger.warn(`schedule edges not synced: ${String(err)}`);
    }
  }

  @OnJob(JobName.ControlTick)
  async tick(): Promise<unknown> {
    const tick = await this.dispatcher.tick();
    const schedules = await this.schedules.reconcileAll();
    return { ...tick, schedules };
  }

  @OnJob(JobName.ScheduleEdge)
  scheduleEdge(data: ScheduleEdgeJob): Promise<unknown> {
    return this.schedules.onEdge(data);
  }
}
