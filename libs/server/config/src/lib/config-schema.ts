// Every environment variable the services read, with a description and a sensitivity flag.
// docs/configuration.md is generated from these definitions (`make docs-config`) and a test
// checks it is current.
import { QueueName } from '@autocoder/shared-contracts';
import { isIP } from 'node:net';
import { z } from 'zod';

export interface VariableDoc {
  description: string;
  /** Secrets are never logged or echoed back. */
  sensitive?: boolean;
  /** Which services read it. */
  usedBy: readonly ('api' | 'runner' | 'llm-fake' | 'git-server')[];
}

/** An IPv4 or IPv6 address, or a CIDR range of one. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** The trimmed, non-empty entries of a comma-separated list. */
export function commaList(list: string): string[] {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);

/** A variable's definition: its schema and its documentation ('secret': never logged). */
const readBy =
  (...usedBy: VariableDoc['usedBy'][number][]) =>
  <S extends z.ZodType>(schema: S, description: string, secret?: 'secret') => ({
    schema,
    doc: { description, usedBy, ...(secret && { sensitive: true as const }) },
  });
const api = readBy('api');
const runner = readBy('runner');
const apiAndRunner = readBy('api', 'runner');
const llmFake = readBy('llm-fake');
const gitServer = readBy('git-server');

