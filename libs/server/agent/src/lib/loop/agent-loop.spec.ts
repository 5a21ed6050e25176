// Unit tests with a scripted provider standing in for the model (the SDK adapters have their own
// integration tests against llm-fake).
import {
  ChatMessage,
  ContentBlock,
  LlmProvider,
  ModelRequest,
  ModelResponse,
} from '../providers/llm-provider';
import { DomainMetrics } from '@autocoder/server-observability';
import { Registry } from 'prom-client';
import { ProviderRateLimitedError } from '../providers/provider-errors';
import { AgentLoopOptions, LoopTool, runAgentLoop, TurnTiming } from './agent-loop';

class ScriptedProvider implements LlmProvider {
  readonly name = 'demo' as const;
  readonly requests: ChatMessage[][] = [];
  readonly anchors: (number | undefined)[] = [];
  constructor(
    private readonly turns: (ContentBlock[] | ((req: ModelRequest) => ContentBlock[]))[],
  ) {}
  supportsTools(): boolean {
    return true;
  }
  async complete(req: ModelRequest): Promise<ModelResponse> {
    this.requests.push(structuredClone(req.messages));
    this.anchors.push(req.cacheAnchor);
    const next = this.turns[Math.min(this.requests.length - 1, this.turns.length - 1)];
    const content = typeof next === 'function' ? next(req) : next;
    for (const b of content) if (b.type === 'text') req.onText?.(b.text);
    return {
      content,
      stopReason: content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn',
      // 1M input tokens of Sonnet = $3 per turn: easy budget arithmetic.
      usage: { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    };
  }
}

const call = (name: string, input: unknown, id = `c${Math.random()}`): ContentBlock => ({
  type: 'tool_use',
  id,
  name,
  input,
});
const text = (t: string): ContentBlock => ({ type: 'text', text: t });

function tool(name: string, content = 'ok', makesProgress = true): LoopTool & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    makesProgress,
    spec: { name, description: name, inputSchema: { type: 'object' } },
    run: async (input) => {
      calls.push(input);
      return { content };
    },
  };
}

function options(
  provider: LlmProvider,
  tools: LoopTool[],
  extra: Partial<Omit<AgentLoopOptions, 'prompt' | 'messages'>> = {},
) {
  const events: { type: string; message: string }[] = [];
  const usage: number[] = [];
  const o: AgentLoopOptions = {
    provider,
    model: 'claude-sonnet-5-5',
    system: 'sys',
    prompt: 'do it',
    tools,
    signal: new AbortController().signal,
    maxTurns: 10,
    onUsage: async (u) => void usage.push(u.costUsd),
    onEvent: async (type, message) => void events.push({ type, message }),
    ...extra,
  };
  return { o, events, usage };
}

