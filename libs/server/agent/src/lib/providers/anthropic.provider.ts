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

/** Claude through @anthropic-ai/sdk (also the demo provider, pointed at llm-fake). */
export class AnthropicProvider implements LlmProvider {
  constructor(
    private readonly client: Anthropic,
    readonly name: ProviderName = 'anthropic',
  ) {}

  supportsTools(): boolean {
    return true;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    try {
      const stream = this.client.messages.stream(
        {
          model: request.model,
          max_tokens: request.maxTokens,
          // The system prompt is the same for every turn of a role: let the provider cache it.
          ...(request.system
            ? {
                system: [
                  {
                    type: 'text' as const,
                    text: request.system,
                    cache_control: { type: 'ephemeral' as const },
                  },
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
          messages: request.messages.map(toAnthropicMessage),
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

function toAnthropicMessage(message: ModelRequest['messages'][number]): Anthropic.MessageParam {
  return {
    role: message.role,
    content: message.content.map((block): Anthropic.ContentBlockParam => {
      switch (block.type) {
        case 'text':
          return { type: 'text', text: block.text };
        case 'tool_use':
          return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
        case 'tool_result':
          return {
            type: 'tool_result',
            tool_use_id: block.toolUseId,
            content: block.content,
            is_error: block.isError,
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

function stopReasonOf(reason: Anthropic.Message['stop_reason']): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
      return reason;
    default:
      return 'other';
  }
}
