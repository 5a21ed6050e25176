// The agents' bash tool: the allowlist decides, then the command runs in the worktree with bash:
// in the session's OS sandbox when it has one (`run`), else in its own process group (killed
// whole on timeout); either way with an environment that holds no secret of the runner.
import { type CommandRunner, runVerification } from '@autocoder/server-workspace';
import { z } from 'zod';
import { toolInputSchema } from '@autocoder/shared-contracts';
import { ToolSpec } from '../providers/llm-provider';
import { checkBashCommand, DEFAULT_ALLOWED_COMMANDS } from './bash-allowlist';
import { cap, ToolOutcome } from './file-tools';

export interface BashToolOptions {
  worktree: string;
  /** Per-project additions to the allowlist. */
  extraAllowed?: readonly string[];
  timeoutMs?: number;
  maxOutputChars?: number;
  /** Variables the project wants its commands to see (never provider keys or database URLs). */
  env?: Readonly<Record<string, string>>;
  /**
   * The session's sandbox (@autocoder/server-sandbox). With it, scripts in the worktree may run
   * and background processes outlive the command (a dev server for the next one); without it,
   * runVerification, which kills what a command leaves behind.
   */
  sandbox?: CommandRunner;
}

const InputSchema = z.strictObject({
  command: z.string().min(1).max(10_000),
  timeout_ms: z.int().min(1000).max(600_000).optional(),
});

export const BASH_TOOL_SPEC: ToolSpec = {
  name: 'bash',
  description:
    'Run a shell command in the worktree. Only allowlisted programs run; paths must stay inside the worktree. The network reaches only the package registry (through a proxy) and servers you start yourself on localhost; a server started in the background (`npm run dev > dev.log 2>&1 &`) keeps running for later commands.',
  inputSchema: toolInputSchema(InputSchema),
};

const allowed = new Set(DEFAULT_ALLOWED_COMMANDS);

export async function runBashTool(
  rawInput: unknown,
  options: BashToolOptions,
): Promise<ToolOutcome> {
  const parsed = InputSchema.safeParse(rawInput);
  if (!parsed.success) {
    return {
      isError: true,
      content: `Invalid input: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    };
  }
  const { command, timeout_ms } = parsed.data;
  const verdict = checkBashCommand(command, {
    allowed,
    worktree: options.worktree,
    extraAllowed: options.extraAllowed,
    sandboxed: options.sandbox !== undefined,
  });
  if (!verdict.ok) return { isError: true, content: `Refused: ${verdict.reason}` };
  const run = options.sandbox ?? runVerification;
  const result = await run(options.worktree, command, {
    timeoutMs: timeout_ms ?? options.timeoutMs ?? 120_000,
    env: options.env,
    shell: '/bin/bash',
    maxOutputBytes: 256 * 1024,
  });
  const status = result.timedOut
    ? `timed out after ${result.durationMs} ms (its processes were killed)`
    : `exit code ${result.exitCode}`;
  return {
    isError: !result.ok,
    content: cap(
      `${result.output}${result.output.endsWith('\n') || !result.output ? '' : '\n'}[${status}]`,
      options.maxOutputChars ?? 30_000,
    ),
  };
}
