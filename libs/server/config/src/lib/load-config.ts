import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppConfig, ENV_DEFINITIONS, EnvName } from './config-schema';

export class ConfigError extends Error {}

/**
 * Validates the environment once at boot. A secret may come from `<NAME>_FILE` (Docker and
 * Kubernetes secrets) instead of the variable itself.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return loadConfigFor(Object.keys(ENV_DEFINITIONS) as EnvName[], env);
}

/**
 * Validates only the named variables: for a service that reads a few of them (the git server needs
 * no database, so DATABASE_URL must not be required of it).
 */
export function loadConfigFor<N extends EnvName>(
  names: readonly N[],
  env: NodeJS.ProcessEnv = process.env,
): Pick<AppConfig, N> {
  const shape = Object.fromEntries(names.map((name) => [name, ENV_DEFINITIONS[name].schema]));
  const input: Record<string, string | undefined> = {};
  for (const name of names) {
    const fromFile = env[`${name}_FILE`];
    const value = fromFile ? readFileSync(fromFile, 'utf8').trim() : env[name];
    input[name] = value === '' ? undefined : value;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      const def = ENV_DEFINITIONS[name as EnvName];
      return `  ${name}: ${i.message}${def ? ` (${def.doc.description})` : ''}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data as Pick<AppConfig, N>;
}

/** The configuration with secrets masked, for a start-up log line. */
export function describeConfig(
  config: Partial<AppConfig>,
  names: readonly EnvName[] = Object.keys(ENV_DEFINITIONS) as EnvName[],
): Record<string, unknown> {
  return Object.fromEntries(
    names.map((name) => {
      const doc = ENV_DEFINITIONS[name].doc;
      const sensitive = 'sensitive' in doc && doc.sensitive;
      const value = config[name];
      return [name, sensitive && value !== undefined ? '***' : value];
    }),
  );
}
