// Decides the answer to one request, independent of the provider's wire format. Stateless per
// conversation (the turn comes from the request) except for the failure counters.
import { createHash } from 'node:crypto';
import type { FailureStatus, Scenario, ScenarioSet, ScenarioTurn, StopReason } from './scenarios';

/** What a provider adapter extracts from a request. */
export interface ConversationView {
  /** System prompt and every message's text, tool results included: where markers are looked for. */
  text: string;
  /** Assistant (Anthropic) or model (Gemini) messages already in the request. */
  turn: number;
  /** Text of the first user message; identifies the conversation for failure counting. */
  firstUserText: string;
  /** Estimated prompt tokens: the default input usage. */
  inputTokens: number;
}

export type ReplyBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** The scenario set inputTokens: reported as fresh input as it is, without cache accounting. */
  scriptedInput: boolean;
}

export type Answer =
  | {
      kind: 'reply';
      blocks: ReplyBlock[];
      stopReason: StopReason;
      usage: Usage;
      delayMs: number;
      /** Pause between streamed text chunks (0: all at once). */
      chunkDelayMs: number;
    }
  | {
      kind: 'failure';
      status: FailureStatus;
      retryAfter: number | undefined;
      message: string | undefined;
    }
  | { kind: 'unmatched' };

export interface Decision {
  scenario: Scenario | undefined;
  turn: number;
  answer: Answer;
}

export const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

export function conversationKey(firstUserText: string): string {
  return createHash('sha256').update(firstUserText).digest('hex').slice(0, 16);
}

export class ScenarioPlayer {
  /** Failures already answered, per (scenario, turn, conversation). */
  private readonly served = new Map<string, number>();

  constructor(readonly scenarios: ScenarioSet) {}

  reset(): void {
    this.served.clear();
  }

  decide(view: ConversationView): Decision {
    const scenario = this.scenarios.pick(view.text);
    const turn = view.turn;
    if (!scenario) return { scenario, turn, answer: { kind: 'unmatched' } };

    const script = scenario.turns[turn];
    if (!script) {
      const text = `(llm-fake) scenario "${scenario.name}" has no turn ${turn}; ending the conversation.`;
      return { scenario, turn, answer: this.reply([{ type: 'text', text }], 'end_turn', view) };
    }

    const key = `${scenario.name}\u0000${turn}\u0000${conversationKey(view.firstUserText)}`;
    let n = this.served.get(key) ?? 0;
    for (const failure of script.failures) {
      if (failure.times === 'always' || n < failure.times) {
        this.served.set(key, (this.served.get(key) ?? 0) + 1);
        const retryAfter = failure.retryAfter ?? (failure.status === 429 ? 1 : undefined);
        return {
          scenario,
          turn,
          answer: { kind: 'failure', status: failure.status, retryAfter, message: failure.message },
        };
      }
      n -= failure.times;
    }

    const vars = extractVars(scenario, view.text);
    const blocks: ReplyBlock[] = script.content.map((block, i) =>
      block.type === 'text'
        ? { type: 'text', text: fill(block.text, vars) }
        : {
            type: 'tool_use',
            id: `toolu_${scenario.name}_${turn}_${i}`,
            name: block.name,
            input: fill(block.input, vars),
          },
    );
    const stopReason =
      script.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    return { scenario, turn, answer: this.reply(blocks, stopReason, view, script) };
  }

  private reply(
    blocks: ReplyBlock[],
    stopReason: StopReason,
    view: ConversationView,
    script: Partial<Pick<ScenarioTurn, 'usage' | 'delayMs' | 'chunkDelayMs'>> = {},
  ): Answer {
    const { usage, delayMs = 0, chunkDelayMs = 0 } = script;
    const outChars = blocks.reduce(
      (sum, b) => sum + (b.type === 'text' ? b.text.length : JSON.stringify(b.input).length),
      0,
    );
    return {
      kind: 'reply',
      blocks,
      stopReason,
      delayMs,
      chunkDelayMs,
      usage: {
        inputTokens: usage?.inputTokens ?? view.inputTokens,
        scriptedInput: usage?.inputTokens !== undefined,
        outputTokens: usage?.outputTokens ?? Math.max(1, estimateTokens(outChars)),
      },
    };
  }
}

/** The scenario's `extract` values found in the conversation (first capture group of each). */
export function extractVars(scenario: Scenario, text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, pattern] of Object.entries(scenario.extract ?? {})) {
    const m = new RegExp(pattern).exec(text);
    if (m) vars[name] = m[1] ?? m[0];
  }
  return vars;
}

/** Replaces `{{name}}` in every string inside `value`; unknown names stay as they are. */
export function fill<T>(value: T, vars: Readonly<Record<string, string>>): T {
  if (typeof value === 'string') {
    return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => vars[name] ?? whole) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => fill(v, vars)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fill(v, vars)]),
    ) as T;
  }
  return value;
}
