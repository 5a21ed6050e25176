// The runner's sandbox policy: whether sandboxes can be made here (probed once), which hosts the
// proxy lets through, the limits, and what of the machine a sandbox hides. Sessions ask it for a
// sandbox per session; with SANDBOX=off they get none and run commands unsandboxed.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Sandbox, SandboxError, type SandboxLimits, type SandboxOptions } from './sandbox';

const run = promisify(execFile);

export type SandboxMode = 'auto' | 'bwrap' | 'off';

export interface SandboxSettings {
  mode: SandboxMode;
  /** Hosts the proxy lets through; undefined: the host of the npm registry npm is configured with. */
  allowedHosts?: readonly string[];
  limits: SandboxLimits;
  /** Directories no sandbox sees except the session's own parts (the workspace root). */
  hidden?: readonly string[];
  /** Files no sandbox sees (the runner's `*_FILE` secrets). */
  hiddenFiles?: readonly string[];
  bwrapPath?: string;
  prlimitPath?: string;
}

export type SandboxStatus =
  | { state: 'ready'; allowedHosts: readonly string[]; registry: string | null }
  | { state: 'off' }
  | { state: 'unavailable'; reason: string };

/** What a session's sandbox holds: its worktree writable, its git directories readable. */
export interface SessionSandboxRequest {
  writable: readonly string[];
  readOnly?: readonly string[];
  onLog?: (message: string) => void;
}

export class SandboxUnavailableError extends Error {
  constructor(reason: string) {
    super(
      `no OS sandbox for agent commands (${reason}); coding sessions are refused. ` +
        'Install bubblewrap and allow user namespaces, or set SANDBOX=off to run commands unsandboxed.',
    );
    this.name = 'SandboxUnavailableError';
  }
}

/** Host (with its port when it has one) of a registry URL, or null when it is not a URL. */
export function registryHost(registry: string): string | null {
  try {
    const url = new URL(registry.trim());
    return url.port ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    return null;
  }
}

/** The registry the machine's npm is configured with (env, .npmrc files, npm's default). */
export async function configuredNpmRegistry(): Promise<string | null> {
  const fromEnv = process.env['npm_config_registry'] ?? process.env['NPM_CONFIG_REGISTRY'];
  if (fromEnv) return fromEnv;
  try {
    const { stdout } = await run('npm', ['config', 'get', 'registry'], { timeout: 15_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

/** Files the runner reads secrets from (`DATABASE_URL_FILE=/run/secrets/…`): hidden in sandboxes. */
export function secretFilesOf(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => name.endsWith('_FILE') && value && path.isAbsolute(value))
    .map(([, value]) => value as string);
}

export class Sandboxes {
  private status: Promise<SandboxStatus> | undefined;

  constructor(private readonly settings: SandboxSettings) {}

  /** Probes once: can bwrap make a sandbox here, and which hosts will its proxy let through. */
  probe(): Promise<SandboxStatus> {
    this.status ??= this.doProbe();
    return this.status;
  }

  /**
   * A sandbox for one session, or null with SANDBOX=off. Throws SandboxUnavailableError when
   * sandboxes are wanted and cannot be made: the session must not run its commands without.
   */
  async open(request: SessionSandboxRequest): Promise<Sandbox | null> {
    const status = await this.probe();
    if (status.state === 'off') return null;
    if (status.state === 'unavailable') throw new SandboxUnavailableError(status.reason);
    return Sandbox.open(this.optionsFor(status.allowedHosts, request));
  }

  private optionsFor(
    allowedHosts: readonly string[],
    request: SessionSandboxRequest,
  ): SandboxOptions {
    const registry = this.registryUrl;
    return {
      writable: request.writable,
      readOnly: request.readOnly,
      hidden: this.settings.hidden,
      hiddenFiles: this.settings.hiddenFiles,
      allowedHosts,
      limits: this.settings.limits,
      bwrapPath: this.settings.bwrapPath,
      prlimitPath: this.settings.prlimitPath,
      // npm inside reads no .npmrc of the runner (HOME is the session's): tell it the registry.
      baseEnv: registry ? { npm_config_registry: registry } : undefined,
      onLog: request.onLog,
    };
  }

  private registryUrl: string | null = null;

  private async doProbe(): Promise<SandboxStatus> {
    if (this.settings.mode === 'off') return { state: 'off' };
    this.registryUrl = await configuredNpmRegistry();
    const fromRegistry = this.registryUrl ? registryHost(this.registryUrl) : null;
    const allowedHosts = this.settings.allowedHosts ?? (fromRegistry ? [fromRegistry] : []);
    try {
      const sandbox = await Sandbox.open(
        this.optionsFor(allowedHosts, { writable: [], readOnly: [] }),
      );
      try {
        const r = await sandbox.run('/', 'true', { timeoutMs: 10_000 });
        if (!r.ok) return { state: 'unavailable', reason: `a probe command failed: ${r.output}` };
      } finally {
        await sandbox.close();
      }
    } catch (err) {
      const reason =
        err instanceof SandboxError || err instanceof Error ? err.message : String(err);
      return { state: 'unavailable', reason };
    }
    return { state: 'ready', allowedHosts, registry: this.registryUrl };
  }
}
