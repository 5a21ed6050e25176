import { RunsRepository } from '@autocoder/server-db';
import { startOfUtcDay } from '@autocoder/server-projects';
import { SpendService } from '@autocoder/server-orchestration';
import { JobQueueService, queueUnavailable, withTimeout } from '@autocoder/server-queue';
import {
  FleetQueueView,
  FleetRunnerView,
  FleetSessionView,
  FleetView,
  QueueName,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

/** How long the fleet page waits for Redis before answering 503. */
const REDIS_TIMEOUT_MS = 2000;

/** A BullMQ worker connection, as `queue.getWorkers()` lists it (Redis CLIENT LIST fields). */
interface WorkerClient {
  rawname?: string;
}

/** A named worker's connection is "<prefix>:<base64 queue>:w:<worker name>"; runners name theirs. */
function workerName(client: WorkerClient): string | null {
  const at = client.rawname?.indexOf(':w:') ?? -1;
  return at < 0 || !client.rawname ? null : client.rawname.slice(at + 3) || null;
}

const startOfUtcMonth = (at: Date): Date =>
  new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));

/**
 * The whole installation at a glance: runners and what they run, queue depths, sessions per hour
 * and spend across projects. Runners are known two ways: connected BullMQ workers named after
 * their runner (Redis), and running runs that record the runner executing them (Postgres).
 */
@Injectable()
export class FleetService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly queue: JobQueueService,
    private readonly spend: SpendService,
  ) {}

  async fleet(now = new Date()): Promise<FleetView> {
    const [redis, running, queuedSessions, perHour, spendToday, spendMonth] = await Promise.all([
      withTimeout(this.queues(), REDIS_TIMEOUT_MS).catch((err: unknown) => {
        throw queueUnavailable(err, 'the fleet cannot be shown, try again shortly');
      }),
      this.runs.running(),
      this.runs.countQueued(),
      this.runs.sessionsPerHour(),
      this.spend.of({ since: startOfUtcDay(now) }),
      this.spend.of({ since: startOfUtcMonth(now) }),
    ]);

    const runners = new Map<string, FleetRunnerView>();
    const runner = (runnerId: string): FleetRunnerView => {
      let view = runners.get(runnerId);
      if (!view)
        runners.set(runnerId, (view = { runnerId, connected: false, queues: [], sessions: [] }));
      return view;
    };
    for (const [queue, names] of redis.workers) {
      for (const name of names) {
        const view = runner(name);
        view.connected = true;
        if (!view.queues.includes(queue)) view.queues.push(queue);
      }
    }
    for (const run of running) {
      const session: FleetSessionView = {
        runId: run.id,
        projectId: run.projectId,
        projectName: run.project.name,
        role: run.role,
        features: run.features.map((f) => f.feature),
        startedAt: run.startedAt?.toISOString() ?? null,
      };
      // A running run records its runner when it starts (RunJournal.markRunning).
      runner(run.runnerId ?? 'unknown').sessions.push(session);
    }

    return {
      generatedAt: now.toISOString(),
      runners: [...runners.values()].sort(
        (a, b) => Number(b.connected) - Number(a.connected) || a.runnerId.localeCompare(b.runnerId),
      ),
      unnamedWorkers: redis.unnamed,
      queuedSessions,
      queues: redis.counts,
      sessionsPerHour: perHour,
      spendToday,
      spendMonth,
    };
  }

  /** Job counts and connected workers of every queue (one round of Redis calls per queue). */
  private async queues(): Promise<{
    counts: FleetQueueView[];
    workers: [QueueName, string[]][];
    unnamed: number;
  }> {
    let unnamed = 0;
    const perQueue = await Promise.all(
      Object.values(QueueName).map(async (name) => {
        const queue = this.queue.queue(name);
        const [counts, clients] = await Promise.all([
          queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
          queue.getWorkers() as Promise<WorkerClient[]>,
        ]);
        const names: string[] = [];
        for (const client of clients) {
          const worker = workerName(client);
          if (worker) names.push(worker);
          else unnamed += 1;
        }
        const view: FleetQueueView = {
          name,
          // Waiting to run: plain, prioritised (a job with a priority) and paused-queue jobs.
          waiting:
            (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0) + (counts['paused'] ?? 0),
          active: counts['active'] ?? 0,
          delayed: counts['delayed'] ?? 0,
          failed: counts['failed'] ?? 0,
          workers: clients.length,
        };
        return { view, names: [name, names] as [QueueName, string[]] };
      }),
    );
    return {
      counts: perQueue.map((q) => q.view),
      workers: perQueue.map((q) => q.names),
      unnamed,
    };
  }
}
