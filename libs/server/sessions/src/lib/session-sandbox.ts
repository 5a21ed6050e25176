// Sessions' commands in the OS sandbox (@autocoder/server-sandbox): the runner's Sandboxes from its
// configuration, and a sandbox per session (its worktree writable) or per merge verification
// (the integration worktree writable). With SANDBOX=off there is none and commands run through
// runVerification, unsandboxed.
import { AppConfig } from '@autocoder/server-config';
import { Sandboxes, secretFilesOf } from '@autocoder/server-sandbox';
import type { CommandRunner } from '@autocoder/server-workspace';
import * as path from 'node:path';

export function sandboxesFromConfig(config: AppConfig): Sandboxes {
  return new Sandboxes({
    mode: config.SANDBOX,
    allowedHosts: config.SANDBOX_ALLOWED_HOSTS,
    limits: {
      memoryMb: config.SANDBOX_MEMORY_MB,
      cpuSeconds: config.SANDBOX_CPU_SECONDS,
      maxProcesses: config.SANDBOX_MAX_PROCESSES,
    },
    // Other projects' repositories and worktrees are absent; the session's own parts are bound.
    hidden: [path.resolve(config.WORKSPACE_ROOT)],
    hiddenFiles: secretFilesOf(process.env),
  });
}

export interface OpenedRunner {
  /** Undefined with SANDBOX=off: the caller runs commands unsandboxed. */
  run?: CommandRunner;
  close(): Promise<void>;
}

/**
 * A sandbox whose writable part is `dir` (a worktree) and which reads the project's git
 * repository (a worktree's .git points into it). Throws SandboxUnavailableError when sandboxes
 * are wanted and cannot be made.
 */
export async function openSandboxedRunner(
  sandboxes: Sandboxes,
  config: AppConfig,
  projectId: string,
  dir: string,
  onLog?: (message: string) => void,
): Promise<OpenedRunner> {
  const sandbox = await sandboxes.open({
    writable: [dir],
    readOnly: [path.join(path.resolve(config.WORKSPACE_ROOT), projectId, 'repo')],
    onLog,
  });
  if (!sandbox) return { close: async () => undefined };
  return {
    run: (cwd, command, opts) => sandbox.run(cwd, command, opts),
    close: () => sandbox.close(),
  };
}
