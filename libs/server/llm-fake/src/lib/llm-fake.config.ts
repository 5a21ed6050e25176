// Environment of the llm-fake app, validated here so the app stays a thin shell. Not part of
// the shared config lib: llm-fake needs none of the api/runner variables (DATABASE_URL, ...).
import { resolve } from 'node:path';
import { z } from 'zod';
import type { LlmFakeOptions } from './llm-fake.server';

const EnvSchema = z.object({
  LLM_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  LLM_FAKE_HOST: z.string().min(1).default('127.0.0.1'),
  LLM_FAKE_SCENARIOS: z.string().min(1).optional(),
  LLM_FAKE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(300_000),
});

/** Scenario folder defaults to apps/llm-fake/scenarios under `cwd` (the workspace root). */
export function llmFakeOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Required<Omit<LlmFakeOptions, 'cacheMinTokens'>> {
  const input = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success)
    throw new Error(`Invalid llm-fake configuration:\n${z.prettifyError(parsed.error)}`);
  const { LLM_FAKE_PORT, LLM_FAKE_HOST, LLM_FAKE_SCENARIOS, LLM_FAKE_CACHE_TTL_MS } = parsed.data;
  return {
    port: LLM_FAKE_PORT,
    host: LLM_FAKE_HOST,
    scenariosDir: resolve(cwd, LLM_FAKE_SCENARIOS ?? 'apps/llm-fake/scenarios'),
    cacheTtlMs: LLM_FAKE_CACHE_TTL_MS,
  };
}
