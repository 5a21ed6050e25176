import { type HumanInputRequest, HumanInputRequestSchema } from '@autocoder/shared-contracts';

/**
 * The agent's question from a feature's `humanInput`, typed `unknown` on the wire (the api
 * stores what the tool validated). Checked with the same schema the tool used; anything else
 * counts as "no readable question" and the card says so instead of failing.
 */
export function humanInputRequestOf(
  humanInput: { request: unknown } | null | undefined,
): HumanInputRequest | null {
  const parsed = HumanInputRequestSchema.safeParse(humanInput?.request);
  return parsed.success ? parsed.data : null;
}
