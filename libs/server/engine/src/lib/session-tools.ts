// The tools a coding or testing session hands its model, bound to the session's worktree and
// feature: file tools, the allowlisted bash tool, and the backlog tools of its role. Calls that
// decide the session's feature (passing, failing, handed back, waiting for a person) are recorded
// as the session's verdict; the platform acts on it after the loop (verify, merge, release).
import {
  BASH_TOOL_SPEC,
  FILE_TOOL_SPECS,
  FileToolName,
  LoopTool,
  runBashTool,
  runFileTool,
  ToolSpec,
} from '@autocoder/server-agent';
import { AgentRole, featureToolSpecs, FeatureToolsService } from '@autocoder/server-backlog';
import { z } from 'zod';

export type Verdict =
  | { kind: 'passing' }
  | { kind: 'failing'; reason: string }
  | { kind: 'handed_back'; reason: string }
  | { kind: 'needs_input' };

export interface SessionToolsOptions {
  role: 'coding' | 'testing';
  worktree: string;
  projectId: string;
  featureId: string;
  featureTools: FeatureToolsService;
  /** Lease owner of the session, for the backlog tools. */
  owner: string;
  leaseMs: number;
  extraAllowedCommands?: readonly string[];
  bashTimeoutMs?: number;
  /** Set once by a verdict tool; later verdict calls are refused. */
  onVerdict(verdict: Verdict): void;
  verdict(): Verdict | undefined;
}

const READ_ONLY_FILE_TOOLS: readonly FileToolName[] = ['read_file', 'list_dir', 'glob', 'grep'];
const WRITING_FILE_TOOLS: readonly FileToolName[] = ['write_file', 'edit_file'];

/** Backlog tools answered by the backlog service as they are. */
const READ_BACKLOG_TOOLS: Readonly<Record<'coding' | 'testing', readonly string[]>> = {
  coding: [
    'feature_stats',
    'feature_get',
    'feature_summary',
    'feature_ready',
    'feature_blocked',
    'feature_graph',
  ],
  testing: ['feature_stats', 'feature_get', 'feature_summary', 'feature_graph'],
};

const idInput = z.strictObject({ id: z.uuid() });
const reasonInput = z.strictObject({ id: z.uuid(), reason: z.string().trim().min(1).max(4000) });

function spec(name: string, description: string, schema: z.ZodType): ToolSpec {
  return {
    name,
    description,
    inputSchema: z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<
      string,
      unknown
    >,
  };
}

export function buildSessionTools(o: SessionToolsOptions): LoopTool[] {
  const fileTools = FILE_TOOL_SPECS.filter(
    (s) =>
      READ_ONLY_FILE_TOOLS.includes(s.name as FileToolName) ||
      (o.role === 'coding' && WRITING_FILE_TOOLS.includes(s.name as FileToolName)),
  ).map<LoopTool>((s) => ({
    spec: s,
    makesProgress: WRITING_FILE_TOOLS.includes(s.name as FileToolName),
    run: (input) => runFileTool(o.worktree, s.name as FileToolName, input),
  }));

  const bash: LoopTool = {
    spec: BASH_TOOL_SPEC,
    run: (input) =>
      runBashTool(input, {
        worktree: o.worktree,
        extraAllowed: o.extraAllowedCommands,
        timeoutMs: o.bashTimeoutMs,
      }),
  };

  const backlogRole: AgentRole = o.role;
  const readBacklog = featureToolSpecs(backlogRole)
    .filter((s) => READ_BACKLOG_TOOLS[o.role].includes(s.name))
    .map<LoopTool>((s) => ({
      spec: s,
      run: (input) =>
        o.featureTools.run(backlogRole, s.name, input, {
          projectId: o.projectId,
          owner: o.owner,
          leaseMs: o.leaseMs,
        }),
    }));

  /** A verdict on the session's own feature, once. */
  const verdictTool = (
    toolSpec: ToolSpec,
    schema: z.ZodType<{ id: string; reason?: string }>,
    decide: (input: { id: string; reason?: string }) => Promise<Verdict | string>,
  ): LoopTool => ({
    spec: toolSpec,
    makesProgress: true,
    run: async (raw) => {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) {
        return {
          isError: true,
          content: `Invalid input: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`,
        };
      }
      if (parsed.data.id !== o.featureId) {
        return {
          isError: true,
          content: `This session works on feature ${o.featureId} only; ${parsed.data.id} is not yours.`,
        };
      }
      const already = o.verdict();
      if (already) {
        return { isError: true, content: `Already decided: ${already.kind}. Stop here.` };
      }
      const verdict = await decide(parsed.data);
      if (typeof verdict === 'string') return { isError: true, content: verdict };
      o.onVerdict(verdict);
      return { content: VERDICT_ANSWERS[verdict.kind] };
    },
  });

  const codingVerdicts: LoopTool[] = [
    verdictTool(
      spec(
        'feature_mark_passing',
        'Mark your feature as passing once every verification step holds. The platform verifies and merges your work, then stops the session.',
        idInput,
      ),
      idInput,
      async () => ({ kind: 'passing' }),
    ),
    verdictTool(
      spec(
        'feature_mark_failing',
        'Give up on your feature with the reason (it counts as an attempt).',
        reasonInput,
      ),
      reasonInput,
      async (i) => ({ kind: 'failing', reason: i.reason ?? '' }),
    ),
    verdictTool(
      spec(
        'feature_clear_in_progress',
        'Hand your feature back to the backlog unfinished, with the reason.',
        reasonInput,
      ),
      reasonInput,
      async (i) => ({ kind: 'handed_back', reason: i.reason ?? '' }),
    ),
  ];
  // Asking a person (a form, or one free-text question) parks the feature: a verdict too.
  for (const ask of featureToolSpecs('coding').filter(
    (t) => t.name === 'feature_request_human_input' || t.name === 'ask_user',
  )) {
    codingVerdicts.push({
      spec: ask,
      makesProgress: true,
      run: async (raw) => {
        const id = (raw as { id?: unknown } | null)?.id;
        if (id !== o.featureId) {
          return { isError: true, content: `This session works on feature ${o.featureId} only.` };
        }
        const outcome = await o.featureTools.run('coding', ask.name, raw, {
          projectId: o.projectId,
          owner: o.owner,
          leaseMs: o.leaseMs,
        });
        if (!outcome.isError) o.onVerdict({ kind: 'needs_input' });
        return outcome.isError ? outcome : { content: VERDICT_ANSWERS.needs_input };
      },
    });
  }

  const testingVerdicts: LoopTool[] = [
    verdictTool(
      spec(
        'feature_confirm_passing',
        'Confirm that your feature still passes every verification step.',
        idInput,
      ),
      idInput,
      async () => ({ kind: 'passing' }),
    ),
    verdictTool(
      spec(
        'feature_mark_failing',
        'Report that your feature regressed, with a precise reason; a coding agent will fix it.',
        reasonInput,
      ),
      reasonInput,
      async (i) => ({ kind: 'failing', reason: i.reason ?? '' }),
    ),
  ];

  return [
    ...fileTools,
    bash,
    ...readBacklog,
    ...(o.role === 'coding' ? codingVerdicts : testingVerdicts),
  ];
}

const VERDICT_ANSWERS: Record<Verdict['kind'], string> = {
  passing: 'Recorded. The platform takes it from here; end your turn now with a one-line summary.',
  failing: 'Recorded. End your turn now.',
  handed_back: 'Recorded. End your turn now.',
  needs_input: 'The feature now waits for a person. End your turn now.',
};
