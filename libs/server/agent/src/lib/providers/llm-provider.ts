// One interface over every model provider: a turn in, blocks out, with usage and a stop reason.
// Sessions and chats speak only this; the SDK specifics live in the adapters beside it.
import { TokenUsage } from '@autocoder/server-models';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError?: boolean };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema (draft-7 object) of the tool's input. */
  inputSchema: Record<string, unknown>;
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'other';

export interface ModelRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  /**
   * A message that later turns will not change (the end of compacted history): providers that
   * cache explicitly put a breakpoint there, so a later compaction still reads up to it.
   */
  cacheAnchor?: number;
  tools?: ToolSpec[];
  maxTokens: number;
  /** Aborts the stream (a stop from the user, a shutdown). */
  signal?: AbortSignal;
  /** Text as it streams, for live logs and chat. */
  onText?: (delta: string) => void;
}

export interface ModelResponse {
  content: ContentBlock[];
  stopReason: StopReason;
  usage: TokenUsage;
}

export type ProviderName = 'anthropic' | 'gemini' | 'ollama' | 'demo';

export interface LlmProvider {
  readonly name: ProviderName;
  /** Whether `model` may be given tools (Gemini and Ollama models only when enabled per model). */
  supportsTools(model: string): boolean;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

export function textOf(content: readonly ContentBlock[]): string {
  return content
    .filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

export function toolUsesOf(
  content: readonly ContentBlock[],
): Extract<ContentBlock, { type: 'tool_use' }>[] {
  return content.filter(
    (b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use',
  );
}
