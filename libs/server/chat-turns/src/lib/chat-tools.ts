// The tools of each chat kind. The assistant and the expander read the backlog through the
// feature tools every agent uses (their own roles there); the assistant may also add a feature
// or skip one when asked. The expander only proposes (propose_features): a person reviews the
// proposal and adds it with one click. The spec writer has one tool, write_spec. No chat gets
// file, bash or status-changing tools.
import type { LoopTool, ToolSpec } from '@autocoder/server-agent';
import {
  featureToolSpecs,
  FeatureToolsService,
  invalidInputText,
} from '@autocoder/server-feature-tools';
import type { FeaturesRepository, ProjectsRepository } from '@autocoder/server-db';
import {
  ConversationKind,
  CreateProjectSchema,
  ProposeFeaturesInputSchema,
  toolInputSchema,
} from '@autocoder/shared-contracts';
import { z } from 'zod';

export const WriteSpecInputSchema = z.strictObject({ spec: CreateProjectSchema.shape.spec });

export const WRITE_SPEC_TOOL: ToolSpec = {
  name: 'write_spec',
  description:
    "Save the project's app specification. Give the complete text: it replaces the current spec.",
  inputSchema: toolInputSchema(WriteSpecInputSchema),
};

export const PROPOSE_FEATURES_TOOL: ToolSpec = {
  name: 'propose_features',
  description:
    'Propose new features for the backlog. Nothing is added yet: the person sees the list with ' +
    'its dependencies and adds it with one click. dependsOn holds 0-based indexes of other ' +
    'features in this proposal; dependsOnExisting holds ids of features already in the backlog. ' +
    'A later call replaces the proposal.',
  inputSchema: toolInputSchema(ProposeFeaturesInputSchema),
};

const invalid = (error: z.ZodError) => ({ isError: true, content: invalidInputText(error) });

/** Chats never claim a feature; the lease settings of the feature tools do not apply to them. */
const NO_LEASE_MS = 60_000;

export function chatTools(
  kind: ConversationKind,
  deps: {
    projectId: string;
    conversationId: string;
    featureTools: FeatureToolsService;
    projects: ProjectsRepository;
    features: FeaturesRepository;
  },
): LoopTool[] {
  if (kind === 'spec') {
    return [
      {
        spec: WRITE_SPEC_TOOL,
        run: async (input) => {
          const parsed = WriteSpecInputSchema.safeParse(input ?? {});
          if (!parsed.success) return invalid(parsed.error);
          await deps.projects.update(deps.projectId, { spec: parsed.data.spec });
          return {
            content: `The specification was saved (${parsed.data.spec.length} characters).`,
          };
        },
      },
    ];
  }
  const featureTools: LoopTool[] = featureToolSpecs(kind).map((spec) => ({
    spec,
    run: (input) =>
      deps.featureTools.run(kind, spec.name, input, {
        projectId: deps.projectId,
        owner: `chat:${deps.conversationId}`,
        leaseMs: NO_LEASE_MS,
      }),
  }));
  if (kind !== 'expand') return featureTools;
  return [
    ...featureTools,
    {
      spec: PROPOSE_FEATURES_TOOL,
      run: async (input) => {
        const parsed = ProposeFeaturesInputSchema.safeParse(input ?? {});
        if (!parsed.success) return invalid(parsed.error);
        const { features } = parsed.data;
        const wanted = [...new Set(features.flatMap((f) => f.dependsOnExisting))];
        const found = await deps.features.refs(wanted, { projectId: deps.projectId });
        const missing = wanted.filter((id) => !found.some((f) => f.id === id));
        if (missing.length > 0) {
          return {
            isError: true,
            content: `Invalid input: no feature ${missing.join(', ')} in this project's backlog.`,
          };
        }
        return {
          content:
            `Proposed ${features.length} feature${features.length === 1 ? '' : 's'}: ` +
            `${features.map((f) => `"${f.name}"`).join(', ')}. They are not in the backlog yet: ` +
            'the person reviews them and adds them with one click.',
        };
      },
    },
  ];
}
