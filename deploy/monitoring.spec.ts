// The monitoring profile: Prometheus's scrape configuration and alert rules, the Grafana dashboard
// and provisioning, and the compose services that load them. `promtool` is not available here, so
// the checks are structural; every metric name the dashboard and the rules use must be one the
// code defines (libs/server/observability/src/lib/domain-metrics.ts, http-metrics.ts).
import { DOMAIN_METRIC_DEFINITIONS } from '@autocoder/server-observability';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parse } from 'yaml';
import { envToMap, readText, readYaml, REPO_ROOT, repoPath } from './deploy-test-utils';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
interface ComposeService {
  image?: string;
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  networks?: Record<string, unknown>;
  environment?: Record<string, string>;
  secrets?: { source: string }[];
}

const HTTP_METRICS = ['http_requests_total', 'http_request_duration_seconds'];

/** Series names the code exposes: counters and gauges as named, histograms with their suffixes. */
function knownSeries(): Set<string> {
  const names = new Set<string>(['up']);
  const add = (name: string, histogram: boolean) => {
    names.add(name);
    if (histogram) for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  };
  for (const def of Object.values(DOMAIN_METRIC_DEFINITIONS)) {
    add(def.name, def.type === 'histogram');
  }
  add(HTTP_METRICS[0], false);
  add(HTTP_METRICS[1], true);
  return names;
}

