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
  usedBy: readonly ('api' | 'runner' | 'llm-fake')[];
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

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().min(1);

export const ENV_DEFINITIONS = {
  NODE_ENV: {
    schema: z.enum(['development', 'production', 'test']).default('development'),
    doc: { description: 'Runtime mode.', usedBy: ['api', 'runner'] },
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: { description: 'Minimum level of JSON log lines.', usedBy: ['api', 'runner'] },
  },
  DATABASE_URL: {
    schema: z.url({ protocol: /^postgres(ql)?$/ }),
    doc: {
      description:
        'Postgres connection string of api and runner: a login role in the autocoder_app group (created by the migrations), never the owner of the tables nor a superuser.',
      sensitive: true,
      usedBy: ['api', 'runner'],
    },
  },
  REDIS_URL: {
    schema: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
    doc: {
      description: 'Redis for jobs and live events. api and runner must use the same one.',
      sensitive: true,
      usedBy: ['api', 'runner'],
    },
  },
  QUEUE_PREFIX: {
    schema: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,40}$/)
      .default('autocoder'),
    doc: {
      description: 'Prefix of every BullMQ key. api and runner must use the same one.',
      usedBy: ['api', 'runner'],
    },
  },
  API_HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    doc: { description: 'Address the api listens on.', usedBy: ['api'] },
  },
  API_PORT: {
    schema: port.default(3000),
    doc: { description: 'Port of the api (REST, OpenAPI, health, metrics).', usedBy: ['api'] },
  },
  CONSOLE_DIR: {
    schema: z.string().min(1).optional(),
    doc: {
      description:
        'Folder of the built console (dist/apps/admin/browser) for the api to serve at / (local use; behind Traefik the admin container serves it).',
      usedBy: ['api'],
    },
  },
  AUTH_MODE: {
    schema: z.enum(['oidc', 'none']).default('oidc'),
    doc: {
      description:
        'oidc: people sign in at OIDC_ISSUER_URL, clients send bearer or API tokens. none: no sign-in, every request is an admin; refused unless API_HOST is a loopback address.',
      usedBy: ['api'],
    },
  },
  PUBLIC_URL: {
    schema: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
    doc: {
      description:
        'Address people open the console at; the sign-in callback is PUBLIC_URL/api/v1/auth/callback and https makes cookies Secure.',
      usedBy: ['api'],
    },
  },
  OIDC_ISSUER_URL: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    doc: {
      description:
        'Issuer of the identity provider (discovery at /.well-known/openid-configuration). Required when AUTH_MODE=oidc; http only for loopback.',
      usedBy: ['api'],
    },
  },
  OIDC_CLIENT_ID: {
    schema: z.string().min(1).default('autocoder-console'),
    doc: { description: 'Client id of the console at the identity provider.', usedBy: ['api'] },
  },
  OIDC_CLIENT_SECRET: {
    schema: z.string().min(1).optional(),
    doc: {
      description: 'Client secret of the console (or OIDC_CLIENT_SECRET_FILE).',
      sensitive: true,
      usedBy: ['api'],
    },
  },
  OIDC_SCOPES: {
    schema: z.string().min(1).default('openid profile email groups offline_access'),
    doc: { description: 'Scopes the console asks for at sign-in.', usedBy: ['api'] },
  },
  OIDC_AUDIENCE: {
    schema: z.string().min(1).default('urn:autocoder:api'),
    doc: {
      description:
        'Audience (aud) bearer access tokens must carry; also sent as the resource indicator at sign-in.',
      usedBy: ['api'],
    },
  },
  OIDC_ROLE_CLAIM: {
    schema: z.string().min(1).default('groups'),
    doc: {
      description:
        'Claim (dotted path for nested ones, e.g. realm_access.roles) holding the groups or roles mapped below.',
      usedBy: ['api'],
    },
  },
  OIDC_ADMIN_VALUES: {
    schema: z.string().min(1).default('autocoder-admins'),
    doc: { description: 'Comma-separated claim values that make an admin.', usedBy: ['api'] },
  },
  OIDC_VIEWER_VALUES: {
    schema: z.string().default('autocoder-viewers'),
    doc: { description: 'Comma-separated claim values that make a viewer.', usedBy: ['api'] },
  },
  OIDC_DEFAULT_ROLE: {
    schema: z.enum(['none', 'viewer']).default('none'),
    doc: {
      description:
        'Role of a signed-in person matching no value above: none refuses them, viewer lets them read.',
      usedBy: ['api'],
    },
  },
  SESSION_SECRET: {
    schema: z.string().min(32).optional(),
    doc: {
      description:
        'At least 32 characters signing session cookies and CSRF tokens (or SESSION_SECRET_FILE). Required when AUTH_MODE=oidc; the same on every api replica.',
      sensitive: true,
      usedBy: ['api'],
    },
  },
  SESSION_TTL_MINUTES: {
    schema: positiveInt.max(7 * 24 * 60).default(480),
    doc: {
      description: 'A console session ends after this long without a request.',
      usedBy: ['api'],
    },
  },
  API_TOKEN_DEFAULT_TTL_DAYS: {
    schema: positiveInt.max(3650).default(90),
    doc: {
      description:
        'Lifetime of a personal API token created without expiresInDays (every token expires).',
      usedBy: ['api'],
    },
  },
  API_TOKEN_MAX_TTL_DAYS: {
    schema: positiveInt.max(3650).default(365),
    doc: {
      description:
        'Longest lifetime a personal API token may be given; tokens stored without an expiry expire this long after creation.',
      usedBy: ['api'],
    },
  },
  API_TOKEN_OWNER_INACTIVE_DAYS: {
    schema: z.coerce.number().int().min(0).max(3650).default(30),
    doc: {
      description:
        "A person's API tokens are refused once the identity provider has not vouched for them (sign-in, session refresh, bearer token) for this many days; signing in again revives them under the current role. 0 turns the check off.",
      usedBy: ['api'],
    },
  },
  CORS_ORIGINS: {
    schema: z.string().default(''),
    doc: {
      description:
        'Comma-separated origins allowed to call the api from a browser (the console is same-origin and needs none).',
      usedBy: ['api'],
    },
  },
  TRUSTED_PROXIES: {
    schema: z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .superRefine((entries, ctx) => {
        for (const entry of entries.filter((e) => !isAddressOrRange(e))) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not an IP address or CIDR range (such as 10.0.0.5 or 10.0.0.0/24)`,
          });
        }
      }),
    doc: {
      description:
        'Comma-separated addresses or CIDR ranges of the reverse proxies in front of the api (Traefik). Only a request arriving from one of them may name the client in X-Forwarded-For / X-Forwarded-Proto; from anyone else the header is ignored and the peer address is the client (rate limits, audit trail). Empty: trust no proxy.',
      usedBy: ['api'],
    },
  },
  SSE_MAX_STREAMS_PER_CLIENT: {
    schema: positiveInt.default(16),
    doc: {
      description:
        'Event streams (server-sent events) one user or API token may hold open on one api replica; one more answers 429 until a stream closes. A console tab holds one or two (project, chat).',
      usedBy: ['api'],
    },
  },
  RATE_LIMIT_PER_MINUTE: {
    schema: positiveInt.default(600),
    doc: {
      description:
        'Requests per minute of one signed-in user or API token, across every api replica (Redis).',
      usedBy: ['api'],
    },
  },
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: {
    schema: positiveInt.default(120),
    doc: {
      description:
        'Requests per minute from one IP address without credentials (public routes, and 401s for requests that carried none), across replicas. /health/* and /metrics are not limited.',
      usedBy: ['api'],
    },
  },
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: {
    schema: positiveInt.default(30),
    doc: {
      description:
        'Refused credentials (unknown, revoked, expired, malformed) per minute from one IP address before it gets 429. A request without credentials counts against RATE_LIMIT_ANONYMOUS_PER_MINUTE instead.',
      usedBy: ['api'],
    },
  },
  RATE_LIMIT_LOGIN_PER_MINUTE: {
    schema: positiveInt.default(20),
    doc: { description: 'Sign-in requests per minute from one IP address.', usedBy: ['api'] },
  },
  RATE_LIMIT_CHAT_PER_MINUTE: {
    schema: positiveInt.default(20),
    doc: {
      description: 'Chat messages per minute of one user or token (each costs a model call).',
      usedBy: ['api'],
    },
  },
  RUNNER_HEALTH_HOST: {
    schema: z.string().min(1).default('127.0.0.1'),
    doc: {
      description: "Address of the runner's /health and /metrics server.",
      usedBy: ['runner'],
    },
  },
  RUNNER_HEALTH_PORT: {
    schema: port.default(3001),
    doc: { description: "Port of the runner's /health and /metrics server.", usedBy: ['runner'] },
  },
  RUNNER_ID: {
    schema: z.string().min(1).max(100).optional(),
    doc: {
      description: 'Name of this runner in runs and leases (default: host name and pid).',
      usedBy: ['runner'],
    },
  },
  RUNNER_CONCURRENCY: {
    schema: positiveInt.max(100).default(2),
    doc: { description: 'Agent sessions one runner process works on at once.', usedBy: ['runner'] },
  },
  CHAT_CONCURRENCY: {
    schema: positiveInt.max(200).default(10),
    doc: { description: 'Chat turns one runner process answers at once.', usedBy: ['runner'] },
  },
  ACTIVE_QUEUES: {
    schema: z
      .string()
      .default(Object.values(QueueName).join(','))
      .transform((list) => [...new Set(list.split(',').map((q) => q.trim()))].filter(Boolean))
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
    doc: {
      description:
        'Comma-separated queues this runner consumes (agent-session, control, chat); only these get workers. An unknown name stops the runner at start.',
      usedBy: ['runner'],
    },
  },
  JOB_ATTEMPTS: {
    schema: positiveInt.max(20).default(3),
    doc: {
      description: 'Attempts of an agent session before its run fails.',
      usedBy: ['api', 'runner'],
    },
  },
  JOB_BACKOFF_MS: {
    schema: positiveInt.default(5000),
    doc: {
      description: 'First retry delay of a failed session; doubles each attempt.',
      usedBy: ['api', 'runner'],
    },
  },
  JOB_LOCK_MS: {
    schema: positiveInt.default(60000),
    doc: {
      description:
        "BullMQ lock duration of every queue's worker (renewed every third of it); a job whose runner stops renewing it is retried elsewhere.",
      usedBy: ['runner'],
    },
  },
  SHUTDOWN_GRACE_MS: {
    schema: positiveInt.default(30000),
    doc: {
      description:
        'On SIGTERM, how long the runner lets current sessions finish before releasing them.',
      usedBy: ['runner'],
    },
  },
  WORKSPACE_ROOT: {
    schema: z.string().min(1).default('./tmp/workspaces'),
    doc: {
      description:
        'Where project git repositories and session worktrees live (a volume shared by every runner and the api).',
      usedBy: ['api', 'runner'],
    },
  },
  LEASE_MS: {
    schema: positiveInt.min(1000).default(120000),
    doc: {
      description:
        'Lease of a claimed feature; the session heartbeats it, and the reaper returns it when it expires.',
      usedBy: ['runner'],
    },
  },
  FEATURE_MAX_ATTEMPTS: {
    schema: positiveInt.max(20).default(3),
    doc: {
      description: 'Sessions a feature may take before it is marked failing with its last error.',
      usedBy: ['api', 'runner'],
    },
  },
  SESSION_MAX_TURNS: {
    schema: positiveInt.max(1000).default(80),
    doc: { description: 'Model turns one coding or testing session may take.', usedBy: ['runner'] },
  },
  SESSION_BUDGET_USD: {
    schema: z.coerce.number().positive().default(5),
    doc: {
      description:
        'Dollars one session (run) may spend; the project budget (per project) caps the total.',
      usedBy: ['runner'],
    },
  },
  BUDGET_WARN_SHARE: {
    schema: z.coerce.number().gt(0).lt(1).default(0.8),
    doc: {
      description:
        'Share of a budget at which a budget.warning event is written (and the console warns).',
      usedBy: ['api', 'runner'],
    },
  },
  VERIFY_TIMEOUT_MS: {
    schema: positiveInt.default(600000),
    doc: { description: "Time limit of a project's verification command.", usedBy: ['runner'] },
  },
  SANDBOX: {
    schema: z.enum(['auto', 'bwrap', 'off']).default('auto'),
    doc: {
      description:
        "OS sandbox of agents' and verification commands (bubblewrap: own PID and network namespaces, read-only machine, proxy to allowed hosts). Probed at start: when it cannot be made, `auto` logs so loudly and refuses coding and testing sessions, `bwrap` stops the runner; `off` runs commands unsandboxed (logged loudly at start; for machines where no sandbox is possible).",
      usedBy: ['runner'],
    },
  },
  SANDBOX_ALLOWED_HOSTS: {
    schema: z
      .string()
      .optional()
      .transform((list) =>
        list === undefined
          ? undefined
          : list.trim() === 'none'
            ? []
            : list
                .split(',')
                .map((h) => h.trim())
                .filter(Boolean),
      ),
    doc: {
      description:
        "Comma-separated hosts a sandbox's proxy lets through (`host`, `host:port`, `*.domain`); `none` allows none. Default (unset): the host of the npm registry the runner's npm is configured with (`npm config get registry`).",
      usedBy: ['runner'],
    },
  },
  SANDBOX_MEMORY_MB: {
    schema: positiveInt.min(1024).default(4096),
    doc: {
      description:
        'Address space of each process in a sandbox (RLIMIT_AS), MiB. Node reserves about 1 GiB at start.',
      usedBy: ['runner'],
    },
  },
  SANDBOX_CPU_SECONDS: {
    schema: positiveInt.default(600),
    doc: {
      description: 'CPU time of each process in a sandbox (RLIMIT_CPU), seconds.',
      usedBy: ['runner'],
    },
  },
  SANDBOX_MAX_PROCESSES: {
    schema: positiveInt.min(32).default(1024),
    doc: {
      description:
        "Processes and threads of a sandbox's user (RLIMIT_NPROC, counted per user namespace; not enforced for root).",
      usedBy: ['runner'],
    },
  },
  CONTROL_TICK_MS: {
    schema: positiveInt.min(200).default(5000),
    doc: {
      description:
        'Period of the control tick: reap expired leases, fail exhausted features, top up running projects.',
      usedBy: ['runner'],
    },
  },
  LLM_PROVIDER: {
    schema: z.enum(['anthropic', 'demo']).default('demo'),
    doc: {
      description: 'anthropic: the Claude API; demo: the offline llm-fake at LLM_FAKE_URL.',
      usedBy: ['api', 'runner'],
    },
  },
  ANTHROPIC_API_KEY: {
    schema: z.string().min(1).optional(),
    doc: {
      description: 'Claude API key (or ANTHROPIC_API_KEY_FILE).',
      sensitive: true,
      usedBy: ['api', 'runner'],
    },
  },
  ANTHROPIC_BASE_URL: {
    schema: z.url().optional(),
    doc: { description: 'Override of the Claude API address.', usedBy: ['runner'] },
  },
  ANTHROPIC_MODEL: {
    schema: z.string().min(1).default('claude-sonnet-5-5'),
    doc: { description: 'Model of initializer sessions.', usedBy: ['api', 'runner'] },
  },
  GEMINI_API_KEY: {
    schema: z.string().min(1).optional(),
    doc: {
      description:
        'Gemini API key (or GEMINI_API_KEY_FILE); chats may then use Gemini. In demo mode Gemini talks to llm-fake without one.',
      sensitive: true,
      usedBy: ['api', 'runner'],
    },
  },
  GEMINI_BASE_URL: {
    schema: z.url().optional(),
    doc: {
      description:
        'Override of the Gemini API address (default: Google, or LLM_FAKE_URL in demo mode).',
      usedBy: ['runner'],
    },
  },
  GEMINI_MODEL: {
    schema: z.string().min(1).default('gemini-2.5-flash'),
    doc: {
      description: 'Gemini model of chats that ask for Gemini (chat-only: no tools).',
      usedBy: ['api', 'runner'],
    },
  },
  GEMINI_TOOL_MODELS: {
    schema: z.string().default(''),
    doc: {
      description:
        'Comma-separated Gemini models whose function calling is enabled; the others are chat-only and sessions that need tools fall back to Claude.',
      usedBy: ['api', 'runner'],
    },
  },
  OLLAMA_HOST: {
    schema: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
    doc: {
      description: 'Address (http:// or https:// URL) of the Ollama server, for local models.',
      usedBy: ['api', 'runner'],
    },
  },
  OLLAMA_MODEL: {
    schema: z.string().min(1).optional(),
    doc: {
      description:
        'Ollama model to use, e.g. llama3.1 or qwen2.5-coder:7b (tools only for tool-capable ones).',
      usedBy: ['api', 'runner'],
    },
  },
  OLLAMA_TAGS_TIMEOUT_MS: {
    schema: positiveInt.max(30000).default(2000),
    doc: {
      description:
        "How long the api waits for the Ollama host's model list (GET /providers) before calling it unavailable.",
      usedBy: ['api'],
    },
  },
  PROVIDERS_CACHE_TTL_SECONDS: {
    schema: positiveInt.max(3600).default(60),
    doc: {
      description:
        'Seconds the list of providers and models (GET /providers) is cached in Redis; POST /providers/refresh rebuilds it.',
      usedBy: ['api'],
    },
  },
  LLM_FAKE_URL: {
    schema: z.url().default('http://127.0.0.1:4010'),
    doc: { description: 'Address of llm-fake, used by the demo provider.', usedBy: ['runner'] },
  },
  LLM_FAKE_PORT: {
    schema: port.default(4010),
    doc: { description: 'Port llm-fake listens on.', usedBy: ['llm-fake'] },
  },
} as const satisfies Record<string, { schema: z.ZodType; doc: VariableDoc }>;

export type EnvName = keyof typeof ENV_DEFINITIONS;
export type AppConfig = { [K in EnvName]: z.output<(typeof ENV_DEFINITIONS)[K]['schema']> };
