// The feature tools an agent session gets (the upstream MCP feature server's set), over the same
// services the REST API uses. Each role gets only its tools; every answer is text for the model,
// and the model's mistakes come back as tool errors, never as exceptions.
import {
  CreateFeatureSchema,
  CreateFeaturesToolInputSchema,
  DomainError,
  HumanInputRequestSchema,
  UserRole,
  toolInputSchema,
  UuidSchema,
} from '@autocoder/shared-contracts';
import {
  FeatureClaimsRepository,
  FeaturesRepository,
  ReleaseFeatureInput,
} from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  BacklogWriter,
  DependenciesService,
  conflict,
  invalid,
  issuesOf,
  FeaturesService,
  HumanInputService,
  ProjectsService,
} from '@autocoder/server-projects';

/** What a session settles itself: the platform verifies and merges before a feature passes. */
export type FeatureVerdict =
  | { kind: 'passing' }
  | { kind: 'failing'; reason: string }
  | { kind: 'handed_back'; reason: string }
  | { kind: 'needs_input' };

/** An agent session's hold on its one feature; its decisions are recorded, not applied. */
export interface SessionVerdicts {
  featureId: string;
  decided(): FeatureVerdict | undefined;
  record(verdict: FeatureVerdict): void;
}

export interface FeatureToolContext {
  projectId: string;
  /**
   * Lease holder: a session's "<runId>:<attempt>", "mcp:<tokenId>" for an external agent over MCP
   * (no run; its claims are held by the token), "chat:<conversationId>" for a chat.
   */
  owner: string;
  leaseMs: number;
  /**
   * Set for an agent session. The verdict tools then record the session's decision on its own
   * feature and the platform acts on it after the loop (verify and merge before passing);
   * without a session the caller's claim is released at once.
   */
  session?: SessionVerdicts;
}

export interface FeatureToolOutcome {
  content: string;
  isError?: boolean;
}

const id = z.strictObject({ id: UuidSchema });
const reasoned = z.strictObject({ id: UuidSchema, reason: z.string().trim().min(1).max(4000) });
const page = z.strictObject({ limit: z.int().min(1).max(100).default(20) });

const CATALOGUE = {
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
    description:
      'Mark the feature you hold as passing once every verification step holds. In an agent session the platform then verifies and merges your work, and stops the session.',
  },
  feature_confirm_passing: {
    input: id,
    description: 'Confirm that the feature you hold still passes every verification step.',
  },
  feature_mark_failing: {
    input: reasoned,
    description:
      'Give up on the feature you hold, with a precise reason (it counts as an attempt; a regression found by a testing session goes to a coding agent).',
  },
  feature_skip: { input: id, description: 'Move a feature to the end of the queue.' },
  feature_clear_in_progress: {
    input: reasoned,
    description: 'Hand the feature you hold back to the backlog unfinished, with the reason.',
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

export type FeatureToolName = keyof typeof CATALOGUE;
type InputOf<N extends FeatureToolName> = z.output<(typeof CATALOGUE)[N]['input']>;
/** The catalogue seen per tool, so a tool name (even a generic one) parses to its own input. */
const TOOLS: {
  readonly [N in FeatureToolName]: { input: z.ZodType<InputOf<N>>; description: string };
} = CATALOGUE;
const FEATURE_TOOL_NAMES = Object.keys(TOOLS) as FeatureToolName[];

/** Tools that decide the caller's feature: progress in a session's loop. */
export const VERDICT_FEATURE_TOOLS: readonly FeatureToolName[] = [
  'feature_mark_passing',
  'feature_confirm_passing',
  'feature_mark_failing',
  'feature_clear_in_progress',
  'feature_request_human_input',
  'ask_user',
];

/** Tools that only read the backlog. */
export const READ_ONLY_FEATURE_TOOLS: readonly FeatureToolName[] = [
  'feature_stats',
  'feature_get',
  'feature_summary',
  'feature_ready',
  'feature_blocked',
  'feature_graph',
];

/** What chats read: the backlog, without feature summaries. */
const CHAT_READ = READ_ONLY_FEATURE_TOOLS.filter((t) => t !== 'feature_summary');

/**
 * Which tools each role may call: session roles, the chats that work on a backlog (assistant,
 * expand), and external agents over MCP (mcp: admin tokens, mcp_viewer: viewer tokens; see
 * MCP_ROLE_BY_TOKEN_ROLE).
 */
const FEATURE_TOOLS_BY_ROLE = {
  initializer: [
    'feature_stats',
    'feature_graph',
    'feature_create',
    'feature_create_bulk',
    'feature_set_dependencies',
    'feature_add_dependency',
    'feature_remove_dependency',
  ],
  // A coding session works on the one feature the platform claimed for it.
  coding: [
    ...READ_ONLY_FEATURE_TOOLS,
    ...VERDICT_FEATURE_TOOLS.filter((t) => t !== 'feature_confirm_passing'),
  ],
  // A testing session re-checks one passing feature the platform leased to it.
  testing: [
    'feature_stats',
    'feature_get',
    'feature_summary',
    'feature_graph',
    'feature_confirm_passing',
    'feature_mark_failing',
  ],
  // Chats read the backlog; the assistant adds or skips a feature when asked. They never claim,
  // pass, fail or edit code. The expander proposes through its own chat tool (propose_features):
  // a person accepts the proposal before anything is added.
  assistant: [...CHAT_READ, 'feature_create', 'feature_skip'],
  expand: CHAT_READ,
  // External agents over /mcp: an admin token gets every tool but the testing session's own,
  // a viewer token reads only.
  mcp: FEATURE_TOOL_NAMES.filter((t) => t !== 'feature_confirm_passing'),
  mcp_viewer: READ_ONLY_FEATURE_TOOLS,
} as const satisfies Record<string, readonly FeatureToolName[]>;

export type AgentRole = keyof typeof FEATURE_TOOLS_BY_ROLE;

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
): { name: FeatureToolName; description: string; inputSchema: Record<string, unknown> }[] {
  return FEATURE_TOOLS_BY_ROLE[role].map((name) => ({
    name,
    description: TOOLS[name].description,
    inputSchema: toolInputSchema(TOOLS[name].input),
  }));
}

