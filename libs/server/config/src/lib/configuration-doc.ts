import { ENV_DEFINITIONS, EnvName } from './config-schema';

/** docs/configuration.md, rendered from the schema so the two cannot drift apart. */
export function renderConfigurationDoc(): string {
  const rows = (Object.keys(ENV_DEFINITIONS) as EnvName[]).map((name) => {
    const { schema, doc } = ENV_DEFINITIONS[name];
    const parsed = schema.safeParse(undefined);
    const fallback = parsed.success
      ? parsed.data === undefined
        ? '—'
        : `\`${String(parsed.data)}\``
      : '**required**';
    const sensitive = 'sensitive' in doc && doc.sensitive ? 'yes' : '';
    return `| \`${name}\` | ${doc.usedBy.join(', ')} | ${fallback} | ${sensitive} | ${doc.description.replace(/\|/g, '\\|')} |`;
  });
  return [
    '# Configuration',
    '',
    'Every setting is an environment variable, validated at start-up (`libs/server/config`); a',
    'service with an invalid value refuses to start and names the variable. Any variable can also be',
    'read from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets). Sensitive values are',
    'masked in the start-up log line.',
    '',
    'This page is generated from `libs/server/config/src/lib/config-schema.ts` by',
    '`make docs-config`; a unit test fails when it is out of date.',
    '',
    '| Variable | Used by | Default | Sensitive | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'llm-fake also reads `LLM_FAKE_HOST` (default `127.0.0.1`), `LLM_FAKE_SCENARIOS` (default',
    '`apps/llm-fake/scenarios`) and `LLM_FAKE_CACHE_TTL_MS` (lifetime of a cached prompt prefix,',
    'default `300000`); it validates them itself because it needs no database.',
    '',
    'The migrations (`tools/prisma/migrate.mjs deploy`, the compose `migrate` service, the k8s',
    'migrate Job) read `MIGRATION_DATABASE_URL`, the owner of the tables, besides `DATABASE_URL`:',
    'they create the login role of `DATABASE_URL` (or set its password) in the `autocoder_app` group,',
    'which owns nothing and may only add and read audit events. api and runner never see the',
    'owner\'s URL. With `DATABASE_URL` alone, migrations run as that role (RUNBOOK.md, "Database roles").',
    '',
  ].join('\n');
}
