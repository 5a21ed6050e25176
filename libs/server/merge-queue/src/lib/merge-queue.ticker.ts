import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { MergeQueueService } from './merge-queue.service';

/**
 * Every runner looks for waiting merge requests every MERGE_QUEUE_TICK_MS and tries to drain
 * them: normally the sessions that wait drain their own queue, so this is what picks up requests
 * whose sessions (and merge worker) died. The advisory lock keeps it to one worker per project.
 */
@Injectable()
export class MergeQueueTicker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MergeQueueTicker.name);
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly queue: MergeQueueService,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'MERGE_QUEUE_TICK_MS'>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.MERGE_QUEUE_TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    if (this.busy) return; // a drain can take minutes (verification); never pile them up
    this.busy = true;
    this.queue
      .drainWaiting()
      .catch((err: unknown) => this.logger.warn(`merge queue tick: ${String(err)}`))
      .finally(() => (this.busy = false));
  }
}
