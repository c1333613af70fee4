// The one interface every place that runs untrusted code goes through: CI jobs and dev shells.
// A backend runs one command in a fresh, isolated environment over a host folder, with limits,
// streams its output, and can be stopped; or opens an interactive terminal (a pty) there. Three backends: Docker and Podman (dockerode,
// one engine socket) and a host sandbox (bubblewrap + prlimit) for machines without an engine.

export type BackendName = 'docker' | 'podman' | 'sandbox';
export type NetworkMode = 'none' | 'lan' | 'open';

export interface RunLimits {
  /** CPUs (fractions allowed). */
  cpus: number;
  memoryMb: number;
  /** Processes and threads at most (a fork bomb stops here). */
  pids: number;
  /** What the job may write, in MiB (its work folder and scratch space). */
  diskMb: number;
  /** Wall-clock limit; past it the run is killed and reported timedOut. */
  timeoutSec: number;
  network: NetworkMode;
}

/** What a run is for: containers carry the label `gitssy.<role>=1`, so leftovers are found per feature. */
export type RunRole = 'ci' | 'shell';

export interface RunSpec {
  /** For names and labels (`gitssy-<role>-<id>`); unique per run. */
  id: string;
  /** Default 'ci'. */
  role?: RunRole;
  /** Container backends: the image; the sandbox runs on the host's read-only system and ignores it. */
  image: string | null;
  /** Host folder with the checkout; inside it is /workspace (read-write) and the working directory. */
  workdir: string;
  /** argv, run inside /workspace. */
  command: string[];
  env: Record<string, string>;
  limits: RunLimits;
  /** Output (stdout and stderr interleaved as they come). */
  onOutput(chunk: Buffer): void;
  /** Aborting it stops the run at once (the container or process tree is killed). */
  signal: AbortSignal;
}

export interface RunResult {
  /** The command's exit code; null when it never finished (killed, timed out, failed to start). */
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the backend itself failed (no image, engine gone, could not start): a job `error`, not a `failure`. */
  error?: string;
  /** Why a run that did finish ended as it did when the backend stopped it (a limit it crossed), for the job's page. */
  reason?: string;
}

export type Availability = { ok: true; detail: string } | { ok: false; reason: string };

/** An interactive shell: like a run, but on a pty the caller types into. */
export interface TerminalSpec {
  id: string;
  image: string | null;
  /** Host folder mounted at /workspace, where the shell starts. */
  workdir: string;
  /** The shell's argv (run in /workspace). */
  command: string[];
  env: Record<string, string>;
  limits: RunLimits;
  cols: number;
  rows: number;
}

export interface Usage {
  /** Share of one CPU over the last interval (100 = one core busy); null when it can't be measured here. */
  cpuPercent: number | null;
  memoryBytes: number | null;
}

export interface Terminal {
  /** Keystrokes and pastes, as typed: never parsed. */
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Output, decoded as UTF-8 (a character split across chunks is held until it is whole). */
  onData(fn: (text: string) => void): void;
  /** Settles when the shell has ended for any reason: exit, kill, a limit (see `reason`), the engine failing. */
  readonly exited: Promise<RunResult>;
  /** Ends it now (the result is `cancelled`). */
  kill(): void;
  usage(): Promise<Usage>;
}

export interface Runtime {
  readonly name: BackendName;
  /** Whether this backend can run here now, and if not, a sentence for the console. */
  available(): Promise<Availability>;
  run(spec: RunSpec): Promise<RunResult>;
  /** Starts an interactive shell; throws with a sentence when it can't. */
  openTerminal(spec: TerminalSpec): Promise<Terminal>;
  /** Removes what a crashed forge left behind for this role (containers; sandbox processes die with their parent). */
  removeLeftovers(role: RunRole): Promise<number>;
}