/** The metric names a PromQL expression reads (ours: autocoder_*, http_*, up). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(autocoder_[a-z0-9_]+|http_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map(
    (m) => m[1],
  );
}

function composeConfig(): Record<string, ComposeService> {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' },
    timeout: 30000,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `docker-compose config failed (installed by \`make test-tools\`): ${result.error?.message ?? result.stderr}`,
    );
  }
  return (parse(result.stdout) as { services: Record<string, ComposeService> }).services;
}

describe('monitoring: Prometheus, alert rules, Grafana', () => {
  const known = knownSeries();
  const dashboard = JSON.parse(readText('deploy/grafana/dashboards/autocoder.json')) as {
    uid: string;
    panels: Panel[];
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const alerts = readYaml<{ groups: { name: string; rules: Rule[] }[] }>(
    'deploy/prometheus/alerts.yml',
  );
  const rules = alerts.groups.flatMap((g) => g.rules);
  const prometheus = readYaml<{
    rule_files: string[];
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; type: string; port: number }[];
    }[];
  }>('deploy/prometheus/prometheus.yml');

  it('has a dashboard with a query on every panel and every domain metric on some panel', () => {
    expect(dashboard.uid).toBe('autocoder');
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect({ panel: panel.title, hasQuery: (panel.targets?.length ?? 0) > 0 }).toEqual({
        panel: panel.title,
        hasQuery: true,
      });
    }
    const used = new Set(
      exprs.flatMap(metricNames).map((n) => n.replace(/_(bucket|sum|count)$/, '')),
    );
    const missing = Object.values(DOMAIN_METRIC_DEFINITIONS)
      .map((d) => d.name)
      .filter((name) => !used.has(name));
    expect(missing).toEqual([]);
  });

  it('uses only metric names the code defines, in the dashboard and in the alert rules', () => {
    const unknown = [...exprs, ...rules.map((r) => r.expr)]
      .flatMap(metricNames)
      .filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // The check itself reads names: a made-up one is caught.
    expect(metricNames('sum(autocoder_made_up_total{a="b"})')).toEqual(['autocoder_made_up_total']);
  });

  it('alerts on a queue backing up, no runner on a queue, a budget nearly spent and the error rate', () => {
    const byName = new Map(rules.map((r) => [r.alert, r]));
    for (const name of ['QueueBackingUp', 'NoRunnerOnQueue', 'BudgetNearlySpent', 'ApiErrorRate']) {
      expect({ name, defined: byName.has(name) }).toEqual({ name, defined: true });
    }
    expect(byName.get('NoRunnerOnQueue')?.expr).toMatch(/autocoder_queue_workers\)?\s*==\s*0/);
    expect(byName.get('NoRunnerOnQueue')?.for).toBe('5m');
    expect(byName.get('QueueBackingUp')?.for).toBe('10m');
    expect(byName.get('BudgetNearlySpent')?.expr).toMatch(
      /autocoder_project_budget_spent_ratio > 0\.9/,
    );
    expect(byName.get('ApiErrorRate')?.expr).toMatch(/status=~"5\.\."/);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: rule.labels?.['severity'] }).toEqual({
        alert: expect.any(String),
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(rule.annotations?.['summary']).toEqual(expect.any(String));
      expect(rule.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('has every alert explained in the RUNBOOK', () => {
    const runbook = readText('RUNBOOK.md');
    const missing = rules.map((r) => r.alert ?? '').filter((name) => !runbook.includes(name));
    expect(missing).toEqual([]);
  });

  it('scrapes the api and every runner replica on the ports compose gives them, with the rules loaded', () => {
    const services = composeConfig();
    const jobs = new Map(prometheus.scrape_configs.map((c) => [c.job_name, c]));
    const apiPort = envToMap(services['api']?.environment)['API_PORT'];
    const runnerPort = envToMap(services['runner']?.environment)['RUNNER_HEALTH_PORT'];
    expect(jobs.get('api')?.static_configs?.[0]?.targets).toEqual([`api:${apiPort}`]);
    expect(jobs.get('runner')?.dns_sd_configs?.[0]).toMatchObject({
      names: ['runner'],
      type: 'A',
      port: Number(runnerPort),
    });
    for (const job of jobs.values()) expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
  });

  it('runs Prometheus and Grafana in the monitoring profile with these files mounted read-only', () => {
    const services = composeConfig();
    const prom = services['prometheus'];
    const grafana = services['grafana'];
    expect(prom?.profiles).toEqual(['monitoring']);
    expect(grafana?.profiles).toEqual(['monitoring']);
    expect(prom?.volumes).toEqual(
      expect.arrayContaining([
        `${repoPath('deploy/prometheus/prometheus.yml')}:/etc/prometheus/prometheus.yml:ro`,
        `${repoPath('deploy/prometheus/alerts.yml')}:/etc/prometheus/alerts.yml:ro`,
      ]),
    );
    expect(grafana?.volumes).toEqual(
      expect.arrayContaining([
        `${repoPath('deploy/grafana/provisioning')}:/etc/grafana/provisioning:ro`,
        `${repoPath('deploy/grafana/dashboards')}:/var/lib/grafana/dashboards:ro`,
      ]),
    );
    // Prometheus reaches api and runners on their network; both answer on this machine only.
    expect(Object.keys(prom?.networks ?? {})).toContain('backend');
    expect(Object.keys(services['api']?.networks ?? {})).toContain('backend');
    expect(Object.keys(services['runner']?.networks ?? {})).toContain('backend');
    for (const s of [prom, grafana]) {
      for (const port of s?.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
    // Grafana's admin password from a secret file, with its .example.
    const env = envToMap(grafana?.environment);
    expect(env['GF_SECURITY_ADMIN_PASSWORD__FILE']).toBe('/run/secrets/grafana_admin_password');
    expect(grafana?.secrets?.map((s) => s.source)).toEqual(['grafana_admin_password']);
    expect(existsSync(repoPath('deploy/secrets/grafana_admin_password.example'))).toBe(true);
  });

  it('provisions Grafana with the Prometheus datasource and the dashboards folder it mounts', () => {
    const ds = readYaml<{ datasources: { uid: string; url: string; type: string }[] }>(
      'deploy/grafana/provisioning/datasources/prometheus.yml',
    );
    expect(ds.datasources).toEqual([
      expect.objectContaining({
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
      }),
    ]);
    const providers = readYaml<{ providers: { options: { path: string } }[] }>(
      'deploy/grafana/provisioning/dashboards/autocoder.yml',
    );
    expect(providers.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
    const panelsDs = dashboard.panels
      .filter((p) => p.type !== 'row')
      .map((p) => (p as Panel & { datasource?: { uid: string } }).datasource?.uid);
    expect(new Set(panelsDs)).toEqual(new Set(['prometheus']));
  });
});
