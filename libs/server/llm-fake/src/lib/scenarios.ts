// Scenario files: what the fake answers, turn by turn. Validated at load so that a typo in a
// script is a start-up error instead of a confusing answer in the middle of a test.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const FAILURE_STATUSES = [429, 500, 529] as const;
export type FailureStatus = (typeof FAILURE_STATUSES)[number];

const FailureSchema = z.strictObject({
  status: z.literal(FAILURE_STATUSES),
  /** Seconds, sent as `retry-after`. 429 defaults to 1. */
  retryAfter: z.number().positive().max(3600).optional(),
  /** How many requests get this failure; "always" never lets the turn through. */
  times: z.union([z.int().min(1).max(1000), z.literal('always')]).default(1),
  message: z.string().min(1).optional(),
});

const TextBlockSchema = z.strictObject({ type: z.literal('text'), text: z.string().min(1) });
const ToolUseBlockSchema = z.strictObject({
  type: z.literal('tool_use'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 of [a-zA-Z0-9_-]'),
  input: z.record(z.string(), z.unknown()),
});
const BlockSchema = z.discriminatedUnion('type', [TextBlockSchema, ToolUseBlockSchema]);

export const STOP_REASONS = ['end_turn', 'tool_use', 'max_tokens', 'stop_sequence'] as const;
export type StopReason = (typeof STOP_REASONS)[number];

const TurnSchema = z
  .strictObject({
    failures: z.array(FailureSchema).default([]),
    content: z.array(BlockSchema).default([]),
    /** Defaults to tool_use when the turn calls a tool, end_turn otherwise. */
    stopReason: z.enum(STOP_REASONS).optional(),
    /** A slow model: a streamed answer pauses this long after message_start. */
    delayMs: z.int().min(0).max(600_000).default(0),
    /**
     * A model that types: a streamed answer (Anthropic's wire format) pauses this long between
     * its text chunks of ~24 characters, so a reader sees it arrive and can stop it half-way.
     */
    chunkDelayMs: z.int().min(0).max(10_000).default(0),
    usage: z
      .strictObject({
        inputTokens: z.int().min(0).optional(),
        outputTokens: z.int().min(0).optional(),
      })
      .optional(),
  })
  .superRefine((turn, ctx) => {
    const alwaysAt = turn.failures.findIndex((f) => f.times === 'always');
    if (alwaysAt >= 0 && alwaysAt !== turn.failures.length - 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['failures'],
        message: 'a "times": "always" failure must be the last one',
      });
    }
    if (alwaysAt < 0 && turn.content.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'a turn that can succeed needs at least one block',
      });
    }
  });

export const ScenarioSchema = z.strictObject({
  // Goes into tool-use ids, so keep it to id-safe characters.
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "-" and "_"'),
  match: z.string().min(1).optional(),
  /** Also required in the conversation, e.g. a role's system prompt: one marker, several roles. */
  requires: z.string().min(1).optional(),
  /**
   * Values taken from the conversation text by regular expression (first capture group), to be
   * used as `{{name}}` in the turns' text and tool inputs: a script can name what the platform
   * chose at run time, like the feature a session claimed.
   */
  extract: z
    .record(
      z.string().regex(/^\w+$/, 'a word'),
      z.string().refine((r) => {
        try {
          new RegExp(r);
          return true;
        } catch {
          return false;
        }
      }, 'a valid regular expression'),
    )
    .optional(),
  description: z.string().optional(),
  turns: z.array(TurnSchema).min(1),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioTurn = Scenario['turns'][number];

export class ScenarioLoadError extends Error {
  override readonly name = 'ScenarioLoadError';
}

export interface ScenarioSet {
  readonly scenarios: readonly Scenario[];
  readonly defaultScenario: Scenario | undefined;
  /** The scenario whose marker occurs in `text`, else the default. */
  pick(text: string): Scenario | undefined;
}

/** Parses one file's text; `source` only names it in errors. */
export function parseScenario(text: string, source: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioLoadError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = ScenarioSchema.safeParse(json);
  if (!parsed.success) {
    throw new ScenarioLoadError(`${source}: invalid scenario\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function buildScenarioSet(scenarios: readonly Scenario[], source: string): ScenarioSet {
  if (scenarios.length === 0) throw new ScenarioLoadError(`${source}: no scenario files (*.json)`);
  const names = new Set<string>();
  const markers = new Set<string>();
  const markerKey = (s: Scenario) => `${s.match ?? ''}\u0000${s.requires ?? ''}`;
  const defaults: Scenario[] = [];
  for (const s of scenarios) {
    if (names.has(s.name))
      throw new ScenarioLoadError(`${source}: two scenarios are named "${s.name}"`);
    names.add(s.name);
    if (s.match === undefined) {
      defaults.push(s);
    } else {
      if (markers.has(markerKey(s)))
        throw new ScenarioLoadError(`${source}: two scenarios match "${s.match}"`);
      markers.add(markerKey(s));
    }
  }
  if (defaults.length > 1) {
    throw new ScenarioLoadError(
      `${source}: only one scenario may omit "match" (the default); found ${defaults.map((d) => d.name).join(', ')}`,
    );
  }
  // Scenarios with `requires` (the more specific) first; then the longest marker, so
  // "[scenario:small]" cannot shadow "[scenario:small-2]"; then the longest `requires`.
  const matchers = scenarios
    .filter((s) => s.match !== undefined)
    .sort(
      (a, b) =>
        Number(b.requires !== undefined) - Number(a.requires !== undefined) ||
        (b.match?.length ?? 0) - (a.match?.length ?? 0) ||
        (b.requires?.length ?? 0) - (a.requires?.length ?? 0),
    );
  const defaultScenario = defaults[0];
  return {
    scenarios,
    defaultScenario,
    pick: (text) =>
      matchers.find(
        (s) =>
          s.match !== undefined &&
          text.includes(s.match) &&
          (s.requires === undefined || text.includes(s.requires)),
      ) ?? defaultScenario,
  };
}

/** Loads every `*.json` in `dir`, in name order. */
export async function loadScenarios(dir: string): Promise<ScenarioSet> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    throw new ScenarioLoadError(`cannot read scenarios folder ${dir}: ${(err as Error).message}`);
  }
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const path = join(dir, file);
    scenarios.push(parseScenario(await readFile(path, 'utf8'), path));
  }
  return buildScenarioSet(scenarios, dir);
}
