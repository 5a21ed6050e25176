// The agent loop every session role runs: ask the model, run the tools it calls, feed the results
// back, until it stops, a limit is hit, the budget runs out, it is stuck, or it is cancelled.
// Chats run it too, through the streaming and persistence hooks, with budgets and stuck checks off.
import { createHash } from 'node:crypto';
import {
  ChatMessage,
  ContentBlock,
  LlmProvider,
  ModelResponse,
  textOf,
  toolUsesOf,
  ToolSpec,
} from '../providers/llm-provider';
import { costOf, TokenUsage } from '@autocoder/server-models';
import {
  inSpan,
  modelCallSpanName,
  modelRequestAttributes,
  modelResponseAttributes,
  SpanAttr,
  toolCallAttributes,
  toolCallSpanName,
} from '@autocoder/server-observability';
import { SpanKind } from '@opentelemetry/api';
import { ProviderRateLimitedError } from '../providers/provider-errors';
import { cap } from '../tools/file-tools';
import { compactionPolicy, compactTranscript } from './compaction-policy';

export type LoopEnd =
  | { reason: 'completed'; text: string }
  | { reason: 'max_turns' }
  | { reason: 'budget_exceeded'; spentUsd: number; limitUsd: number; shared?: boolean }
  | { reason: 'stuck'; detail: string }
  | { reason: 'cancelled' };

export interface LoopTool {
  spec: ToolSpec;
  /** Runs one call; answers errors as outcomes, throws only for the platform's own failures. */
  run(input: unknown, signal: AbortSignal): Promise<{ content: string; isError?: boolean }>;
  /** Calls that change files or the backlog count as progress for stuck detection. */
  makesProgress?: boolean;
}

/**
 * Where the loop reports turns, tool calls and model calls (the runner's Prometheus metrics:
 * DomainMetrics.loop(role) fits). Framework-free, like the loop.
 */
export interface LoopMetrics {
  turn(): void;
  /** `tool` is "unknown" for a name the loop has no tool for (the model's invention). */
  toolCall(tool: string, isError: boolean): void;
  modelCall(call: {
    provider: string;
    model: string;
    seconds: number;
    outcome: 'ok' | 'rate_limited' | 'error';
    usage?: TokenUsage;
    costUsd?: number;
  }): void;
}

/** A tool call the model made and what the loop answered it with (capped, as the model sees it). */
export interface ToolCallResult {
  call: { id: string; name: string; input: unknown };
  content: string;
  isError: boolean;
}

export type AgentLoopOptions = LoopSettings &
  /** The task, or a transcript to continue (ending with a user turn). */
  ({ prompt: string; messages?: never } | { messages: readonly ChatMessage[]; prompt?: never });

interface LoopSettings {
  provider: LlmProvider;
  model: string;
  system: string;
  tools: readonly LoopTool[];
  signal: AbortSignal;
  maxTurns: number;
  maxTokens?: number;
  /** Characters of one tool result the model sees; the rest is cut with a note. */
  maxToolOutputChars?: number;
  /** Dollars this loop may spend; `warnAtShare` of it triggers a warning event once. */
  budgetUsd?: number;
  warnAtShare?: number;
  /** The same call (tool + input) this many times in a row means stuck (Infinity: never). */
  maxRepeatedCalls?: number;
  /** This many turns in a row without a progress-making call means stuck. */
  maxTurnsWithoutProgress?: number;
  /** A budget shared with others (a project's): checked after each call, ends the loop when spent. */
  sharedBudget?: () => Promise<{ spentUsd: number; limitUsd: number } | null>;
  /** Checked after each turn's tool calls: true ends the loop as completed (e.g. a verdict). */
  done?: () => boolean;
  /**
   * High-water mark of the transcript in characters: past it, older tool output is replaced by a
   * short note, in one step down to half of it (see compaction-policy.ts).
   */
  compactAtChars?: number;
  /** Text as it streams from the model, for live output. */
  onText?: (delta: string) => void;
  /** Each model response, once its usage is recorded and before its tools run (persistence). */
  onResponse?: (response: ModelResponse) => Promise<void>;
  /** Each tool call's result, before the next call runs. */
  onToolResult?: (result: ToolCallResult) => Promise<void>;
  onUsage(usage: TokenUsage & { costUsd: number }): Promise<void>;
  onEvent?(
    type:
      | 'model.request'
      | 'model.response'
      | 'tool.call'
      | 'tool.result'
      | 'budget.warning'
      | 'context.compacted',
    message: string,
    data?: unknown,
  ): Promise<void>;
  /** Called after every turn, however it ended (not when it throws); nothing is timed without it. */
  onTurnTiming?: (timing: TurnTiming) => void;
  /** Counts turns, tool calls and model calls (latency, tokens, cost, 429s). */
  metrics?: LoopMetrics;
}

