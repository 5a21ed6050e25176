import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Dispatcher, ScheduleService } from '@autocoder/server-engine';
import { JobName, JobPayloads, QueueName } from '@autocoder/shared-contracts';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { activeQueues } from './active-queues';
import { runnerIdOf } from './runner-id';

const TICK_SCHEDULER_ID = 'control-tick';

/** Names the control worker after the runner (read by BullMQ when it constructs the worker). */
export function configureControlWorker(config: AppConfig): void {
  Processor(QueueName.Control, { autorun: false, name: runnerIdOf(config) })(ControlProcessor);
}

/**
 * The control queue: one BullMQ job scheduler emits a tick every CONTROL_TICK_MS for the whole
 * fleet (every runner upserts the same scheduler), and whichever runner takes a tick reaps
 * expired leases, fails lost runs, tops up the running projects and reconciles the projects'
 * schedules. Each enabled schedule has its own job scheduler for its start edge, and a started
 * window a delayed job for its end (schedule-edge jobs); every runner re-syncs those schedulers
 * with Postgres at start.
 */
@Processor(QueueName.Control, { autorun: false })
@Injectable()
export class ControlProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ControlProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Control) private readonly queue: Queue,
    private readonly dispatcher: Dispatcher,
    private readonly schedules: ScheduleService,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!activeQueues(this.config).includes(QueueName.Control)) return;
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
      const synced = await this.schedules.syncAll();
      if (synced.upserted + synced.removed > 0) this.logger.log(synced, 'schedule edges synced');
    } catch (err) {
      // Not fatal: the control tick still starts and stops every window, a tick late.
      this.logger.warn(`schedule edges not synced: ${String(err)}`);
    }
    const worker: Worker = this.worker;
    worker.concurrency = 1;
    void worker
      .run()
      .catch((err: unknown) => this.logger.error(`control worker stopped: ${String(err)}`));
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case JobName.ControlTick: {
        const tick = await this.dispatcher.tick();
        const schedules = await this.schedules.reconcileAll();
        return { ...tick, schedules };
      }
      case JobName.ScheduleEdge:
        return this.schedules.onEdge(job.data as JobPayloads[JobName.ScheduleEdge]);
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  }
}