describe('runAgentLoop', () => {
  it('runs tools until the model answers without calling one', async () => {
    const write = tool('write_file', 'Wrote 3 bytes.');
    const provider = new ScriptedProvider([
      [text('writing'), call('write_file', { path: 'a' }, 'c1')],
      [text('all done')],
    ]);
    const { o, usage } = options(provider, [write]);
    const result = await runAgentLoop(o);
    expect(result).toEqual({
      end: { reason: 'completed', text: 'all done' },
      turns: 2,
      spentUsd: 6,
    });
    expect(write.calls).toEqual([{ path: 'a' }]);
    expect(provider.requests[1].at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', toolUseId: 'c1', content: 'Wrote 3 bytes.', isError: undefined },
      ],
    });
    expect(usage).toEqual([3, 3]);
  });

  it('answers an unknown tool as an error and truncates long tool output', async () => {
    const big = tool('read_file', 'x'.repeat(100));
    const provider = new ScriptedProvider([
      [call('nope', {}, 'u1'), call('read_file', { p: 1 }, 'r1')],
      [text('ok')],
    ]);
    await runAgentLoop(options(provider, [big], { maxToolOutputChars: 20 }).o);
    expect(provider.requests[1].at(-1)?.content).toEqual([
      { type: 'tool_result', toolUseId: 'u1', content: 'Unknown tool nope.', isError: true },
      {
        type: 'tool_result',
        toolUseId: 'r1',
        content: `${'x'.repeat(20)}\n… [cut 80 characters]`,
        isError: undefined,
      },
    ]);
  });

  it('stops at max turns', async () => {
    let i = 0;
    const provider = new ScriptedProvider([() => [call('write_file', { n: i++ })]]);
    const result = await runAgentLoop(options(provider, [tool('write_file')], { maxTurns: 3 }).o);
    expect(result.end).toEqual({ reason: 'max_turns' });
    expect(result.turns).toBe(3);
  });

  it('warns near the budget and stops when it is spent', async () => {
    let i = 0;
    const provider = new ScriptedProvider([() => [call('write_file', { n: i++ })]]);
    const { o, events } = options(provider, [tool('write_file')], {
      budgetUsd: 10,
      warnAtShare: 0.5,
    });
    const result = await runAgentLoop(o);
    expect(result.end).toEqual({ reason: 'budget_exceeded', spentUsd: 12, limitUsd: 10 });
    expect(events.filter((e) => e.type === 'budget.warning')).toEqual([
      { type: 'budget.warning', message: 'spent $6.0000 of $10' },
    ]);
  });

  it('stops on a shared (project) budget that others spend too, warning first', async () => {
    let i = 0;
    // Others spend $4 between our calls; the project allows $20.
    let projectSpent = 0;
    const provider = new ScriptedProvider([() => [call('write_file', { n: i++ })]]);
    const { o, events } = options(provider, [tool('write_file')], {
      budgetUsd: 100,
      warnAtShare: 0.5,
      onUsage: async (u) => void (projectSpent += u.costUsd + 4),
      sharedBudget: async () => ({ spentUsd: projectSpent, limitUsd: 20 }),
    });
    const result = await runAgentLoop(o);
    expect(result.end).toEqual({
      reason: 'budget_exceeded',
      spentUsd: 21,
      limitUsd: 20,
      shared: true,
    });
    expect(result.turns).toBe(3);
    expect(events.filter((e) => e.type === 'budget.warning').map((e) => e.message)).toEqual([
      'project spent $14.0000 of $20',
    ]);
  });

  it('ends as completed as soon as `done` says so, without another model call', async () => {
    let verdict = false;
    const provider = new ScriptedProvider([[call('verdict', {})], [text('never asked')]]);
    const verdictTool: LoopTool = {
      spec: { name: 'verdict', description: 'v', inputSchema: { type: 'object' } },
      run: async () => {
        verdict = true;
        return { content: 'ok' };
      },
    };
    const { o } = options(provider, [verdictTool], { done: () => verdict });
    const result = await runAgentLoop(o);
    expect(result.end).toEqual({ reason: 'completed', text: '' });
    expect(provider.requests).toHaveLength(1);
  });

  it('is stuck when it repeats the same call', async () => {
    const provider = new ScriptedProvider([[call('read_file', { path: 'a' })]]);
    const result = await runAgentLoop(
      options(provider, [tool('read_file', 'same', false)], { maxRepeatedCalls: 3 }).o,
    );
    expect(result.end).toEqual({
      reason: 'stuck',
      detail: 'read_file called 3 times in a row with the same input',
    });
  });

  it('is stuck after turns without progress', async () => {
    let i = 0;
    const provider = new ScriptedProvider([() => [call('read_file', { path: `f${i++}` })]]);
    const result = await runAgentLoop(
      options(provider, [tool('read_file', 'x', false)], { maxTurnsWithoutProgress: 4 }).o,
    );
    expect(result.end).toEqual({
      reason: 'stuck',
      detail: '4 turns without changing a file or a feature',
    });
  });

  it('stops as cancelled when the signal fires during a tool', async () => {
    const abort = new AbortController();
    const slow: LoopTool = {
      spec: { name: 'bash', description: '', inputSchema: {} },
      run: async () => {
        abort.abort();
        return { content: 'interrupted' };
      },
    };
    const provider = new ScriptedProvider([[call('bash', {})], [text('never')]]);
    const result = await runAgentLoop(options(provider, [slow], { signal: abort.signal }).o);
    expect(result.end).toEqual({ reason: 'cancelled' });
    expect(provider.requests).toHaveLength(1);
  });

  it('continues a transcript, streaming text and handing over each response and tool result', async () => {
    const seen: string[] = [];
    const provider = new ScriptedProvider([
      [text('looking'), call('read_file', { p: 1 }, 'r1')],
      [text('it says ok')],
    ]);
    const transcript: ChatMessage[] = [
      { role: 'user', content: [text('hi')] },
      { role: 'assistant', content: [text('hello')] },
      { role: 'user', content: [text('read it')] },
    ];
    const result = await runAgentLoop({
      ...options(provider, [tool('read_file', 'x'.repeat(30))], { maxToolOutputChars: 10 }).o,
      prompt: undefined,
      messages: transcript,
      onText: (delta) => void seen.push(`text ${delta}`),
      onResponse: async (r) => void seen.push(`response ${r.stopReason}`),
      onToolResult: async (r) => void seen.push(`result ${r.call.id} ${r.content} ${r.isError}`),
    });
    expect(result.end).toEqual({ reason: 'completed', text: 'it says ok' });
    expect(provider.requests[0]).toEqual(transcript);
    expect(transcript).toHaveLength(3);
    expect(seen).toEqual([
      'text looking',
      'response tool_use',
      `result r1 ${'x'.repeat(10)}\n… [cut 20 characters] false`,
      'text it says ok',
      'response end_turn',
    ]);
  });

  it('keeps the result of a tool cancelled while it ran, and runs no later call', async () => {
    const abort = new AbortController();
    const stopping: LoopTool = {
      spec: { name: 'feature_stats', description: '', inputSchema: {} },
      run: async () => {
        abort.abort();
        return { content: 'stats' };
      },
    };
    const later = tool('read_file');
    const results: string[] = [];
    const provider = new ScriptedProvider([
      [call('feature_stats', {}, 's1'), call('read_file', {})],
    ]);
    const result = await runAgentLoop(
      options(provider, [stopping, later], {
        signal: abort.signal,
        onToolResult: async (r) => void results.push(`${r.call.id} ${r.content}`),
      }).o,
    );
    expect(result.end).toEqual({ reason: 'cancelled' });
    expect(results).toEqual(['s1 stats']);
    expect(later.calls).toEqual([]);
  });

  it('never calls the same repeated call stuck when repeats are unbounded', async () => {
    const provider = new ScriptedProvider([[call('read_file', { p: 1 })]]);
    const result = await runAgentLoop(
      options(provider, [tool('read_file')], { maxRepeatedCalls: Infinity, maxTurns: 6 }).o,
    );
    expect(result.end).toEqual({ reason: 'max_turns' });
  });

  it('replaces old tool output when the transcript outgrows the limit', async () => {
    let i = 0;
    const provider = new ScriptedProvider([
      () => (i++ < 12 ? [call('read_file', { n: i })] : [text('done')]),
    ]);
    const { o, events } = options(provider, [tool('read_file', 'y'.repeat(1000))], {
      compactAtChars: 5000,
      maxTurns: 20,
    });
    await runAgentLoop(o);
    const last = provider.requests.at(-1) ?? [];
    const removed = last
      .flatMap((m) => m.content)
      .filter(
        (b) => b.type === 'tool_result' && b.content.startsWith('[older tool output removed'),
      );
    expect(removed.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'context.compacted')).toBe(true);
    // Recent results stay whole.
    expect(last.at(-1)?.content[0]).toMatchObject({ content: 'y'.repeat(1000) });
    // In steps of at least a quarter of the mark (here: every other turn at most, as the three
    // latest results alone pass the low-water mark); from the turn after a cut, the end of the
    // cut is the cache anchor (the turn of the cut still reads up to the previous one).
    const cuts = events.filter((e) => e.type === 'context.compacted').length;
    expect(cuts).toBeLessThanOrEqual(4);
    const first = provider.anchors.findIndex((a) => a !== undefined);
    expect(first).toBeGreaterThan(0);
    const cutAt = first - 1;
    expect(provider.requests[cutAt - 1]?.[2]?.content[0]).toMatchObject({
      content: 'y'.repeat(1000),
    });
    expect(provider.requests[cutAt]?.[2]?.content[0]).toMatchObject({
      content: expect.stringMatching(/^\[older tool output removed/),
    });
    const anchor = provider.anchors[first] ?? 0;
    expect(provider.requests[first]?.[anchor]?.content[0]).toMatchObject({
      content: expect.stringMatching(/^\[older tool output removed/),
    });
    expect(provider.requests[first]?.[anchor + 2]?.content[0]).toMatchObject({
      content: 'y'.repeat(1000),
    });
  });

  it('reports each turn’s model, tool and total time once per turn', async () => {
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const scripted = new ScriptedProvider([
      [call('read_file', { n: 1 }), call('read_file', { n: 2 })],
      [call('read_file', { n: 3 })],
      [text('done')],
    ]);
    const provider: LlmProvider = {
      name: 'demo',
      supportsTools: () => true,
      complete: async (req) => {
        await sleep(30);
        return scripted.complete(req);
      },
    };
    const slowTool: LoopTool = {
      spec: { name: 'read_file', description: 'read', inputSchema: { type: 'object' } },
      run: async () => {
        await sleep(20);
        return { content: 'ok' };
      },
    };
    const timings: TurnTiming[] = [];
    const { o } = options(provider, [slowTool], {
      // The platform's share: every event takes 10 ms.
      onEvent: () => sleep(10),
      onTurnTiming: (t) => timings.push(t),
    });
    const result = await runAgentLoop(o);
    expect(result.end.reason).toBe('completed');
    expect(timings.map((t) => t.turn)).toEqual([1, 2, 3]);
    // Timers may fire up to a millisecond early by performance.now().
    for (const t of timings) {
      expect(t.modelMs).toBeGreaterThanOrEqual(29);
      expect(t.totalMs).toBeGreaterThanOrEqual(t.modelMs + t.toolMs);
    }
    expect(timings[0].toolMs).toBeGreaterThanOrEqual(39);
    expect(timings[1].toolMs).toBeGreaterThanOrEqual(19);
    expect(timings[2].toolMs).toBe(0);
    // Overhead = total − model − tools: the events (5, 3 and 1 of them at 10 ms).
    const overhead = timings.map((t) => t.totalMs - t.modelMs - t.toolMs);
    expect(overhead[0]).toBeGreaterThanOrEqual(45);
    expect(overhead[1]).toBeGreaterThanOrEqual(27);
    expect(overhead[2]).toBeGreaterThanOrEqual(9);
  });
});