type Handlers = {
  readonly [N in FeatureToolName]: (input: InputOf<N>, ctx: FeatureToolContext) => Promise<unknown>;
};

/**
 * Runs the feature tools for every caller: agent sessions, external agents over MCP and chats.
 * One handler per tool (a tool without one does not compile); the caller's context decides only
 * who holds a claim and whether a session records its verdict for the platform to act on.
 */
@Injectable()
export class FeatureToolsService {
  constructor(
    private readonly rows: FeaturesRepository,
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
    const tool = (FEATURE_TOOLS_BY_ROLE[role] as readonly FeatureToolName[]).find(
      (t) => t === name,
    );
    if (!tool) {
      return { isError: true, content: `Tool ${name} is not available to the ${role} agent.` };
    }
    try {
      const result = await this.invoke(tool, rawInput ?? {}, ctx);
      return { content: typeof result === 'string' ? result : JSON.stringify(result, null, 1) };
    } catch (err) {
      return toolError(err);
    }
  }

  private invoke<N extends FeatureToolName>(
    name: N,
    raw: unknown,
    ctx: FeatureToolContext,
  ): Promise<unknown> {
    const parsed = TOOLS[name].input.safeParse(raw);
    if (!parsed.success) throw invalid(invalidInputText(parsed.error), []);
    const handler: Handlers[N] = this.handlers[name];
    return handler(parsed.data, ctx);
  }

  private readonly handlers: Handlers = {
    feature_stats: async (_, { projectId }) => {
      const p = await this.projects.get(projectId);
      return { counts: p.counts, total: p.total, progress: p.progress };
    },
    feature_get: ({ id }, { projectId }) => this.features.get(projectId, id),
    feature_ready: ({ limit }, { projectId }) => this.rows.ready(projectId, limit),
    feature_blocked: ({ limit }, { projectId }) => this.rows.blocked(projectId, limit),
    feature_graph: (_, { projectId }) => this.dependencies.graph(projectId),
    feature_claim: async (_, { projectId, owner, leaseMs }) => {
      const [claimed] = await this.claims.claim({ projectId, owner, leaseMs });
      if (!claimed)
        return 'No feature is ready: everything pending waits for dependencies, or the backlog is done.';
      return this.features.get(projectId, claimed.id);
    },
    feature_mark_passing: ({ id }, ctx) => this.decide(id, { kind: 'passing' }, ctx),
    feature_confirm_passing: ({ id }, ctx) => this.decide(id, { kind: 'passing' }, ctx),
    feature_mark_failing: ({ id, reason }, ctx) =>
      this.decide(id, { kind: 'failing', reason }, ctx),
    feature_clear_in_progress: ({ id, reason }, ctx) =>
      this.decide(id, { kind: 'handed_back', reason }, ctx),
    feature_skip: ({ id }, { projectId }) => this.features.skip(projectId, id),
    feature_create: (input, { projectId }) => this.features.create(projectId, input),
    feature_set_dependencies: async ({ id, dependsOn }, { projectId }) => {
      await this.dependencies.replace(projectId, id, dependsOn);
      return this.features.get(projectId, id);
    },
    feature_request_human_input: ({ id, request }, ctx) => this.askPerson(id, request, ctx),
    ask_user: ({ id, question }, ctx) =>
      this.askPerson(
        id,
        { prompt: question, fields: [{ name: 'answer', label: 'Answer', kind: 'textarea' }] },
        ctx,
      ),
    feature_summary: async ({ id }, { projectId }) => {
      const f = await this.features.get(projectId, id);
      const waitingFor = await this.rows.refs(f.dependsOn, { notPassing: true });
      return { id: f.id, name: f.name, status: f.status, attempts: f.attempts, waitingFor };
    },
    feature_create_bulk: async (input, { projectId }) => {
      const result = await this.writer.append(projectId, input);
      if (!result.ok) {
        const reasons = result.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        throw invalid(reasons, result.issues);
      }
      return { created: result.created, dependencies: result.dependencies, ids: result.ids };
    },
    feature_add_dependency: async ({ id, dependsOnId }, { projectId }) => ({
      id,
      dependsOn: await this.dependencies.add(projectId, id, dependsOnId),
    }),
    feature_remove_dependency: async ({ id, dependsOnId }, { projectId }) => ({
      id,
      dependsOn: await this.dependencies.remove(projectId, id, dependsOnId),
    }),
  };

