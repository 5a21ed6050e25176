import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PromptCache } from './prompt-cache';
import type { ScenarioPlayer } from './scenario-player';

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
