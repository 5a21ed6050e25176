import {
  ApiErrorIssue,
  CreateFeaturesToolInputSchema,
  RunEventType,
} from '@autocoder/shared-contracts';
import { z } from 'zod';
import { costOf, TokenUsage } from '../providers/model-catalogue';
import {
  ChatMessage,
  ContentBlock,
  LlmProvider,
  textOf,
  toolUsesOf,
  ToolSpec,
} from '../providers/llm-provider';
import { FatalProviderError } from '../providers/provider-errors';
import {
  CREATE_FEATURES_TOOL,
  INITIALIZER_SYSTEM_PROMPT,
  initializerUserPrompt,
} from './initializer.prompt';

export type BacklogToolResult =
  | { ok: true; created: number; dependencies: number; alreadyWritten: boolean }
  | { ok: false; issues: ApiErrorIssue[] };

export interface InitializerSessionDeps {
  provider: LlmProvider;
  model: string;
  /** Validates and writes the backlog atomically; returns the reasons when it refuses. */
  writeBacklog(input: unknown): Promise<BacklogToolResult>;
  event(
    type: RunEventType,
    message: string,
    data?: unknown,
    level?: 'info' | 'warn' | 'error',
  ): Promise<void>;
  usage(entry: TokenUsage & { provider: string; model: string; costUsd: number }): Promise<void>;
  signal?: AbortSignal;
  maxTurns?: number;
  maxTokens?: number;
}

export interface InitializerOutcome {
  featuresCreated: number;
  dependencies: number;
  turns: number;
}

/** The model finished without producing a valid backlog. Not worth retrying as is. */
export class InitializerIncompleteError extends FatalProviderError {}

const TOOL: ToolSpec = {
  name: CREATE_FEATURES_TOOL,
  description: 'Create the whole feature backlog of the project in one call.',
  inputSchema: z.toJSONSchema(CreateFeaturesToolInputSchema, {
    target: 'draft-7',
    io: 'input',
  }) as Record<string, unknown>,
};

/**
 * One initializer session: the model reads the spec and calls create_features; invalid input is
 * returned to the model as a tool error with the reasons, so it can correct itself.
 * Provider errors are thrown classified (rate limited / retryable / fatal) for the queue to act on.
 */
export async function runInitializerSession(
  project: { name: string; spec: string },
  deps: InitializerSessionDeps,
): Promise<InitializerOutcome> {
  const maxTurns = deps.maxTurns ?? 6;
  const messages: ChatMessage[] = [
    {
      role: 'user',
      content: [{ type: 'text', text: initializerUserPrompt(project.name, project.spec) }],
    },
  ];
  let written: { created: number; dependencies: number } | undefined;
  let lastIssues: ApiErrorIssue[] | undefined;

  for (let turn = 0; turn < maxTurns; turn++) {
    await deps.event('model.request', `turn ${turn + 1}: asking ${deps.model}`, { turn: turn + 1 });
    const response = await deps.provider.complete({
      model: deps.model,
      maxTokens: deps.maxTokens ?? 16_000,
      system: INITIALIZER_SYSTEM_PROMPT,
      tools: [TOOL],
      messages,
      signal: deps.signal,
    });
    await deps.usage({
      ...response.usage,
      provider: deps.provider.name,
      model: deps.model,
      costUsd: costOf(deps.model, response.usage),
    });
    const text = textOf(response.content);
    await deps.event('model.response', text.slice(0, 2000) || `(${response.stopReason})`, {
      stopReason: response.stopReason,
      usage: response.usage,
    });

    messages.push({ role: 'assistant', content: response.content });
    const toolUses = toolUsesOf(response.content);
    if (toolUses.length === 0) break;

    const results: ContentBlock[] = [];
    for (const use of toolUses) {
      results.push(
        await handleToolUse(use, deps, written !== undefined, (r) => {
          if (r.ok) written = { created: r.created, dependencies: r.dependencies };
          else lastIssues = r.issues;
        }),
      );
    }
    messages.push({ role: 'user', content: results });
  }

  if (!written) {
    const reasons = lastIssues?.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new InitializerIncompleteError(
      reasons
        ? `the model produced no valid backlog (${reasons})`
        : 'the model finished without creating a backlog',
    );
  }
  return {
    featuresCreated: written.created,
    dependencies: written.dependencies,
    turns: messages.filter((m) => m.role === 'assistant').length,
  };
}

async function handleToolUse(
  use: Extract<ContentBlock, { type: 'tool_use' }>,
  deps: InitializerSessionDeps,
  alreadyWritten: boolean,
  record: (r: BacklogToolResult) => void,
): Promise<ContentBlock> {
  await deps.event('tool.call', `${use.name}`, { tool: use.name, id: use.id });
  if (use.name !== CREATE_FEATURES_TOOL) {
    await deps.event('tool.rejected', `unknown tool ${use.name}`, { tool: use.name }, 'warn');
    return {
      type: 'tool_result',
      toolUseId: use.id,
      isError: true,
      content: `Unknown tool ${use.name}.`,
    };
  }
  if (alreadyWritten) {
    return {
      type: 'tool_result',
      toolUseId: use.id,
      isError: true,
      content: 'The backlog was already created.',
    };
  }
  const result = await deps.writeBacklog(use.input);
  record(result);
  if (!result.ok) {
    const reasons = result.issues.map((i) => `${i.path}: ${i.message}`);
    await deps.event(
      'tool.rejected',
      `create_features input rejected: ${reasons.slice(0, 5).join('; ')}`,
      { issues: result.issues },
      'warn',
    );
    return {
      type: 'tool_result',
      toolUseId: use.id,
      isError: true,
      content: `Rejected, nothing was written. Fix these and call ${CREATE_FEATURES_TOOL} again:\n${reasons.join('\n')}`,
    };
  }
  await deps.event(
    'features.created',
    `${result.created} features and ${result.dependencies} dependencies written`,
    result,
  );
  return {
    type: 'tool_result',
    toolUseId: use.id,
    content: `Created ${result.created} features with ${result.dependencies} dependencies.`,
  };
}
