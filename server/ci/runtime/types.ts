// The one interface every place that runs untrusted code goes through: CI jobs now, dev shells
// later. A backend runs one command in a fresh, isolated environment over a host folder, with
// limits, streams its output, and can be stopped. Three backends: Docker and Podman (dockerode,
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

export interface RunSpec {
  /** For names and labels (`gitssy-ci-<id>`); unique per run. */
  id: string;
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

export interface Runtime {
  readonly name: BackendName;
  /** Whether this backend can run here now, and if not, a sentence for the console. */
  available(): Promise<Availability>;
  run(spec: RunSpec): Promise<RunResult>;
}
