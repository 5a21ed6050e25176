import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PromptCache } from './prompt-cache';
import type { Answer, ConversationView, ScenarioPlayer } from './scenario-player';

export type Provider = 'anthropic' | 'gemini' | 'ollama';

/** One request as an adapter sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  body: unknown;
  player: ScenarioPlayer;
  /** Prompt prefixes cached across requests, for the providers' cache accounting. */
  cache: PromptCache;
  /** Sent back as the provider's request-id header. */
  requestId: string;
}

/** What the server records about an answered request. */
export interface Outcome {
  status: number;
  scenario: string | null;
  turn: number | null;
  model: string | null;
  stream: boolean;
}

type Reply = Extract<Answer, { kind: 'reply' }>;

/** How a provider sends an error: the body, its default messages, its status for an overload. */
export interface WireErrors {
  send(status: number, message: string, retryAfter: number | undefined): void;
  defaults: Readonly<Record<number, string>>;
  /** Where the provider has no 529 (Gemini and Ollama say 503). */
  overloadedAs?: number;
}

/**
 * The player's answer to the request. A scenario's failure, or no scenario at all, is sent as
 * the provider's error: then `reply` is undefined and `status` says what went out.
 */
export function decide(
  ex: Exchange,
  view: ConversationView,
  errors: WireErrors,
): { scenario: string | null; turn: number; status: number; reply?: Reply } {
  const { scenario, turn, answer } = ex.player.decide(view);
  const decided = { scenario: scenario?.name ?? null, turn };
  if (answer.kind === 'reply') return { ...decided, status: 200, reply: answer };
  if (answer.kind === 'unmatched') {
    const message = 'llm-fake: no scenario marker in the request and no default scenario';
    errors.send(400, message, undefined);
    return { ...decided, status: 400 };
  }
  const status = answer.status === 529 ? (errors.overloadedAs ?? 529) : answer.status;
  errors.send(status, answer.message ?? errors.defaults[status] ?? 'error', answer.retryAfter);
  return { ...decided, status };
}

export function retryAfterHeader(retryAfter: number | undefined): Record<string, string> {
  return retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
}
