import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Dispatcher } from '@autocoder/server-engine';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { activeQueues } from './active-queues';

const TICK_SCHEDULER_ID = 'control-tick';

/**
 * The control queue: one BullMQ job scheduler emits a tick every CONTROL_TICK_MS for the whole
 * fleet (every runner upserts the same scheduler), and whichever runner takes a tick reaps
 * expired leases, fails lost runs and tops up the running projects.
 */
@Processor(QueueName.Control, { autorun: false })
@Injectable()
export class ControlProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ControlProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QueueName.Control) private readonly queue: Queue,
    private readonly dispatcher: Dispatcher,
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
    const worker: Worker = this.worker;
    worker.concurrency = 1;
    void worker
      .run()
      .catch((err: unknown) => this.logger.error(`control worker stopped: ${String(err)}`));
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== JobName.ControlTick) throw new UnrecoverableError(`unknown job ${job.name}`);
    return this.dispatcher.tick();
  }
}
