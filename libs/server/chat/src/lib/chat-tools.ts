// The tools of each chat kind. The assistant and the expander work on the backlog through the
// feature tools every agent uses (their own roles there); the spec writer has one tool, write_spec.
// No chat gets file, bash or status-changing tools.
import type { ToolSpec } from '@autocoder/server-agent';
import { featureToolSpecs, FeatureToolsService } from '@autocoder/server-backlog';
import type { PrismaService } from '@autocoder/server-db';
import { ConversationKind, CreateProjectSchema } from '@autocoder/shared-contracts';
import { z } from 'zod';

export interface ChatTool {
  spec: ToolSpec;
  /** Answers the model's mistakes as error outcomes; throws only for the platform's failures. */
  run(input: unknown): Promise<{ content: string; isError?: boolean }>;
}

export const WriteSpecInputSchema = z.strictObject({ spec: CreateProjectSchema.shape.spec });

export const WRITE_SPEC_TOOL: ToolSpec = {
  name: 'write_spec',
  description:
    "Save the project's app specification. Give the complete text: it replaces the current spec.",
  inputSchema: z.toJSONSchema(WriteSpecInputSchema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >,
};

/** Chats never claim a feature; the lease settings of the feature tools do not apply to them. */
const NO_LEASE_MS = 60_000;

export function chatTools(
  kind: ConversationKind,
  deps: {
    projectId: string;
    conversationId: string;
    featureTools: FeatureToolsService;
    prisma: PrismaService;
  },
): ChatTool[] {
  if (kind === 'spec') {
    return [
      {
        spec: WRITE_SPEC_TOOL,
        run: async (input) => {
          const parsed = WriteSpecInputSchema.safeParse(input ?? {});
          if (!parsed.success) {
            const reasons = parsed.error.issues.map(
              (i) => `${i.path.join('.') || '(input)'}: ${i.message}`,
            );
            return { isError: true, content: `Invalid input: ${reasons.join('; ')}` };
          }
          await deps.prisma.project.update({
            where: { id: deps.projectId },
            data: { spec: parsed.data.spec },
          });
          return {
            content: `The specification was saved (${parsed.data.spec.length} characters).`,
          };
        },
      },
    ];
  }
  return featureToolSpecs(kind).map((spec) => ({
    spec,
    run: (input) =>
      deps.featureTools.run(kind, spec.name, input, {
        projectId: deps.projectId,
        owner: `chat:${deps.conversationId}`,
        leaseMs: NO_LEASE_MS,
      }),
  }));
}
