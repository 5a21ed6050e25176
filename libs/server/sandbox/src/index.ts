export {
  Sandbox,
  SandboxError,
  SANDBOX_PROXY_PORT,
  bwrapArgs,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxRunOptions,
  type SandboxRunResult,
} from './lib/sandbox';
export { FilteringProxy, isHostAllowed, type FilteringProxyOptions } from './lib/filtering-proxy';
export {
  Sandboxes,
  SandboxUnavailableError,
  configuredNpmRegistry,
  registryHost,
  secretFilesOf,
  type SandboxMode,
  type SandboxSettings,
  type SandboxStatus,
  type SessionSandboxRequest,
} from './lib/sandboxes';
export { TailBuffer } from './lib/frames';
