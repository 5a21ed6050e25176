import Anthropic from '@anthropic-ai/sdk';
import {
  ContentBlock,
  LlmProvider,
  ModelRequest,
  ModelResponse,
  ProviderName,
  StopReason,
} from './llm-provider';
import { classifyAnthropicError } from './provider-errors';

const EPHEMERAL = { cache_control: { type: 'ephemeral' as const } };

/**
 * Claude through @anthropic-ai/sdk (also the demo provider, pointed at llm-fake).
 *
 * Prompt caching: the prompt is tools, system, then messages, and the provider caches prefixes
 * ending at a cache_control breakpoint. Up to Anthropic's four breakpoints every turn: the system
 * prompt (tools and system, shared by every session of a role), the request's cache anchor (the
 * end of compacted history, which the next compaction leaves alone), the previous message of the
 * last one's role (where the previous turn wrote, so this turn reads all of it) and the last
 * message (written for the next turn). Reads cost 0.1× the input price, writes 1.25×;
 * `cache: false` sends none.
 */
export class AnthropicProvider implements LlmProvider {
  constructor(
    private readonly client: Anthropic,
    readonly name: ProviderName = 'anthropic',
    private readonly options: { cache?: boolean } = {},
  ) {}

  supportsTools(): boolean {
    return true;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const cache = this.options.cache ?? true;
    const last = request.messages.length - 1;
    let previous = last - 1;
    while (previous >= 0 && request.messages[previous]?.role !== request.messages[last]?.role)
      previous--;
    try {
      const stream = this.client.messages.stream(
        {
          model: request.model,
          max_tokens: request.maxTokens,
          ...(request.system
            ? {
                system: [
                  { type: 'text' as const, text: request.system, ...(cache ? EPHEMERAL : {}) },
                ],
              }
            : {}),
          ...(request.tools && request.tools.length > 0
            ? {
                tools: request.tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
                })),
              }
            : {}),
          messages: request.messages.map((m, i) =>
            toAnthropicMessage(
              m,
              cache && (i === last || i === previous || i === request.cacheAnchor),
            ),
          ),
        },
        { signal: request.signal },
      );
      if (request.onText) stream.on('text', request.onText);
      const message = await stream.finalMessage();
      return {
        content: message.content.flatMap(fromAnthropicBlock),
        stopReason: stopReasonOf(message.stop_reason),
        usage: {
          inputTokens: message.usage.input_tokens,
          outputTokens: message.usage.output_tokens,
          cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
          cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
        },
      };
    } catch (err) {
      throw classifyAnthropicError(err);
    }
  }
}

/** `breakpoint` puts a cache breakpoint on the message's last block. */
function toAnthropicMessage(
  message: ModelRequest['messages'][number],
  breakpoint: boolean,
): Anthropic.MessageParam {
  return {
    role: message.role,
    content: message.content.map((block, i): Anthropic.ContentBlockParam => {
      const marker = breakpoint && i === message.content.length - 1 ? EPHEMERAL : {};
      switch (block.type) {
        case 'text':
          return { type: 'text', text: block.text, ...marker };
        case 'tool_use':
          return {
            type: 'tool_use',
            id: block.id,
            name: block.name,
            input: block.input,
            ...marker,
          };
        case 'tool_result':
          return {
            type: 'tool_result',
            tool_use_id: block.toolUseId,
            content: block.content,
            is_error: block.isError,
            ...marker,
          };
      }
    }),
  };
}

function fromAnthropicBlock(block: Anthropic.ContentBlock): ContentBlock[] {
  if (block.type === 'text') return [{ type: 'text', text: block.text }];
  if (block.type === 'tool_use')
    return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
  return []; // thinking and server-tool blocks carry nothing a session acts on
}

const KNOWN_STOP_REASONS = ['end_turn', 'tool_use', 'max_tokens', 'stop_sequence'] as const;

function stopReasonOf(reason: Anthropic.Message['stop_reason']): StopReason {
  return KNOWN_STOP_REASONS.find((known) => known === reason) ?? 'other';
}