describe('runAgentLoop metrics', () => {
  // The runner's real metric objects, on a registry of this test's own.
  const metricsOn = () => DomainMetrics.on(new Registry());

  it('counts each turn, each tool call by tool and outcome, and each model call with its tokens and cost', async () => {
    const metrics = metricsOn();
    const provider = new ScriptedProvider([
      [call('edit', { a: 1 }), call('invented', {})],
      [text('done')],
    ]);
    const { o } = options(provider, [tool('edit')], { metrics: metrics.loop('coding') });
    const result = await runAgentLoop(o);
    expect(result.end.reason).toBe('completed');
    const pm = { provider: 'demo', model: 'claude-sonnet-5-5' };
    expect(await metrics.valueOf('turns', { role: 'coding' })).toBe(2);
    expect(
      await metrics.valueOf('toolCalls', { role: 'coding', tool: 'edit', outcome: 'ok' }),
    ).toBe(1);
    expect(
      await metrics.valueOf('toolCalls', { role: 'coding', tool: 'unknown', outcome: 'error' }),
    ).toBe(1);
    expect(await metrics.valueOf('modelCallDuration', { ...pm, outcome: 'ok' }, '_count')).toBe(2);
    expect(await metrics.valueOf('modelTokens', { ...pm, direction: 'input' })).toBe(2_000_000);
    expect(await metrics.valueOf('modelCost', pm)).toBeCloseTo(result.spentUsd, 6);
    expect(result.spentUsd).toBeGreaterThan(0);
  });

  it("counts a provider's 429 as a rate-limited model call", async () => {
    const metrics = metricsOn();
    const provider: LlmProvider = {
      name: 'anthropic',
      supportsTools: () => true,
      complete: async () => {
        throw new ProviderRateLimitedError('provider rate limited (429)', 1000);
      },
    };
    const { o } = options(provider, [], { metrics: metrics.loop('chat') });
    await expect(runAgentLoop(o)).rejects.toThrow('429');
    const labels = { provider: 'anthropic', model: 'claude-sonnet-5-5', outcome: 'rate_limited' };
    expect(await metrics.valueOf('modelCallDuration', labels, '_count')).toBe(1);
    expect(await metrics.valueOf('providerRateLimited', { provider: 'anthropic' })).toBe(1);
    expect(await metrics.valueOf('turns', { role: 'chat' })).toBe(1);
  });
});
