// The Prometheus metrics operators watch, defined in one place: names, help texts, label sets.
// DomainMetrics owns the prom-client objects (on the default registry unless given another) and
// offers one method per event; the code where the event happens calls it. The Grafana dashboard
// and the alert rules in deploy/ use these names, and deploy/monitoring.spec.ts checks that every
// name they use is defined here.
//
// Label cardinality: queue, job name, session role, tool, provider, model, outcome: all bounded.
// Never a run, feature or user id; the project id only on the budget gauge (one series per project
// with a budget).
import { Counter, Gauge, Histogram, register as defaultRegistry, Registry } from 'prom-client';

const SECONDS_LONG = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];

/** Every domain metric: its Prometheus type, help text and labels. */
export const DOMAIN_METRIC_DEFINITIONS = {
  // Queues, read from Redis when Prometheus scrapes the api.
  queueJobs: {
    name: 'autocoder_queue_jobs',
    type: 'gauge',
    help: 'Jobs in a BullMQ queue by state (waiting includes prioritized), read at scrape time.',
    labelNames: ['queue', 'state'],
  },
  queueWorkers: {
    name: 'autocoder_queue_workers',
    type: 'gauge',
    help: 'Workers (runner connections) consuming a queue, read at scrape time.',
    labelNames: ['queue'],
  },
  queuePausedSeconds: {
    name: 'autocoder_queue_rate_limit_seconds',
    type: 'gauge',
    help: 'Seconds left of the fleet-wide pause of a queue after a provider 429 (0: not paused).',
    labelNames: ['queue'],
  },
  queueStatsUp: {
    name: 'autocoder_queue_stats_up',
    type: 'gauge',
    help: '1 when the last scrape read the queues from Redis in time, 0 when Redis failed or timed out.',
    labelNames: [],
  },
  // Jobs, counted by the runner that processes them.
  jobsActive: {
    name: 'autocoder_jobs_active',
    type: 'gauge',
    help: 'Jobs this runner is processing now, by queue.',
    labelNames: ['queue'],
  },
  jobsCompleted: {
    name: 'autocoder_jobs_completed_total',
    type: 'counter',
    help: 'Job attempts that completed, by queue and job name.',
    labelNames: ['queue', 'job'],
  },
  jobsFailed: {
    name: 'autocoder_jobs_failed_total',
    type: 'counter',
    help: 'Job attempts that failed (retried or final), by queue and job name; rate-limit waits excluded.',
    labelNames: ['queue', 'job'],
  },
  jobWait: {
    name: 'autocoder_job_wait_seconds',
    type: 'histogram',
    help: 'Time from enqueue (or the end of its delay) to a worker taking the job, by queue.',
    labelNames: ['queue'],
    buckets: SECONDS_LONG,
  },
  jobDuration: {
    name: 'autocoder_job_duration_seconds',
    type: 'histogram',
    help: 'Time a worker spent on one job attempt, by queue.',
    labelNames: ['queue'],
    buckets: SECONDS_LONG,
  },
  fleetPauses: {
    name: 'autocoder_fleet_pauses_total',
    type: 'counter',
    help: 'Fleet-wide queue pauses a runner started after a provider 429, by queue.',
    labelNames: ['queue'],
  },
  // Sessions and the agent loop.
  sessionsActive: {
    name: 'autocoder_sessions_active',
    type: 'gauge',
    help: 'Agent sessions running on this runner, by role (initializer, coding, testing, chat).',
    labelNames: ['role'],
  },
  turns: {
    name: 'autocoder_agent_turns_total',
    type: 'counter',
    help: 'Agent loop turns (one model call and its tool calls), by role.',
    labelNames: ['role'],
  },
  toolCalls: {
    name: 'autocoder_tool_calls_total',
    type: 'counter',
    help: 'Tool calls the model made, by role, tool and outcome (ok, error).',
    labelNames: ['role', 'tool', 'outcome'],
  },
  // Model calls, per provider and model.
  modelCallDuration: {
    name: 'autocoder_model_call_duration_seconds',
    type: 'histogram',
    help: 'Model call latency (the whole streamed answer), by provider, model and outcome (ok, rate_limited, error).',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
  },
  modelTokens: {
    name: 'autocoder_model_tokens_total',
    type: 'counter',
    help: 'Tokens of model calls, by provider, model and direction (input, output, cache_read, cache_write).',
    labelNames: ['provider', 'model', 'direction'],
  },
  modelCost: {
    name: 'autocoder_model_cost_usd_total',
    type: 'counter',
    help: 'Estimated cost of model calls in US dollars, by provider and model.',
    labelNames: ['provider', 'model'],
  },
  providerRateLimited: {
    name: 'autocoder_provider_rate_limited_total',
    type: 'counter',
    help: 'Model calls a provider refused with 429 (rate limited) or 529 (overloaded), by provider.',
    labelNames: ['provider'],
  },
  // Claims, leases, merges, verification.
  claims: {
    name: 'autocoder_feature_claims_total',
    type: 'counter',
    help: 'Claim attempts by kind (backlog, regression) and outcome (claimed, none).',
    labelNames: ['kind', 'outcome'],
  },
  leasesReaped: {
    name: 'autocoder_leases_reaped_total',
    type: 'counter',
    help: 'Expired feature leases the control tick returned to the backlog (a session that died).',
    labelNames: [],
  },
  merges: {
    name: 'autocoder_merge_requests_total',
    type: 'counter',
    help: 'Merge requests a merge-queue batch ended, by outcome (merged, conflict, failed, requeued).',
    labelNames: ['outcome'],
  },
  mergeBatchSize: {
    name: 'autocoder_merge_batch_size',
    type: 'histogram',
    help: 'Merge requests per merge-queue batch.',
    labelNames: [],
    buckets: [1, 2, 3, 5, 8, 13, 20],
  },
  verificationDuration: {
    name: 'autocoder_verification_duration_seconds',
    type: 'histogram',
    help: "Run time of the project's verification command on a merged tree, by outcome (passed, failed).",
    labelNames: ['outcome'],
    buckets: SECONDS_LONG,
  },
  // Budgets, read from Postgres at scrape time (cached briefly).
  budgetSpentShare: {
    name: 'autocoder_project_budget_spent_ratio',
    type: 'gauge',
    help: 'Share of its budget a project has spent (1 = all of it), for projects with a budget.',
    labelNames: ['project'],
  },
} as const satisfies Record<string, MetricDefinition>;

