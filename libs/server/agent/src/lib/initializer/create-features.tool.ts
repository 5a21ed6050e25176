import { ApiErrorIssue, CreateFeaturesToolInputSchema } from '@autocoder/shared-contracts';
import type { LoopTool } from '../loop/agent-loop';
import { toolInputSchema } from '@autocoder/shared-contracts';
import { FatalProviderError } from '../providers/provider-errors';
import { CREATE_FEATURES_TOOL } from './initializer.prompt';

export type BacklogToolResult =
  | { ok: true; created: number; dependencies: number; alreadyWritten: boolean }
  | { ok: false; issues: ApiErrorIssue[] };

/** The model finished without producing a valid backlog. Not worth retrying as is. */
export class InitializerIncompleteError extends FatalProviderError {}

/** What the initializer's one tool did over a session: the backlog written, or the last refusal. */
export interface BacklogOutcome {
  written?: { created: number; dependencies: number };
  lastIssues?: ApiErrorIssue[];
}

/**
 * The initializer's tool for the shared agent loop: `write` validates and writes the backlog
 * atomically; invalid input goes back to the model as a tool error with the reasons, so it can
 * correct itself; a second call after a success is refused.
 */
export function createFeaturesTool(
  write: (input: unknown) => Promise<BacklogToolResult>,
  outcome: BacklogOutcome,
  report: (
    type: 'tool.rejected' | 'features.created',
    message: string,
    data: unknown,
  ) => Promise<void>,
): LoopTool {
  return {
    spec: {
      name: CREATE_FEATURES_TOOL,
      description: 'Create the whole feature backlog of the project in one call.',
      inputSchema: toolInputSchema(CreateFeaturesToolInputSchema),
    },
    makesProgress: true,
    async run(input) {
      if (outcome.written) return { content: 'The backlog was already created.', isError: true };
      const result = await write(input);
      if (!result.ok) {
        outcome.lastIssues = result.issues;
        const reasons = result.issues.map((i) => `${i.path}: ${i.message}`);
        await report(
          'tool.rejected',
          `${CREATE_FEATURES_TOOL} input rejected: ${reasons.slice(0, 5).join('; ')}`,
          { issues: result.issues },
        );
        return {
          content: `Rejected, nothing was written. Fix these and call ${CREATE_FEATURES_TOOL} again:\n${reasons.join('\n')}`,
          isError: true,
        };
      }
      outcome.written = { created: result.created, dependencies: result.dependencies };
      await report(
        'features.created',
        `${result.created} features and ${result.dependencies} dependencies written`,
        result,
      );
      return {
        content: `Created ${result.created} features with ${result.dependencies} dependencies.`,
      };
    },
  };
}

/** The backlog the session wrote, or the error saying why there is none. */
export function writtenBacklog(outcome: BacklogOutcome): { created: number; dependencies: number } {
  if (outcome.written) return outcome.written;
  const reasons = outcome.lastIssues?.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new InitializerIncompleteError(
    reasons
      ? `the model produced no valid backlog (${reasons})`
      : 'the model finished without creating a backlog',
  );
}
