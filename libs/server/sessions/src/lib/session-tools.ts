// The tools a coding or testing session hands its model, bound to the session's worktree and
// feature: file tools, the allowlisted bash tool, and the feature tools of its role (the same
// catalogue and handlers MCP and chats use). Calls that decide the session's feature (passing,
// failing, handed back, waiting for a person) are recorded as the session's verdict; the
// platform acts on it after the loop (verify, merge, release).
import {
  BASH_TOOL_SPEC,
  FILE_TOOL_SPECS,
  FileToolName,
  LoopTool,
  runBashTool,
  runFileTool,
} from '@autocoder/server-agent';
import {
  FeatureToolsService,
  featureToolSpecs,
  FeatureVerdict,
  SessionVerdicts,
  VERDICT_FEATURE_TOOLS,
} from '@autocoder/server-feature-tools';

import type { CommandRunner } from '@autocoder/server-workspace';

export type Verdict = FeatureVerdict;

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
  /** The session's OS sandbox; undefined with SANDBOX=off. */
  sandbox?: CommandRunner;
  /** Set once by a verdict tool; later verdict calls are refused. */
  onVerdict(verdict: Verdict): void;
  verdict(): Verdict | undefined;
}

const READ_ONLY_FILE_TOOLS: readonly FileToolName[] = ['read_file', 'list_dir', 'glob', 'grep'];
const WRITING_FILE_TOOLS: readonly FileToolName[] = ['write_file', 'edit_file'];

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
        sandbox: o.sandbox,
      }),
  };

  // The role's feature tools as every caller gets them; the session's context makes the verdict
  // tools record the decision on its own feature for the platform to act on after the loop.
  const session: SessionVerdicts = {
    featureId: o.featureId,
    decided: o.verdict,
    record: o.onVerdict,
  };
  const featureTools = featureToolSpecs(o.role).map<LoopTool>((s) => ({
    spec: s,
    makesProgress: VERDICT_FEATURE_TOOLS.some((t) => t === s.name),
    run: (input) =>
      o.featureTools.run(o.role, s.name, input, {
        projectId: o.projectId,
        owner: o.owner,
        leaseMs: o.leaseMs,
        session,
      }),
  }));

  return [...fileTools, bash, ...featureTools];
}