export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labelNames: readonly string[];
  buckets?: readonly number[];
}

type Defs = typeof DOMAIN_METRIC_DEFINITIONS;
type Labels<K extends keyof Defs> = Defs[K]['labelNames'][number];
type MetricOf<K extends keyof Defs> = Defs[K]['type'] extends 'counter'
  ? Counter<Labels<K>>
  : Defs[K]['type'] extends 'gauge'
    ? Gauge<Labels<K>>
    : Histogram<Labels<K>>;

/** Token counts of one model call (the models lib's TokenUsage, restated to stay dependency-free). */
export interface ModelCallUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

export interface ModelCallRecord {
  provider: string;
  model: string;
  seconds: number;
  outcome: 'ok' | 'rate_limited' | 'error';
  usage?: ModelCallUsage;
  costUsd?: number;
}

/** Fills the scrape-time gauges; must answer quickly (time out on its own stores). */
export type ScrapeHook = (metrics: DomainMetrics) => Promise<void>;

/** Queue states reported by autocoder_queue_jobs. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

const instances = new WeakMap<Registry, DomainMetrics>();

export class DomainMetrics {
  private readonly metrics: { [K in keyof Defs]: MetricOf<K> };
  private readonly hooks = new Set<ScrapeHook>();
  private scrape: Promise<void> | null = null;

  /** The one instance on `registry` (prom-client refuses a name twice on a registry). */
  static on(registry: Registry): DomainMetrics {
    let found = instances.get(registry);
    if (!found) {
      found = new DomainMetrics(registry);
      instances.set(registry, found);
    }
    return found;
  }

  /** The instance on prom-client's default registry, which /metrics serves. */
  static shared(): DomainMetrics {
    return DomainMetrics.on(defaultRegistry);
  }

  private constructor(readonly registry: Registry) {
    const entries = Object.entries(DOMAIN_METRIC_DEFINITIONS).map(([key, def]) => {
      const d: MetricDefinition = def;
      // Scrape-time gauges appear once a process fills them (the api): a runner exposing them
      // empty, or at 0 (an unlabelled gauge's start), would look like a Redis failure.
      const scrapeTime = SCRAPE_TIME_GAUGES.has(key as keyof Defs);
      const common = {
        name: d.name,
        help: d.help,
        labelNames: [...d.labelNames],
        registers: scrapeTime ? [] : [registry],
      };
      const existing = registry.getSingleMetric(d.name);
      if (existing) registry.removeSingleMetric(d.name);
      if (d.type === 'counter') return [key, new Counter(common)];
      if (d.type === 'histogram') {
        return [key, new Histogram({ ...common, buckets: [...(d.buckets ?? [])] })];
      }
      // Scrape-time gauges refresh from their hooks before they are read.
      const refresh = () => this.refresh();
      return [
        key,
        new Gauge({
          ...common,
          ...(scrapeTime
            ? {
                async collect() {
                  await refresh();
                },
              }
            : {}),
        }),
      ];
    });
    this.metrics = Object.fromEntries(entries) as { [K in keyof Defs]: MetricOf<K> };
  }

  /** The prom-client object of one metric (tests read values through it). */
  metric<K extends keyof Defs>(key: K): MetricOf<K> {
    return this.metrics[key];
  }

  /**
   * One series' current value: a counter or gauge by labels, or a histogram's `_sum`, `_count`
   * (pass the suffix); 0 when the series does not exist yet. For tests and checks.
   */
  async valueOf<K extends keyof Defs>(
    key: K,
    labels: Partial<Record<Labels<K>, string>> = {},
    suffix: '' | '_sum' | '_count' = '',
  ): Promise<number> {
    const base = DOMAIN_METRIC_DEFINITIONS[key].name;
    const { values } = await this.metrics[key].get();
    const found = values.find(
      (v) =>
        ((v as { metricName?: string }).metricName ?? base) === base + suffix &&
        Object.entries(labels).every(
          ([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want,
        ),
    );
    return found?.value ?? 0;
  }

  /** Adds a hook that fills scrape-time gauges; returns its removal. */
  onScrape(hook: ScrapeHook): () => void {
    for (const key of SCRAPE_TIME_GAUGES) {
      const gauge = this.metrics[key];
      if (!this.registry.getSingleMetric(DOMAIN_METRIC_DEFINITIONS[key].name)) {
        this.registry.registerMetric(gauge);
      }
    }
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /** Runs the scrape hooks once per scrape, however many gauges ask (they are read in parallel). */
  refresh(): Promise<void> {
    this.scrape ??= Promise.allSettled([...this.hooks].map((hook) => hook(this)))
      .then(() => undefined)
      .finally(() => {
        this.scrape = null;
      });
    return this.scrape;
  }

  // Jobs (runner)

  /**
   * A worker took `job`: it counts as active until `done` is called, and on its first attempt its
   * wait is observed (a retry's would include the earlier attempts and the backoff).
   */
  jobStarted(
    queue: string,
    job: {
      name: string;
      timestamp: number;
      processedOn?: number;
      delay?: number;
      attemptsMade: number;
    },
  ): (outcome: 'completed' | 'failed' | 'rate_limited') => void {
    if (job.attemptsMade === 0) {
      // A delayed job waits from the end of its delay, not from its enqueue.
      const waitMs = (job.processedOn ?? Date.now()) - job.timestamp - (job.delay ?? 0);
      this.metrics.jobWait.observe({ queue }, Math.max(0, waitMs) / 1000);
    }
    this.metrics.jobsActive.inc({ queue });
    const stop = this.metrics.jobDuration.startTimer({ queue });
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      this.metrics.jobsActive.dec({ queue });
      stop();
      if (outcome === 'completed') this.metrics.jobsCompleted.inc({ queue, job: job.name });
      if (outcome === 'failed') this.metrics.jobsFailed.inc({ queue, job: job.name });
    };
  }

  /** A runner paused `queue` for the whole fleet after a provider's 429. */
  fleetPaused(queue: string): void {
    this.metrics.fleetPauses.inc({ queue });
  }

  // Sessions and the agent loop (runner)

  /** A session of `role` started; call the answer when it ends. */
  sessionStarted(role: string): () => void {
    this.metrics.sessionsActive.inc({ role });
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.metrics.sessionsActive.dec({ role });
    };
  }

  /** What the agent loop reports for a session of `role` (the agent lib's LoopMetrics). */
  loop(role: string): {
    turn(): void;
    toolCall(tool: string, isError: boolean): void;
    modelCall(call: ModelCallRecord): void;
  } {
    return {
      turn: () => this.metrics.turns.inc({ role }),
      toolCall: (tool, isError) =>
        this.metrics.toolCalls.inc({ role, tool, outcome: isError ? 'error' : 'ok' }),
      modelCall: (call) => this.modelCall(call),
    };
  }

  /** One model call: its latency, and for an answered one its tokens and cost. */
  modelCall(call: ModelCallRecord): void {
    const { provider, model } = call;
    this.metrics.modelCallDuration.observe(
      { provider, model, outcome: call.outcome },
      call.seconds,
    );
    if (call.outcome === 'rate_limited') this.metrics.providerRateLimited.inc({ provider });
    const u = call.usage;
    if (u) {
      const tokens = this.metrics.modelTokens;
      tokens.inc({ provider, model, direction: 'input' }, u.inputTokens);
      tokens.inc({ provider, model, direction: 'output' }, u.outputTokens);
      tokens.inc({ provider, model, direction: 'cache_read' }, u.cacheReadTokens ?? 0);
      tokens.inc({ provider, model, direction: 'cache_write' }, u.cacheWriteTokens ?? 0);
    }
    if (call.costUsd !== undefined && call.costUsd > 0) {
      this.metrics.modelCost.inc({ provider, model }, call.costUsd);
    }
  }

  // Claims, leases, merges, verification

  featureClaims(kind: 'backlog' | 'regression', claimed: number): void {
    if (claimed > 0) this.metrics.claims.inc({ kind, outcome: 'claimed' }, claimed);
    else this.metrics.claims.inc({ kind, outcome: 'none' });
  }

  leasesReaped(count: number): void {
    this.metrics.leasesReaped.inc(count);
  }

  /** A merge-queue batch of `size` requests ended with these outcomes. */
  mergeBatch(
    size: number,
    outcomes: readonly ('merged' | 'conflict' | 'failed' | 'requeued')[],
  ): void {
    this.metrics.mergeBatchSize.observe(size);
    for (const outcome of outcomes) this.metrics.merges.inc({ outcome });
  }

  verification(seconds: number, passed: boolean): void {
    this.metrics.verificationDuration.observe({ outcome: passed ? 'passed' : 'failed' }, seconds);
  }
}

const SCRAPE_TIME_GAUGES: ReadonlySet<keyof Defs> = new Set<keyof Defs>([
  'queueJobs',
  'queueWorkers',
  'queuePausedSeconds',
  'queueStatsUp',
  'budgetSpentShare',
]);
