// GET /metrics of the api against the real Postgres and Redis: every domain metric is exposed,
// the queue gauges read the queues at scrape time, and the budget gauge each project's spend.
import { DOMAIN_METRIC_DEFINITIONS } from '@autocoder/server-observability';
import { JobQueueService } from '@autocoder/server-queue';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi } from '../testing/test-api';

describe('GET /metrics (api)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
  }, 120_000);

  afterAll(async () => {
    const queues = api?.app.get(JobQueueService);
    for (const q of Object.values(QueueName)) await queues?.queue(q).obliterate({ force: true });
    await api?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${api.base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('exposes every domain metric, with the queues and budgets read at scrape time', async () => {
    const project = await api.prisma.project.create({
      data: { name: 'metrics', spec: '-', budgetUsd: 10 },
    });
    await api.prisma.usageRecord.create({
      data: {
        projectId: project.id,
        kind: 'new_work',
        provider: 'demo',
        model: 'm',
        inputTokens: 1,
        outputTokens: 1,
        costUsd: 9.5,
      },
    });
    const queues = api.app.get(JobQueueService);
    await queues.queue(QueueName.AgentSession).add(JobName.CodingSession, {
      runId: 'r',
      projectId: project.id,
    });

    const text = await scrape();
    for (const def of Object.values(DOMAIN_METRIC_DEFINITIONS)) {
      expect(text).toContain(`# TYPE ${def.name} ${def.type}`);
    }
    expect(text).toMatch(/^autocoder_queue_stats_up 1$/m);
    expect(text).toMatch(/^autocoder_queue_jobs\{queue="agent-session",state="waiting"\} 1$/m);
    // No runner in this test: the "no runner on a queue" alert's condition.
    expect(text).toMatch(/^autocoder_queue_workers\{queue="agent-session"\} 0$/m);
    expect(text).toMatch(/^autocoder_queue_rate_limit_seconds\{queue="chat"\} 0$/m);
    expect(text).toContain(`autocoder_project_budget_spent_ratio{project="${project.id}"} 0.95`);
  });
});