  /**
   * The one behaviour of the verdict tools: only the holder of a feature decides it. A session
   * (holding its one feature) records the verdict, and the platform verifies, merges and
   * releases after the loop; any other holder's claim is released now.
   */
  private async decide(
    featureId: string,
    verdict: Decision,
    ctx: FeatureToolContext,
  ): Promise<string> {
    if (ctx.session) return recordVerdict(ctx.session, featureId, verdict);
    await this.features.require(ctx.projectId, featureId);
    const released = await this.claims.release(featureId, ctx.owner, releaseOf(verdict));
    if (!released) throw conflict(`feature ${featureId} is not claimed by you`);
    return verdict.kind === 'passing'
      ? `Feature ${featureId} is now passing.`
      : verdict.kind === 'failing'
        ? `Feature ${featureId} is now failing: ${verdict.reason}`
        : `Feature ${featureId} is back in the backlog.`;
  }

  /** Asking a person parks the feature; for a session that is its verdict. */
  private async askPerson(
    featureId: string,
    request: unknown,
    ctx: FeatureToolContext,
  ): Promise<unknown> {
    if (!ctx.session) return this.humanInput.request(ctx.projectId, featureId, request);
    ownFeature(ctx.session, featureId);
    await this.humanInput.request(ctx.projectId, featureId, request);
    return recordVerdict(ctx.session, featureId, { kind: 'needs_input' });
  }
}

type Decision = Exclude<FeatureVerdict, { kind: 'needs_input' }>;

function releaseOf(verdict: Decision): ReleaseFeatureInput {
  if (verdict.kind === 'passing') return { status: 'passing' };
  if (verdict.kind === 'failing') return { status: 'failing', error: verdict.reason };
  return { status: 'pending', error: `handed back: ${verdict.reason}` };
}

function ownFeature(session: SessionVerdicts, featureId: string): void {
  if (featureId !== session.featureId) {
    throw conflict(
      `This session works on feature ${session.featureId} only; ${featureId} is not yours.`,
    );
  }
  const already = session.decided();
  if (already) throw conflict(`Already decided: ${already.kind}. Stop here.`);
}

function recordVerdict(
  session: SessionVerdicts,
  featureId: string,
  verdict: FeatureVerdict,
): string {
  ownFeature(session, featureId);
  session.record(verdict);
  return VERDICT_ANSWERS[verdict.kind];
}

const VERDICT_ANSWERS: Record<FeatureVerdict['kind'], string> = {
  passing: 'Recorded. The platform takes it from here; end your turn now with a one-line summary.',
  failing: 'Recorded. End your turn now.',
  handed_back: 'Recorded. End your turn now.',
  needs_input: 'The feature now waits for a person. End your turn now.',
};

/** A model's invalid tool input, told back to it field by field. */
export function invalidInputText(error: z.ZodError): string {
  return `Invalid input: ${issuesOf(error)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ')}`;
}

/**
 * The one adapter from errors to tool answers: a domain refusal (not found, conflict, invalid…)
 * is the model's to fix; a dependency that is down (`unavailable`) and anything else is a
 * failure on our side and is thrown, for the session's failure policy or MCP's generic answer.
 */
function toolError(err: unknown): FeatureToolOutcome {
  if (err instanceof DomainError && err.kind !== 'unavailable') {
    return { isError: true, content: err.message };
  }
  throw err;
}
