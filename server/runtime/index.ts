// The public surface of server/runtime: the backends that run untrusted code (Docker, Podman, the
// host sandbox) for CI jobs and dev shells, the one selector that picks among them (the setting
// `ci.backend`, or GITSSY_CI_BACKEND), and the work folders they run over.
export type { Availability, BackendName, NetworkMode, RunLimits, RunResult, RunRole, RunSpec, Runtime, Terminal, TerminalSpec, Usage } from './types.js';
export { BACKEND_SETTINGS, BackendSelector, type BackendChoice, type BackendSetting, type Candidate, type RuntimeService } from './select.js';
export { DockerRuntime, engineSockets, type EngineName } from './docker.js';
export { SandboxRuntime, SANDBOX_UID } from './sandbox.js';
export { Workspaces } from './workspace.js';

import type { RuntimeService } from './select.js';

declare module '../services.js' {
  interface Services {
    /** The backends and the selector CI jobs and dev shells share. */
    runtime: RuntimeService;
  }
}