/** Where one turn's time went (benchmarks): the model call, the tools' own work, and all of it. */
export interface TurnTiming {
  turn: number;
  modelMs: number;
  toolMs: number;
  totalMs: number;
}

export interface LoopResult {
  end: LoopEnd;
  turns: number;
  spentUsd: number;
}

export async function runAgentLoop(o: AgentLoopOptions): Promise<LoopResult> {
  const messages: ChatMessage[] = o.messages
    ? [...o.messages]
    : [{ role: 'user', content: [{ type: 'text', text: o.prompt }] }];
  const byName = new Map(o.tools.map((t) => [t.spec.name, t]));
  const compaction = compactionPolicy(o.compactAtChars ?? 400_000);
  let cacheAnchor: number | undefined;
  let spentUsd = 0;
  const warned = new Set<boolean>(); // budgets warned about, by `shared`
  let lastCall = '';
  let repeats = 0;
  let idleTurns = 0;
  const now = o.onTurnTiming ? () => performance.now() : () => 0;
  let modelMs = 0;
  let toolMs = 0;

  /** Ends the loop when a budget is spent; warns once when `warnAtShare` of it is. */
  const overBudget = async (
    budget: { spentUsd: number; limitUsd: number } | null | undefined,
    shared: boolean,
  ): Promise<LoopEnd | undefined> => {
    if (!budget) return undefined;
    const { spentUsd: spent, limitUsd } = budget;
    const flag = shared ? { shared } : {};
    if (spent >= limitUsd) return { reason: 'budget_exceeded', spentUsd: spent, limitUsd, ...flag };
    if (!warned.has(shared) && spent >= limitUsd * (o.warnAtShare ?? 0.8)) {
      warned.add(shared);
      const message = `${shared ? 'project spent' : 'spent'} $${spent.toFixed(4)} of $${limitUsd}`;
      await o.onEvent?.('budget.warning', message, { spentUsd: spent, limitUsd, ...flag });
    }
    return undefined;
  };

  /** One turn: the model's answer and the tools it calls; how the loop ends, or undefined. */
  const takeTurn = async (turn: number): Promise<LoopEnd | undefined> => {
    const compacted = compactTranscript(messages, compaction);
    // This turn still reads up to the end of the last cut; the new one is marked from the next.
    const anchor = cacheAnchor;
    if (compacted) {
      messages.splice(0, messages.length, ...compacted.messages);
      cacheAnchor = compacted.lastEdited;
      const { cutChars } = compacted;
      const message = `removed ${cutChars} characters of older tool output`;
      await o.onEvent?.('context.compacted', message, { cut: cutChars });
    }
    let response: ModelResponse;
    // Before the call: a request that fails (a 429, a 500) still shows in the run's log.
    await o.onEvent?.('model.request', `turn ${turn}: asking ${o.model}`, { turn });
    const modelStarted = now();
    const maxTokens = o.maxTokens ?? 8192;
    let cost = 0;
    const callStarted = performance.now();
    const provider = o.provider.name;
    const callSeconds = () => (performance.now() - callStarted) / 1000;
    o.metrics?.turn();
    try {
      // One span per model call (GenAI conventions): model, tokens, finish reason and cost only.
      response = await inSpan(
        modelCallSpanName(o.model),
        modelRequestAttributes({ provider: o.provider.name, model: o.model, maxTokens }),
        async (span) => {
          const answer = await o.provider.complete({
            model: o.model,
            system: o.system,
            messages,
            cacheAnchor: anchor,
            tools: o.tools.map((t) => t.spec),
            maxTokens,
            signal: o.signal,
            onText: o.onText,
          });
          cost = costOf(o.model, answer.usage);
          span.setAttributes(
            modelResponseAttributes({
              model: o.model,
              ...answer.usage,
              finishReason: answer.stopReason,
              costUsd: cost,
            }),
          );
          return answer;
        },
        SpanKind.CLIENT,
      );
    } catch (err) {
      if (o.signal.aborted) return { reason: 'cancelled' };
      const outcome = err instanceof ProviderRateLimitedError ? 'rate_limited' : 'error';
      o.metrics?.modelCall({ provider, model: o.model, seconds: callSeconds(), outcome });
      throw err;
    }
    modelMs = now() - modelStarted;
    o.metrics?.modelCall({
      provider,
      model: o.model,
      seconds: callSeconds(),
      outcome: 'ok',
      usage: response.usage,
      costUsd: cost,
    });
    spentUsd += cost;
    await o.onUsage({ ...response.usage, costUsd: cost });
    await o.onResponse?.(response);
    await o.onEvent?.(
      'model.response',
      textOf(response.content).slice(0, 2000) || `(${response.stopReason})`,
      { turn, stopReason: response.stopReason },
    );
    messages.push({ role: 'assistant', content: response.content });

    const overShared = await overBudget(await o.sharedBudget?.(), true);
    if (overShared) return overShared;
    const own = o.budgetUsd === undefined ? null : { spentUsd, limitUsd: o.budgetUsd };
    const overOwn = await overBudget(own, false);
    if (overOwn) return overOwn;

    const calls = toolUsesOf(response.content);
    if (calls.length === 0) return { reason: 'completed', text: textOf(response.content) };

    let progressed = false;
    const results: ContentBlock[] = [];
    for (const call of calls) {
      const key = `${call.name}:${hash(call.input)}`;
      repeats = key === lastCall ? repeats + 1 : 1;
      lastCall = key;
      if (repeats >= (o.maxRepeatedCalls ?? 4)) {
        const detail = `${call.name} called ${repeats} times in a row with the same input`;
        return { reason: 'stuck', detail };
      }
      const tool = byName.get(call.name);
      await o.onEvent?.('tool.call', call.name, { input: call.input });
      const toolStarted = now();
      // One span per tool call: the tool's name and whether it failed, never its input or output.
      const outcome = await inSpan(
        toolCallSpanName(call.name),
        toolCallAttributes({ name: call.name, callId: call.id }),
        async (span) => {
          const answer = tool
            ? await tool.run(call.input, o.signal)
            : { content: `Unknown tool ${call.name}.`, isError: true };
          span.setAttribute(SpanAttr.toolOutcome, answer.isError ? 'error' : 'ok');
          return answer;
        },
      );
      toolMs += now() - toolStarted;
      const content = cap(outcome.content, o.maxToolOutputChars ?? 20_000);
      const isError = outcome.isError ?? false;
      o.metrics?.toolCall(tool ? call.name : 'unknown', isError);
      // The call ran: its result is kept even when the loop was cancelled meanwhile.
      await o.onToolResult?.({ call, content, isError });
      if (o.signal.aborted) return { reason: 'cancelled' };
      if (tool?.makesProgress && !isError) progressed = true;
      await o.onEvent?.('tool.result', `${call.name}${isError ? ' failed' : ''}`, {
        isError,
        chars: outcome.content.length,
      });
      results.push({
        type: 'tool_result',
        toolUseId: call.id,
        content,
        ...(isError ? { isError } : {}),
      });
    }
    messages.push({ role: 'user', content: results });
    if (o.done?.()) return { reason: 'completed', text: '' };
    idleTurns = progressed ? 0 : idleTurns + 1;
    if (idleTurns >= (o.maxTurnsWithoutProgress ?? 15)) {
      return { reason: 'stuck', detail: `${idleTurns} turns without changing a file or a feature` };
    }
    return undefined;
  };

  for (let turn = 1; turn <= o.maxTurns; turn++) {
    if (o.signal.aborted) return { end: { reason: 'cancelled' }, turns: turn - 1, spentUsd };
    modelMs = 0;
    toolMs = 0;
    const started = now();
    // One span per turn: its model call and tool calls nest under it.
    const end = await inSpan('turn', { [SpanAttr.turn]: turn }, async (span) => {
      const ended = await takeTurn(turn);
      if (ended) span.setAttribute(SpanAttr.loopEnd, ended.reason);
      return ended;
    });
    o.onTurnTiming?.({ turn, modelMs, toolMs, totalMs: now() - started });
    if (end) return { end, turns: turn, spentUsd };
  }
  return { end: { reason: 'max_turns' }, turns: o.maxTurns, spentUsd };
}

function hash(value: unknown): string {
  return createHash('sha1')
    .update(JSON.stringify(value) ?? '')
    .digest('hex');
}
