// Container health probe for the Node images (no curl in node:*-slim). Exits 0 when the app's
// health endpoint answers 2xx within the timeout, 1 otherwise. HEALTHCHECK_URL overrides the
// per-app default.
'use strict';

const app = process.env.APP;
const defaults = {
  api: `http://127.0.0.1:${process.env.API_PORT || 3000}/health/ready`,
  runner: `http://127.0.0.1:${process.env.RUNNER_HEALTH_PORT || 3001}/health`,
  'llm-fake': `http://127.0.0.1:${process.env.LLM_FAKE_PORT || 4010}/_fake/health`,
  'dev-idp': `http://127.0.0.1:${process.env.DEV_IDP_PORT || 4020}/health`,
  'git-server': `http://127.0.0.1:${process.env.GIT_SERVER_PORT || 3400}/health`,
};
const url = process.env.HEALTHCHECK_URL || defaults[app];
if (!url) {
  console.error(`healthcheck: unknown APP "${app}" and no HEALTHCHECK_URL`);
  process.exit(1);
}

fetch(url, { signal: AbortSignal.timeout(4000) })
  .then((res) => {
    if (!res.ok) console.error(`healthcheck: ${url} answered ${res.status}`);
    process.exit(res.ok ? 0 : 1);
  })
  .catch((err) => {
    console.error(`healthcheck: ${url} unreachable: ${err.message}`);
    process.exit(1);
  });
