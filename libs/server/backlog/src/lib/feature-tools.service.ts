// The feature tools an agent session gets (the upstream MCP feature server's set), over the same
// services the REST API uses. Each role gets only its tools; every answer is text for the model,
// and the model's mistakes come back as tool errors, never as exceptions.
import {
  CreateFeatureSchema,
  CreateFeaturesToolInputSchema,
  HumanInputRequestSchema,
  UserRole,
  UuidSchema,
} from '@autocoder/shared-contracts';
import { FeatureClaimsRepository, PrismaService } from '@autocoder/server-db';
import { HttpException, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { BacklogWriter } from './backlog-writer.service';
import { DependenciesService } from './dependencies.service';
import { FeaturesService } from './features.service';
import { HumanInputService } from './human-input.service';
import { ProjectsService } from './projects.service';

export interface FeatureToolContext {
  projectId: string;
  /**
   * Lease holder: a session's "<runId>:<attempt>", or "mcp:<tokenId>" for an external agent
   * over MCP (no run; its claims are held by the token).
   */
  owner: string;
  leaseMs: number;
}

export interface FeatureToolOutcome {
  content: string;
  isError?: boolean;
}

const id = z.strictObject({ id: UuidSchema });
const page = z.strictObject({ limit: z.int().min(1).max(100).default(20) });

const TOOLS = {
  feature_stats: {
    input: z.strictObject({}),
    description: 'Counts of features by status and overall progress.',
  },
  feature_get: { input: id, description: 'One feature with its steps, status and dependencies.' },
  feature_ready: {
    input: page,
    description: 'Pending features whose dependencies all pass, in claim order.',
  },
  feature_blocked: {
    input: page,
    description: 'Pending features still waiting for dependencies, with what they wait for.',
  },
  feature_graph: { input: z.strictObject({}), description: 'All features and dependency edges.' },
  feature_claim: {
    input: z.strictObject({}),
    description: 'Claim the next ready feature to work on (a lease held by this session).',
  },
  feature_mark_passing: {
    input: id,
    description: 'Mark a feature you claimed as passing, once its steps verify.',
  },
  feature_mark_failing: {
    input: z.strictObject({ id: UuidSchema, reason: z.string().trim().min(1).max(2000) }),
    description: 'Mark a feature as failing, with the reason.',
  },
  feature_skip: { input: id, description: 'Move a feature to the end of the queue.' },
  feature_clear_in_progress: {
    input: id,
    description: 'Hand a feature you claimed back to the backlog unfinished.',
  },
  feature_create: { input: CreateFeatureSchema, description: 'Add one feature to the backlog.' },
  feature_set_dependencies: {
    input: z.strictObject({ id: UuidSchema, dependsOn: z.array(UuidSchema).max(20) }),
    description: 'Replace the dependencies of a feature (cycles are refused).',
  },
  feature_request_human_input: {
    input: z.strictObject({ id: UuidSchema, request: HumanInputRequestSchema }),
    description: 'Ask a person for input on a feature (a form); the feature waits until answered.',
  },
  feature_summary: {
    input: id,
    description: 'One feature in brief: name, status, attempts and the dependencies it waits for.',
  },
  feature_create_bulk: {
    input: CreateFeaturesToolInputSchema,
    description:
      'Add several features at once; dependsOn holds 0-based indexes of other features in the same call.',
  },
  feature_add_dependency: {
    input: z.strictObject({ id: UuidSchema, dependsOnId: UuidSchema }),
    description: 'Make a feature depend on another one (cycles are refused).',
  },
  feature_remove_dependency: {
    input: z.strictObject({ id: UuidSchema, dependsOnId: UuidSchema }),
    description: 'Remove one dependency of a feature.',
  },
  ask_user: {
    input: z.strictObject({ id: UuidSchema, question: z.string().trim().min(1).max(4000) }),
    description:
      'Ask a person a free-text question about a feature; the feature waits until answered.',
  },
} as const;

export type FeatureToolName = keyof typeof TOOLS;
/**
 * Session roles, the chats that work on a backlog (assistant, expand), and external agents over
 * MCP (mcp: admin tokens, mcp_viewer: viewer tokens; see MCP_ROLE_BY_TOKEN_ROLE).
 */
export type AgentRole =
  | 'initializer'
  | 'coding'
  | 'testing'
  | 'assistant'
  | 'expand'
  | 'mcp'
  | 'mcp_viewer';

/** Tools that only read the backlog. */
export const READ_ONLY_FEATURE_TOOLS: readonly FeatureToolName[] = [
  'feature_stats',
  'feature_get',
  'feature_summary',
  'feature_ready',
  'feature_blocked',
  'feature_graph',
];

/** Which tools each role may call. */
export const FEATURE_TOOLS_BY_ROLE: Readonly<Record<AgentRole, readonly FeatureToolName[]>> = {
  initializer: [
    'feature_stats',
    'feature_graph',
    'feature_create',
    'feature_create_bulk',
    'feature_set_dependencies',
    'feature_add_dependency',
    'feature_remove_dependency',
  ],
  coding: [
    'feature_stats',
    'feature_get',
    'feature_ready',
    'feature_blocked',
    'feature_graph',
    'feature_claim',
    'feature_mark_passing',
    'feature_mark_failing',
    'feature_skip',
    'feature_clear_in_progress',
    'feature_request_human_input',
    'feature_summary',
    'ask_user',
  ],
  testing: [
    'feature_stats',
    'feature_get',
    'feature_summary',
    'feature_graph',
    'feature_mark_failing',
  ],
  // Chats read the backlog; the assistant adds or skips a feature when asked. They never claim,
  // pass, fail or edit code.
  assistant: [
    'feature_stats',
    'feature_get',
    'feature_ready',
    'feature_blocked',
    'feature_graph',
    'feature_create',
    'feature_skip',
  ],
  // The expander reads here and proposes through its own chat tool (propose_features): a
  // person accepts the proposal before anything is added.
  expand: ['feature_stats', 'feature_get', 'feature_ready', 'feature_blocked', 'feature_graph'],
  // External agents over /mcp: an admin token gets every tool, a viewer token reads only.
  mcp: Object.keys(TOOLS) as FeatureToolName[],
  mcp_viewer: READ_ONLY_FEATURE_TOOLS,
};

/** The role an API token's role (admin, viewer) gets over MCP. */
export const MCP_ROLE_BY_TOKEN_ROLE: Readonly<Record<UserRole, AgentRole>> = {
  admin: 'mcp',
  viewer: 'mcp_viewer',
};

/** A tool's input schema, for servers that describe and validate tools themselves (MCP). */
export function featureToolInputSchema(name: FeatureToolName): z.ZodType {
  return TOOLS[name].input;
}

export function featureToolSpecs(
  role: AgentRole,
): { name: string; description: string; inputSchema: Record<string, unknown> }[] {
  return FEATURE_TOOLS_BY_ROLE[role].map((name) => ({
    name,
    description: TOOLS[name].description,
    inputSchema: z.toJSONSchema(TOOLS[name].input, { target: 'draft-7', io: 'input' }) as Record<
      string,
      unknown
    >,
  }));
}

@Injectable()
export class FeatureToolsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
    private readonly features: FeaturesService,
    private readonly dependencies: DependenciesService,
    private readonly claims: FeatureClaimsRepository,
    private readonly humanInput: HumanInputService,
    private readonly writer: BacklogWriter,
  ) {}

  async run(
    role: AgentRole,
    name: string,
    rawInput: unknown,
    ctx: FeatureToolContext,
  ): Promise<FeatureToolOutcome> {
    if (!(FEATURE_TOOLS_BY_ROLE[role] as readonly string[]).includes(name)) {
      return { isError: true, content: `Tool ${name} is not available to the ${role} agent.` };
    }
    const tool = name as FeatureToolName;
    const parsed = TOOLS[tool].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const reasons = parsed.error.issues.map(
        (i) => `${i.path.join('.') || '(input)'}: ${i.message}`,
      );
      return { isError: true, content: `Invalid input: ${reasons.join('; ')}` };
    }
    try {
      const result = await this.execute(tool, parsed.data, ctx);
      return { content: typeof result === 'string' ? result : JSON.stringify(result, null, 1) };
    } catch (err) {
      // Domain refusals (404, 409, 400) are the model's to fix; anything else is ours.
      if (err instanceof HttpException) {
        const body = err.getResponse();
        const message =
          typeof body === 'object' && body !== null && 'message' in body
            ? String((body as { message: unknown }).message)
            : err.message;
        return { isError: true, content: message };
      }
      throw err;
    }
  }

  private async execute(
    tool: FeatureToolName,
    input: unknown,
    ctx: FeatureToolContext,
  ): Promise<unknown> {
    const { projectId } = ctx;
    switch (tool) {
      case 'feature_stats': {
        const p = await this.projects.get(projectId);
        return { counts: p.counts, total: p.total, progress: p.progress };
      }
      case 'feature_get':
        return this.features.get(projectId, (input as { id: string }).id);
      case 'feature_ready':
        return this.prisma.feature.findMany({
          where: { projectId, status: 'pending', unmetDependencyCount: 0 },
          orderBy: [{ blockedDependentCount: 'desc' }, { priority: 'asc' }, { id: 'asc' }],
          take: (input as { limit: number }).limit,
          select: { id: true, name: true, category: true, priority: true, attempts: true },
        });
      case 'feature_blocked': {
        const rows = await this.prisma.feature.findMany({
          where: { projectId, status: 'pending', unmetDependencyCount: { gt: 0 } },
          orderBy: [{ priority: 'asc' }, { id: 'asc' }],
          take: (input as { limit: number }).limit,
          select: {
            id: true,
            name: true,
            dependsOn: {
              where: { dependsOn: { status: { not: 'passing' } } },
              select: { dependsOn: { select: { id: true, name: true, status: true } } },
            },
          },
        });
        return rows.map((r) => ({
          id: r.id,
          name: r.name,
          waitingFor: r.dependsOn.map((d) => d.dependsOn),
        }));
      }
      case 'feature_graph':
        return this.dependencies.graph(projectId);
      case 'feature_claim': {
        const [claimed] = await this.claims.claim({
          projectId,
          owner: ctx.owner,
          leaseMs: ctx.leaseMs,
        });
        if (!claimed)
          return 'No feature is ready: everything pending waits for dependencies, or the backlog is done.';
        return this.features.get(projectId, claimed.id);
      }
      case 'feature_mark_passing':
      case 'feature_clear_in_progress': {
        const { id: featureId } = input as { id: string };
        await this.features.require(projectId, featureId);
        const ok = await this.claims.release(featureId, ctx.owner, {
          status: tool === 'feature_mark_passing' ? 'passing' : 'pending',
        });
        if (!ok)
          throw new HttpException(
            { message: `feature ${featureId} is not claimed by this session` },
            409,
          );
        return `Feature ${featureId} is now ${tool === 'feature_mark_passing' ? 'passing' : 'back in the backlog'}.`;
      }
      case 'feature_mark_failing': {
        const { id: featureId, reason } = input as { id: string; reason: string };
        await this.features.require(projectId, featureId);
        const owned = await this.claims.release(featureId, ctx.owner, {
          status: 'failing',
          error: reason,
        });
        // A testing agent reports a regression on a passing feature it does not hold.
        if (!owned)
          await this.prisma.feature.update({
            where: { id: featureId },
            data: { status: 'failing', lastError: reason, leaseOwner: null, leaseExpiresAt: null },
          });
        return `Feature ${featureId} is now failing: ${reason}`;
      }
      case 'feature_skip':
        return this.features.skip(projectId, (input as { id: string }).id);
      case 'feature_create':
        return this.features.create(projectId, input as z.infer<typeof CreateFeatureSchema>);
      case 'feature_set_dependencies': {
        const { id: featureId, dependsOn } = input as { id: string; dependsOn: string[] };
        await this.dependencies.replace(projectId, featureId, dependsOn);
        return this.features.get(projectId, featureId);
      }
      case 'feature_request_human_input': {
        const { id: featureId, request } = input as { id: string; request: unknown };
        return this.humanInput.request(projectId, featureId, request);
      }
      case 'ask_user': {
        const { id: featureId, question } = input as { id: string; question: string };
        return this.humanInput.request(projectId, featureId, {
          prompt: question,
          fields: [{ name: 'answer', label: 'Answer', kind: 'textarea' }],
        });
      }
      case 'feature_summary': {
        const f = await this.features.get(projectId, (input as { id: string }).id);
        const waitingFor = await this.prisma.feature.findMany({
          where: { id: { in: f.dependsOn }, status: { not: 'passing' } },
          select: { id: true, name: true, status: true },
        });
        return { id: f.id, name: f.name, status: f.status, attempts: f.attempts, waitingFor };
      }
      case 'feature_create_bulk': {
        const result = await this.writer.append(projectId, input);
        if (!result.ok) {
          throw new HttpException(
            {
              message: result.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
            },
            400,
          );
        }
        return { created: result.created, dependencies: result.dependencies, ids: result.ids };
      }
      case 'feature_add_dependency':
      case 'feature_remove_dependency': {
        const { id: featureId, dependsOnId } = input as { id: string; dependsOnId: string };
        const dependsOn =
          tool === 'feature_add_dependency'
            ? await this.dependencies.add(projectId, featureId, dependsOnId)
            : await this.dependencies.remove(projectId, featureId, dependsOnId);
        return { id: featureId, dependsOn };
      }
    }
  }
}