export const ENV_DEFINITIONS = {
  NODE_ENV: apiAndRunner(
    z.enum(['development', 'production', 'test']).default('development'),
    'Runtime mode.',
  ),
  LOG_LEVEL: readBy(
    'api',
    'runner',
    'git-server',
  )(
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    'Minimum level of JSON log lines.',
  ),
  LOG_FORMAT: apiAndRunner(
    z.enum(['json', 'pretty']).default('json'),
    'Log lines as JSON (production, CI, tests) or, for a terminal, readable through pino-pretty (make dev sets pretty; pino-pretty is a devDependency, so elsewhere pretty falls back to JSON with a warning).',
  ),
  DATABASE_URL: apiAndRunner(
    z.url({ protocol: /^postgres(ql)?$/ }),
    'Postgres connection string of api and runner: a login role in the autocoder_app group (created by the migrations), never the owner of the tables nor a superuser.',
    'secret',
  ),
  REDIS_URL: apiAndRunner(
    z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    'Redis for jobs and live events. api and runner must use the same one.',
    'secret',
  ),
  QUEUE_PREFIX: apiAndRunner(
    z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/)
      .default('autocoder'),
    'Prefix of every BullMQ key. api and runner must use the same one.',
  ),
  SENTRY_DSN: apiAndRunner(
    z.url({ protocol: /^https?$/ }).optional(),
    'Sentry DSN of the api and the runner (or SENTRY_DSN_FILE): their unexpected errors go there, scrubbed of secrets and personal data. Unset: no error reporting.',
    'secret',
  ),
  SENTRY_BROWSER_DSN: api(
    z.url({ protocol: /^https?$/ }).optional(),
    "Sentry DSN the console reports its errors to (default SENTRY_DSN); the api tells the signed-in console and allows the DSN's origin in the content-security policy's connect-src.",
  ),
  SENTRY_ENVIRONMENT: apiAndRunner(
    z.string().min(1).max(64).optional(),
    'Environment name on error reports (default NODE_ENV).',
  ),
  SENTRY_RELEASE: apiAndRunner(
    z.string().min(1).max(200).default('autocoder@dev'),
    'Release named on error reports (api, runner and console), e.g. autocoder@<git sha>; set it from the deployed image.',
  ),
  API_HOST: api(z.string().min(1).default('127.0.0.1'), 'Address the api listens on.'),
  API_PORT: api(port.default(3000), 'Port of the api (REST, OpenAPI, health, metrics).'),
  CONSOLE_DIR: api(
    z.string().min(1).optional(),
    'Folder of the built console (dist/apps/admin/browser) for the api to serve at / (local use; behind Traefik the admin container serves it).',
  ),
  AUTH_MODE: api(
    z.enum(['oidc', 'none']).default('oidc'),
    'oidc: people sign in at OIDC_ISSUER_URL, clients send bearer or API tokens. none: no sign-in, every request is an admin; refused unless API_HOST is a loopback address.',
  ),
  PUBLIC_URL: api(
    z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
    'Address people open the console at; the sign-in callback is PUBLIC_URL/api/v1/auth/callback and https makes cookies Secure.',
  ),
  OIDC_ISSUER_URL: api(
    z.url({ protocol: /^https?$/ }).optional(),
    'Issuer of the identity provider (discovery at /.well-known/openid-configuration). Required when AUTH_MODE=oidc; http only for loopback.',
  ),
  OIDC_CLIENT_ID: api(
    z.string().min(1).default('autocoder-console'),
    'Client id of the console at the identity provider.',
  ),
  OIDC_CLIENT_SECRET: api(
    z.string().min(1).optional(),
    'Client secret of the console (or OIDC_CLIENT_SECRET_FILE).',
    'secret',
  ),
  OIDC_SCOPES: api(
    z.string().min(1).default('openid profile email groups offline_access'),
    'Scopes the console asks for at sign-in.',
  ),
  OIDC_AUDIENCE: api(
    z.string().min(1).default('urn:autocoder:api'),
    'Audience (aud) bearer access tokens must carry; also sent as the resource indicator at sign-in.',
  ),
  OIDC_ROLE_CLAIM: api(
    z.string().min(1).default('groups'),
    'Claim (dotted path for nested ones, e.g. realm_access.roles) holding the groups or roles mapped below.',
  ),
  OIDC_ADMIN_VALUES: api(
    z.string().min(1).default('autocoder-admins'),
    'Comma-separated claim values that make an admin.',
  ),
  OIDC_VIEWER_VALUES: api(
    z.string().default('autocoder-viewers'),
    'Comma-separated claim values that make a viewer.',
  ),
  OIDC_DEFAULT_ROLE: api(
    z.enum(['none', 'viewer']).default('none'),
    'Role of a signed-in person matching no value above: none refuses them, viewer lets them read.',
  ),
  SESSION_SECRET: api(
    z.string().min(32).optional(),
    'At least 32 characters signing session cookies and CSRF tokens (or SESSION_SECRET_FILE). Required when AUTH_MODE=oidc; the same on every api replica.',
    'secret',
  ),
  SESSION_TTL_MINUTES: api(
    positiveInt.max(7 * 24 * 60).default(480),
    'A console session ends after this long without a request.',
  ),
  API_TOKEN_DEFAULT_TTL_DAYS: api(
    positiveInt.max(3650).default(90),
    'Lifetime of a personal API token created without expiresInDays (every token expires).',
  ),
  API_TOKEN_MAX_TTL_DAYS: api(
    positiveInt.max(3650).default(365),
    'Longest lifetime a personal API token may be given; tokens stored without an expiry expire this long after creation.',
  ),
  API_TOKEN_OWNER_INACTIVE_DAYS: api(
    z.coerce.number().int().min(0).max(3650).default(30),
    "A person's API tokens are refused once the identity provider has not vouched for them (sign-in, session refresh, bearer token) for this many days; signing in again revives them under the current role. 0 turns the check off.",
  ),
  CORS_ORIGINS: api(
    z.string().default(''),
    'Comma-separated origins allowed to call the api from a browser (the console is same-origin and needs none).',
  ),
  TRUSTED_PROXIES: api(
    z
      .string()
      .default('')
      .transform(commaList)
      .superRefine((entries, ctx) => {
        for (const entry of entries.filter((e) => !isAddressOrRange(e))) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not an IP address or CIDR range (such as 10.0.0.5 or 10.0.0.0/24)`,
          });
        }
      }),
    'Comma-separated addresses or CIDR ranges of the reverse proxies in front of the api (Traefik). Only a request arriving from one of them may name the client in X-Forwarded-For / X-Forwarded-Proto; from anyone else the header is ignored and the peer address is the client (rate limits, audit trail). Empty: trust no proxy.',
  ),
  SSE_MAX_STREAMS_PER_CLIENT: api(
    positiveInt.default(16),
    'Event streams (server-sent events) one user or API token may hold open on one api replica; one more answers 429 until a stream closes. A console tab holds one or two (project, chat).',
  ),
  RATE_LIMIT_PER_MINUTE: api(
    positiveInt.default(600),
    'Requests per minute of one signed-in user or API token, across every api replica (Redis).',
  ),
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: api(
    positiveInt.default(120),
    'Requests per minute from one IP address without credentials (public routes, and 401s for requests that carried none), across replicas. /health/* and /metrics are not limited.',
  ),
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: api(
    positiveInt.default(30),
    'Refused credentials (unknown, revoked, expired, malformed) per minute from one IP address before it gets 429. A request without credentials counts against RATE_LIMIT_ANONYMOUS_PER_MINUTE instead.',
  ),
  RATE_LIMIT_LOGIN_PER_MINUTE: api(
    positiveInt.default(20),
    'Sign-in requests per minute from one IP address.',
  ),
  RATE_LIMIT_CHAT_PER_MINUTE: api(
    positiveInt.default(20),
    'Chat messages per minute of one user or token (each costs a model call).',
  ),
  RUNNER_HEALTH_HOST: runner(
    z.string().min(1).default('127.0.0.1'),
    "Address of the runner's /health and /metrics server.",
  ),
  RUNNER_HEALTH_PORT: runner(
    port.default(3001),
    "Port of the runner's /health and /metrics server.",
  ),
  RUNNER_ID: runner(
    z.string().min(1).max(100).optional(),
    'Name of this runner in runs and leases (default: host name and pid).',
  ),
  RUNNER_CONCURRENCY: runner(
    positiveInt.max(100).default(2),
    'Agent sessions one runner process works on at once.',
  ),
  CHAT_CONCURRENCY: runner(
    positiveInt.max(200).default(10),
    'Chat turns one runner process answers at once.',
  ),
  ACTIVE_QUEUES: runner(
    z
      .string()
      .default(Object.values(QueueName).join(','))
      .transform((list) => [...new Set(commaList(list))])
      .pipe(
        z
          .array(
            z.enum(QueueName, {
              error: (i) =>
                `unknown queue "${String(i.input)}"; the queues are ${Object.values(QueueName).join(', ')}`,
            }),
          )
          .min(1, 'name at least one queue'),
      ),
    'Comma-separated queues this runner consumes (agent-session, control, chat); only these get workers. An unknown name stops the runner at start.',
  ),
  JOB_ATTEMPTS: apiAndRunner(
    positiveInt.max(20).default(3),
    'Attempts of an agent session before its run fails.',
  ),
  JOB_BACKOFF_MS: apiAndRunner(
    positiveInt.default(5000),
    'First retry delay of a failed session; doubles each attempt.',
  ),
  JOB_LOCK_MS: runner(
    positiveInt.default(60000),
    "BullMQ lock duration of every queue's worker (renewed every third of it); a job whose runner stops renewing it is retried elsewhere.",
  ),
  SHUTDOWN_GRACE_MS: runner(
    positiveInt.default(30000),
    'On SIGTERM, how long the runner lets current sessions finish before releasing them.',
  ),
  WORKSPACE_ROOT: apiAndRunner(
    z.string().min(1).default('./tmp/workspaces'),
    "Local, disposable disk of this process, never shared: a runner's cache clone per project (`<root>/<projectId>`) and its sessions' worktrees, the api's read cache for diffs, the repository browser and archives. Deleting it loses nothing: the next use clones again from the project's remote.",
  ),
  GIT_SERVER_URL: apiAndRunner(
    z
      .string()
      .min(1)
      .default('./tmp/git-remotes')
      .refine(
        (v) =>
          /^https?:\/\/[^/@\s]+(:\d+)?\/?$/.test(v) || /^file:\/\/\//.test(v) || !v.includes('://'),
        'an http(s)://host:port address (no path, no userinfo), a file:///absolute/dir URL, or a directory',
      ),
    "The bundled git server holding the repository of every project without its own remote (`http(s)://host:port`; repositories at `<url>/<projectId>.git`). A `file:///abs/dir` URL or a plain directory (relative to the working directory) keeps bare repositories on this host's disk instead, created on first use: single host only (local runs and tests), since every runner and the api must reach the same repositories.",
  ),
  SECRETS_KEY: apiAndRunner(
    z.string().min(32).optional(),
    "At least 32 characters encrypting credentials kept in the database (a project's own git remote) (or SECRETS_KEY_FILE); the same on every api replica and runner. Without it no credential can be stored.",
    'secret',
  ),
  GIT_REMOTE_ALLOW_HTTP: api(
    z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    "Whether a project's own git remote may be plain http:// (tests on loopback); https is always allowed.",
  ),
  LEASE_MS: runner(
    positiveInt.min(1000).default(120000),
    'Lease of a claimed feature; the session heartbeats it, and the reaper returns it when it expires.',
  ),
  FEATURE_MAX_ATTEMPTS: apiAndRunner(
    positiveInt.max(20).default(3),
    'Sessions a feature may take before it is marked failing with its last error.',
  ),
  SESSION_MAX_TURNS: runner(
    positiveInt.max(1000).default(80),
    'Model turns one coding or testing session may take.',
  ),
  SESSION_BUDGET_USD: runner(
    z.coerce.number().positive().default(5),
    'Dollars one session (run) may spend; the project budget (per project) caps the total.',
  ),
  BUDGET_WARN_SHARE: apiAndRunner(
    z.coerce.number().gt(0).lt(1).default(0.8),
    'Share of a budget at which a budget.warning event is written (and the console warns).',
  ),
  VERIFY_TIMEOUT_MS: runner(
    positiveInt.default(600000),
    "Time limit of a project's verification command.",
  ),
  MERGE_BATCH_MAX: runner(
    positiveInt.max(100).default(20),
    'Most requests the merge queue merges, verifies and publishes as one batch (a failing batch is bisected to find the culprit); 1 merges one session at a time.',
  ),
  MERGE_QUEUE_TICK_MS: runner(
    positiveInt.min(200).default(5000),
    'Period at which a runner drains merge queues that wait (queued requests, or merging ones a dead merge worker left); a session waiting for its merge drains its queue itself.',
  ),
  SANDBOX: runner(
    z.enum(['auto', 'bwrap', 'off']).default('auto'),
    "OS sandbox of agents' and verification commands (bubblewrap: own PID and network namespaces, read-only machine, proxy to allowed hosts). Probed at start: when it cannot be made, `auto` logs so loudly and refuses coding and testing sessions, `bwrap` stops the runner; `off` runs commands unsandboxed (logged loudly at start; for machines where no sandbox is possible).",
  ),
  SANDBOX_ALLOWED_HOSTS: runner(
    z
      .string()
      .optional()
      .transform((list) =>
        list === undefined ? undefined : list.trim() === 'none' ? [] : commaList(list),
      ),
    "Comma-separated hosts a sandbox's proxy lets through (`host`, `host:port`, `*.domain`); `none` allows none. Default (unset): the host of the npm registry the runner's npm is configured with (`npm config get registry`).",
  ),
  SANDBOX_MEMORY_MB: runner(
    positiveInt.min(1024).default(4096),
    'Address space of each process in a sandbox (RLIMIT_AS), MiB. Node reserves about 1 GiB at start.',
  ),
  SANDBOX_CPU_SECONDS: runner(
    positiveInt.default(600),
    'CPU time of each process in a sandbox (RLIMIT_CPU), seconds.',
  ),
  SANDBOX_MAX_PROCESSES: runner(
    positiveInt.min(32).default(1024),
    "Processes and threads of a sandbox's user (RLIMIT_NPROC, counted per user namespace; not enforced for root).",
  ),
  CONTROL_TICK_MS: runner(
    positiveInt.min(200).default(5000),
    'Period of the control tick: reap expired leases, fail exhausted features, top up running projects.',
  ),
  LLM_PROVIDER: apiAndRunner(
    z.enum(['anthropic', 'demo']).default('demo'),
    'anthropic: the Claude API; demo: the offline llm-fake at LLM_FAKE_URL.',
  ),
  ANTHROPIC_API_KEY: apiAndRunner(
    z.string().min(1).optional(),
    'Claude API key (or ANTHROPIC_API_KEY_FILE).',
    'secret',
  ),
  ANTHROPIC_BASE_URL: runner(z.url().optional(), 'Override of the Claude API address.'),
  ANTHROPIC_MODEL: apiAndRunner(
    z.string().min(1).default('claude-sonnet-5-5'),
    'Model of initializer sessions.',
  ),
  GEMINI_API_KEY: apiAndRunner(
    z.string().min(1).optional(),
    'Gemini API key (or GEMINI_API_KEY_FILE); chats may then use Gemini. In demo mode Gemini talks to llm-fake without one.',
    'secret',
  ),
  GEMINI_BASE_URL: runner(
    z.url().optional(),
    'Override of the Gemini API address (default: Google, or LLM_FAKE_URL in demo mode).',
  ),
  GEMINI_MODEL: apiAndRunner(
    z.string().min(1).default('gemini-2.5-flash'),
    'Gemini model of chats that ask for Gemini (chat-only: no tools).',
  ),
  GEMINI_TOOL_MODELS: apiAndRunner(
    z.string().default(''),
    'Comma-separated Gemini models whose function calling is enabled; the others are chat-only and sessions that need tools fall back to Claude.',
  ),
  OLLAMA_HOST: apiAndRunner(
    z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
    'Address (http:// or https:// URL) of the Ollama server, for local models.',
  ),
  OLLAMA_MODEL: apiAndRunner(
    z.string().min(1).optional(),
    'Ollama model to use, e.g. llama3.1 or qwen2.5-coder:7b (tools only for tool-capable ones).',
  ),
  OLLAMA_TAGS_TIMEOUT_MS: api(
    positiveInt.max(30000).default(2000),
    "How long the api waits for the Ollama host's model list (GET /providers) before calling it unavailable.",
  ),
  PROVIDERS_CACHE_TTL_SECONDS: api(
    positiveInt.max(3600).default(60),
    'Seconds the list of providers and models (GET /providers) is cached in Redis; POST /providers/refresh rebuilds it.',
  ),
  LLM_FAKE_URL: runner(
    z.url().default('http://127.0.0.1:4010'),
    'Address of llm-fake, used by the demo provider.',
  ),
  LLM_FAKE_PORT: llmFake(port.default(4010), 'Port llm-fake listens on.'),
  GIT_SERVER_HOST: gitServer(
    z.string().min(1).default('127.0.0.1'),
    'Address the bundled git server listens on.',
  ),
  GIT_SERVER_PORT: gitServer(port.default(3400), 'Port of the bundled git server.'),
  GIT_SERVER_ROOT: gitServer(
    z.string().min(1).default('./tmp/git-server'),
    "Folder of the git server's bare repositories, one per project named by its id; keep it on a persistent volume and back it up.",
  ),
  GIT_SERVER_TOKEN: readBy('api', 'runner', 'git-server')(
    z.string().min(32).optional(),
    'Token of the bundled git server: the git server checks it, api and runners send it (or GIT_SERVER_TOKEN_FILE).',
    'secret',
  ),
  GIT_SERVER_MAX_BODY_MB: gitServer(
    positiveInt.max(65536).default(1024),
    'Largest request the git server accepts (a pushed pack), MiB.',
  ),
  // OpenTelemetry tracing (docs/observability.md#tracing). The SDK reads these from the
  // environment itself; they are validated and documented here. Tracing is off unless
  // OTEL_TRACES_EXPORTER or an OTLP endpoint is set.
  OTEL_SDK_DISABLED: apiAndRunner(
    z.enum(['true', 'false']).default('false'),
    'true switches tracing off whatever else is set.',
  ),
  OTEL_TRACES_EXPORTER: apiAndRunner(
    z.string().trim().min(1).optional(),
    'Span exporter(s) of the OpenTelemetry SDK: otlp, console or none. Setting it (other than none) switches tracing on; unset, tracing is on only when an OTLP endpoint is set.',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: apiAndRunner(
    z.url({ protocol: /^https?$/ }).optional(),
    'Base URL of the OTLP receiver (e.g. http://otel-collector:4318); setting it switches tracing on. Empty: off.',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: apiAndRunner(
    z.url({ protocol: /^https?$/ }).optional(),
    'Full URL for spans only (e.g. http://otel-collector:4318/v1/traces), instead of OTEL_EXPORTER_OTLP_ENDPOINT.',
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: apiAndRunner(
    z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf'),
    'OTLP encoding and transport: http/protobuf (port 4318), http/json (4318) or grpc (4317).',
  ),
  OTEL_EXPORTER_OTLP_HEADERS: apiAndRunner(
    z.string().min(1).optional(),
    'Headers sent with every OTLP export (key=value,key=value), e.g. a vendor API key. Read by the SDK from the environment only (no _FILE form).',
    'secret',
  ),
  OTEL_SERVICE_NAME: apiAndRunner(
    z.string().trim().min(1).optional(),
    'service.name of the spans; default autocoder-api or autocoder-runner.',
  ),
  OTEL_RESOURCE_ATTRIBUTES: apiAndRunner(
    z.string().min(1).optional(),
    'Extra resource attributes of every span (key=value,…), e.g. deployment.environment.name=prod.',
  ),
  OTEL_TRACES_SAMPLER: apiAndRunner(
    z
      .enum([
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ])
      .default('parentbased_always_on'),
    'Which traces are kept; parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG keeps a share of them.',
  ),
  OTEL_TRACES_SAMPLER_ARG: apiAndRunner(
    z.coerce.number().min(0).max(1).optional(),
    'The ratio (0-1) of the traceidratio samplers.',
  ),
} as const satisfies Record<string, { schema: z.ZodType; doc: VariableDoc }>;

export type EnvName = keyof typeof ENV_DEFINITIONS;
export type AppConfig = { [K in EnvName]: z.output<(typeof ENV_DEFINITIONS)[K]['schema']> };
