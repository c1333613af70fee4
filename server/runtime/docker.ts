// The container backend: Docker or Podman through one engine socket (dockerode, the Docker API
// that Podman also speaks). A run is one throwaway container over the job's work folder:
// unprivileged user, no capabilities, no-new-privileges, read-only root, a size-capped /tmp,
// no engine socket and nothing of the forge's but /workspace. Limits the engine can't enforce
// here (no cgroup controllers) fall back to ulimits, and available() says which is which.
import { lchown, lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { StringDecoder } from 'node:string_decoder';
import type { Availability, RunLimits, RunResult, RunRole, RunSpec, Runtime, Terminal, TerminalSpec, Usage } from './types.js';

export type EngineName = 'docker' | 'podman';

export interface DockerRuntimeOptions {
  /** Which engine this backend drives; a socket that answers as the other engine is skipped. */
  engine: EngineName;
  /** The engine's unix socket; default: discovered (see engineSockets). */
  socketPath?: string;
  /** Who the job runs as; default: the forge's own uid/gid when it isn't root, else 10001:10001. */
  user?: { uid: number; gid: number };
  /** Paths a job must never see (the data dir, the forge's sockets): a work folder containing one is refused. */
  protectedPaths?: string[];
  /** This forge's name on the engine (label gitssy.instance); removeLeftovers() removes only its containers. */
  instance?: string;
  /** Overrides what the engine is believed to enforce (an engine that accepts a limit and ignores it; tests of the ulimit fallback). */
  enforce?: Partial<EngineLimits>;
  /** Environment used for socket discovery (DOCKER_HOST, CONTAINER_HOST, XDG_RUNTIME_DIR); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** What the engine can enforce here, from its /info. */
export interface EngineLimits {
  memory: boolean;
  swap: boolean;
  pids: boolean;
  cpu: boolean;
}

interface Engine {
  client: Docker;
  socketPath: string;
  version: string;
  rootless: boolean;
  limits: EngineLimits;
  /** A sentence on how the limits are enforced, for the console. */
  enforcement: string;
}

const LABEL = { docker: 'Docker', podman: 'Podman' } as const;
const API_TIMEOUT_MS = 60_000;
const PING_TIMEOUT_MS = 10_000;
// Podman's /version and /info take a second or more on a busy machine
const PROBE_TIMEOUT_MS = 30_000;
const MiB = 1024 * 1024;
const DEFAULT_JOB_ID = 10001;

/** Candidate sockets for an engine, in the order they are tried (only unix sockets: the engine must share our filesystem for the bind mount). */
export function engineSockets(engine: EngineName, env: NodeJS.ProcessEnv = process.env): string[] {
  const fromUrl = (v: string | undefined) => (v && v.startsWith('unix://') ? v.slice('unix://'.length) : null);
  const out: (string | null)[] = [];
  const xdg = env.XDG_RUNTIME_DIR;
  if (engine === 'docker') {
    out.push(fromUrl(env.DOCKER_HOST), '/var/run/docker.sock', xdg ? path.join(xdg, 'docker.sock') : null);
  } else {
    out.push(fromUrl(env.CONTAINER_HOST), fromUrl(env.DOCKER_HOST), xdg ? path.join(xdg, 'podman', 'podman.sock') : null, '/run/podman/podman.sock', '/var/run/docker.sock');
  }
  return [...new Set(out.filter((s): s is string => !!s))];
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function message(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string; code?: string };
  return (e?.json?.message ?? e?.message ?? String(err)).trim();
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

/** Hard limit of one of our own rlimits (/proc/self/limits), so we never ask the engine for more than it may grant. */
async function ownHardLimit(name: 'Max open files' | 'Max processes'): Promise<number> {
  try {
    const line = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((l) => l.startsWith(name));
    const hard = line?.slice(26).trim().split(/\s+/)[1];
    return hard && /^\d+$/.test(hard) ? Number(hard) : Infinity;
  } catch {
    return Infinity;
  }
}

/** Threads the host already runs as uid: RLIMIT_NPROC counts them too (a uid's count is host-wide without a user namespace). */
async function threadsOf(uid: number): Promise<number> {
  let n = 0;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid) n += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

/** Bytes used under dir (not following links), counting stops once past stopAt. */
async function diskUsage(dir: string, stopAt = Infinity): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        const st = await lstat(p);
        total += st.blocks ? st.blocks * 512 : st.size;
      } catch {
        continue;
      }
      if (e.isDirectory()) stack.push(p);
      if (total > stopAt) return total;
    }
  }
  return total;
}

/** lchown a whole tree (never following links: a link the job made can't redirect us onto the host). */
async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  const stack = [dir];
  await lchown(dir, uid, gid);
  while (stack.length) {
    const d = stack.pop()!;
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      await lchown(p, uid, gid).catch(() => {});
      if (e.isDirectory()) stack.push(p);
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class DockerRuntime implements Runtime {
  readonly name: EngineName;
  private engine: Engine | null = null;
  private readonly opts: DockerRuntimeOptions;

  constructor(opts: DockerRuntimeOptions) {
    this.opts = opts;
    this.name = opts.engine;
  }

  private get label(): string {
    return LABEL[this.name];
  }

  /** The uid:gid jobs run as. */
  get user(): { uid: number; gid: number } {
    if (this.opts.user) return this.opts.user;
    const uid = process.getuid?.() ?? DEFAULT_JOB_ID;
    const gid = process.getgid?.() ?? DEFAULT_JOB_ID;
    return uid === 0 ? { uid: DEFAULT_JOB_ID, gid: DEFAULT_JOB_ID } : { uid, gid };
  }

  async available(): Promise<Availability> {
    try {
      const engine = await this.connect(true);
      const mode = engine.rootless ? 'rootless' : 'rootful';
      return { ok: true, detail: `${this.label} ${engine.version} on ${engine.socketPath} (${mode}). ${engine.enforcement}` };
    } catch (err) {
      return { ok: false, reason: message(err) };
    }
  }

  /** Finds the engine (once; again when forced) and learns what it can enforce. Throws with a sentence. */
  private async connect(force = false): Promise<Engine> {
    if (this.engine && !force) return this.engine;
    const candidates = this.opts.socketPath ? [this.opts.socketPath] : engineSockets(this.name, this.opts.env);
    const problems: string[] = [];
    for (const socketPath of candidates) {
      if (!existsSync(socketPath)) {
        if (this.opts.socketPath) problems.push(`${socketPath} does not exist`);
        continue;
      }
      if (!statSync(socketPath).isSocket()) {
        problems.push(`${socketPath} is not a socket`);
        continue;
      }
      try {
        const engine = await this.probe(socketPath);
        this.engine = engine;
        return engine;
      } catch (err) {
        problems.push(message(err));
      }
    }
    this.engine = null;
    const env = this.opts.env ?? process.env;
    for (const v of ['DOCKER_HOST', 'CONTAINER_HOST'] as const)
      if (!this.opts.socketPath && env[v] && !env[v]!.startsWith('unix://'))
        problems.push(`${v}=${env[v]} is not used: only a unix socket works, as the engine must see this machine's files to mount a job's work folder`);
    if (!problems.length) throw new Error(`No ${this.label} socket found (looked at ${candidates.join(', ')}).`);
    throw new Error(`${this.label} is not usable: ${problems.join('; ')}.`);
  }

  private async probe(socketPath: string): Promise<Engine> {
    // dockerode loads when an engine is first looked for, not at start-up
    const { default: Dockerode } = await import('dockerode');
    const client = new Dockerode({ socketPath });
    try {
      await withTimeout(client.ping(), PING_TIMEOUT_MS, `the engine on ${socketPath}`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EACCES') throw new Error(`permission denied on ${socketPath} (the forge's user may not use this engine)`);
      if (code === 'ECONNREFUSED') throw new Error(`nothing answers on ${socketPath} (is the engine running?)`);
      throw new Error(`${socketPath}: ${message(err)}`);
    }
    const version = (await withTimeout(client.version(), PROBE_TIMEOUT_MS, 'the engine')) as { Version?: string; Components?: { Name?: string; Version?: string }[] };
    const podman = version.Components?.find((c) => /podman/i.test(c.Name ?? ''));
    const actual: EngineName = podman ? 'podman' : 'docker';
    if (actual !== this.name) throw new Error(`${socketPath} is ${LABEL[actual]}, not ${this.label}`);
    const info = (await withTimeout(client.info(), PROBE_TIMEOUT_MS, 'the engine')) as {
      MemoryLimit?: boolean;
      SwapLimit?: boolean;
      PidsLimit?: boolean;
      CpuCfsQuota?: boolean;
      CgroupVersion?: string;
      DefaultRuntime?: string;
      SecurityOptions?: string[];
      Warnings?: string[] | null;
    };
    const rootless = (info.SecurityOptions ?? []).some((o) => o.includes('rootless'));
    // rootless Podman on cgroup v1 accepts resource limits and silently ignores them
    const ignored = this.name === 'podman' && rootless && info.CgroupVersion === '1';
    const limits: EngineLimits = {
      memory: !!info.MemoryLimit && !ignored,
      swap: !!info.SwapLimit && !ignored,
      pids: !!info.PidsLimit && !ignored,
      cpu: !!info.CpuCfsQuota && !ignored,
      ...this.opts.enforce,
    };
    // Podman runs containers with its own OCI runtime setting (the service's --runtime or
    // containers.conf; the API can't choose it): name it, as it matters where crun doesn't work
    const fromPodman = version.Components?.find((c) => /^OCI Runtime/i.test(c.Name ?? ''))?.Name?.replace(/^OCI Runtime \((.*)\)$/i, '$1');
    const oci = fromPodman ? path.basename(fromPodman) : info.DefaultRuntime;
    const name = `${podman?.Version ?? version.Version ?? '?'}${oci ? ` (OCI runtime ${oci})` : ''}`;
    return { client, socketPath, version: name, rootless, limits, enforcement: describeEnforcement(limits, info.Warnings ?? []) };
  }

  /** Removes this instance's containers of one role left by a crash (labels gitssy.<role>, gitssy.instance); a no-op without an instance name. */
  async removeLeftovers(role: RunRole = 'ci'): Promise<number> {
    if (!this.opts.instance) return 0;
    const { client } = await this.connect();
    const list = await client.listContainers({ all: true, filters: { label: [`gitssy.${role}=1`, `gitssy.instance=${this.opts.instance}`] } });
    for (const c of list)
      await client
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {});
    return list.length;
  }

  async run(spec: RunSpec): Promise<RunResult> {
    const fail = (error: string): RunResult => ({ exitCode: null, timedOut: false, cancelled: false, error });
    if (spec.signal.aborted) return { exitCode: null, timedOut: false, cancelled: true };
    if (!spec.image) return fail('No image is set for this job: choose one for the repository, or a default image in the console.');
    if (!spec.command.length) return fail('The job has no command to run.');

    let engine: Engine;
    try {
      engine = await this.connect();
    } catch (err) {
      return fail(message(err));
    }
    let workdir: string;
    try {
      workdir = await this.checkWorkdir(spec.workdir, engine.socketPath);
    } catch (err) {
      return fail(message(err));
    }
    try {
      await withTimeout(engine.client.getImage(spec.image).inspect(), API_TIMEOUT_MS, this.label);
    } catch (err) {
      if (statusCode(err) === 404)
        return fail(`The image "${spec.image}" is not on this ${this.label} engine, and no registry is assumed reachable: load or import it on the engine first (docker load / docker import).`);
      return fail(`${this.label} could not inspect the image "${spec.image}": ${message(err)}`);
    }

    // The job's user must be able to write its checkout: as root we hand the tree over for the
    // run and take it back afterwards. (A non-root forge runs jobs as itself, so nothing to do.)
    const user = this.jobUser(engine);
    let owner: { uid: number; gid: number } | null = null;
    try {
      const st = await stat(workdir);
      if (process.getuid?.() === 0 && !engine.rootless && (st.uid !== user.uid || st.gid !== user.gid)) {
        owner = { uid: st.uid, gid: st.gid };
        await chownTree(workdir, user.uid, user.gid);
      }
      return await this.runContainer(engine, spec, workdir, user);
    } catch (err) {
      return fail(`Could not prepare the job's work folder: ${message(err)}`);
    } finally {
      if (owner) await chownTree(workdir, owner.uid, owner.gid).catch(() => {});
    }
  }

  /** Rootless Podman maps the forge's uid straight through (keep-id); rootless Docker's uid 0 is the forge's own user outside. */
  private jobUser(engine: Engine): { uid: number; gid: number } {
    if (engine.rootless && this.name === 'docker' && !this.opts.user) return { uid: 0, gid: 0 };
    return this.user;
  }

  /** The real path to mount; refuses anything that would expose the host or the forge. */
  private async checkWorkdir(dir: string, socketPath: string): Promise<string> {
    if (!path.isAbsolute(dir)) throw new Error(`The work folder must be an absolute path (got ${dir}).`);
    const st = await lstat(dir).catch(() => null);
    if (!st || !st.isDirectory()) throw new Error(`The work folder ${dir} is not a directory.`);
    const real = await realpath(dir);
    if (real === '/') throw new Error('Refusing to mount / into a job.');
    for (const p of [...(this.opts.protectedPaths ?? []), socketPath]) {
      const rp = await realpath(p).catch(() => path.resolve(p));
      if (isInside(rp, real)) throw new Error(`Refusing to mount ${real} into a job: it contains ${rp}.`);
    }
    return real;
  }

  private async createSpec(
    engine: Engine,
    spec: Pick<RunSpec, 'id' | 'image' | 'command' | 'env' | 'limits' | 'role'>,
    workdir: string,
    user: { uid: number; gid: number },
    tty: { cols: number; rows: number } | null = null,
  ): Promise<Docker.ContainerCreateOptions> {
    const { limits } = spec;
    const role = spec.role ?? 'ci';
    const env = { HOME: '/tmp', ...spec.env };
    for (const k of Object.keys(env)) if (!k || k.includes('=') || k.includes('\0')) throw new Error(`Invalid environment variable name ${JSON.stringify(k)}.`);
    // unique even when two forges share one engine (their job ids both start at 1)
    const base = spec.id.startsWith('gitssy-') ? spec.id : `gitssy-${role}-${spec.id}`;
    const name = `${base.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 100)}-${randomBytes(4).toString('hex')}`;
    const labels: Record<string, string> = { [`gitssy.${role}`]: '1', 'gitssy.run': spec.id };
    if (this.opts.instance) labels['gitssy.instance'] = this.opts.instance;
    return {
      name,
      Image: spec.image!,
      // the command is the whole argv: an image's ENTRYPOINT must not wrap it ([""] clears it on
      // both engines, as `--entrypoint ""` does; Podman reads [] as "the image's")
      Entrypoint: [''],
      Cmd: spec.command,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: '/workspace',
      User: `${user.uid}:${user.gid}`,
      Labels: labels,
      Hostname: `gitssy-${role}`,
      // a shell is one pty the user types into (kept open across attaches); a job has no input
      Tty: !!tty,
      OpenStdin: !!tty,
      StdinOnce: false,
      AttachStdin: !!tty,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        Mounts: [{ Type: 'bind', Source: workdir, Target: '/workspace', ReadOnly: false }],
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${Math.max(1, Math.floor(limits.diskMb))}m,mode=1777` },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Privileged: false,
        // none: only a loopback of its own. lan and open both get the engine's default bridge (NAT
        // out through the host): the engine can't tell the LAN from the internet, so keeping a
        // `lan` job off the internet needs a host firewall rule. Either way the host's loopback
        // (the internal hook endpoint listens there) is not the container's.
        NetworkMode: limits.network === 'none' ? 'none' : 'bridge',
        // the forge itself, for a shell's git remote (it listens on the LAN, so on the bridge's gateway too)
        ...(limits.network !== 'none' ? { ExtraHosts: ['host.docker.internal:host-gateway'] } : {}),
        IpcMode: 'private',
        ...(this.name === 'podman' && engine.rootless ? { UsernsMode: 'keep-id' } : {}),
        ...this.resourceLimits(engine.limits, limits),
        Ulimits: await this.ulimits(engine.limits, limits, user.uid),
        // if the machine runs out of memory, the job goes before the forge
        OomScoreAdj: 500,
        AutoRemove: false,
        RestartPolicy: { Name: 'no' },
      },
    };
  }

  private resourceLimits(can: EngineLimits, limits: RunLimits): Docker.HostConfig {
    const out: Docker.HostConfig = {};
    if (can.memory) {
      out.Memory = Math.floor(limits.memoryMb * MiB);
      // no swap beyond the memory limit, where the engine can say so
      if (can.swap) out.MemorySwap = out.Memory;
    }
    if (can.cpu) out.NanoCpus = Math.round(limits.cpus * 1e9);
    if (can.pids) out.PidsLimit = limits.pids;
    return out;
  }

  /** Always explicit (Podman fails to start a container when its default nofile exceeds the host's hard limit). */
  private async ulimits(can: EngineLimits, limits: RunLimits, uid: number): Promise<{ Name: string; Soft: number; Hard: number }[]> {
    const nofile = Math.min(65536, await ownHardLimit('Max open files'));
    // RLIMIT_NPROC counts every thread of the uid on the host, so the job's budget goes on top of
    // what already runs as it. It is the process limit where the engine has no pids cgroup, and a
    // loose backstop where it has one (other jobs of the same uid count against it too).
    const budget = can.pids ? Math.max(limits.pids * 4, 4096) : limits.pids;
    const nprocHost = Math.min(await ownHardLimit('Max processes'), budget + (await threadsOf(uid)));
    const fsize = Math.floor(limits.diskMb * MiB);
    const out = [
      { Name: 'nofile', Soft: nofile, Hard: nofile },
      { Name: 'nproc', Soft: nprocHost, Hard: nprocHost },
      { Name: 'fsize', Soft: fsize, Hard: fsize },
      { Name: 'core', Soft: 0, Hard: 0 },
    ];
    // without a memory cgroup the next best thing is a cap on each process's data segment
    if (!can.memory) out.push({ Name: 'data', Soft: Math.floor(limits.memoryMb * MiB), Hard: Math.floor(limits.memoryMb * MiB) });
    return out;
  }

  private async runContainer(engine: Engine, spec: RunSpec, workdir: string, user: { uid: number; gid: number }): Promise<RunResult> {
    const { client } = engine;
    const fail = (error: string): RunResult => ({ exitCode: null, timedOut: false, cancelled: false, error });

    let options: Docker.ContainerCreateOptions;
    try {
      options = await this.createSpec(engine, spec, workdir, user);
    } catch (err) {
      return fail(message(err));
    }
    let container: Docker.Container;
    try {
      container = await withTimeout(client.createContainer(options), API_TIMEOUT_MS, this.label);
    } catch (err) {
      return fail(`${this.label} could not create the job's container: ${message(err)}`);
    }

    let timedOut = false;
    let cancelled = false;
    let diskExceeded = false;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let watcher: NodeJS.Timeout | undefined;
    let killing: Promise<unknown> | null = null;
    const kill = () => (killing ??= container.kill({ signal: 'SIGKILL' }).catch(() => {}));
    const onAbort = () => {
      cancelled = true;
      void kill();
    };

    try {
      const stream = await withTimeout(container.attach({ stream: true, stdout: true, stderr: true, logs: true }), API_TIMEOUT_MS, this.label);
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          try {
            spec.onOutput(chunk);
          } catch {
            // ignore a failing consumer
          }
          cb();
        },
      });
      client.modem.demuxStream(stream, sink, sink);
      const ended = new Promise<void>((resolve) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', () => resolve());
      });

      if (spec.signal.aborted) return { exitCode: null, timedOut: false, cancelled: true };
      spec.signal.addEventListener('abort', onAbort, { once: true });

      const baseline = await diskUsage(workdir);
      const diskCap = baseline + spec.limits.diskMb * MiB;
      try {
        await withTimeout(container.start(), API_TIMEOUT_MS, this.label);
      } catch (err) {
        if (cancelled) return { exitCode: null, timedOut: false, cancelled: true };
        return fail(`${this.label} could not start the job: ${message(err)}`);
      }
      // cancelled while it was starting: the kill may have come before there was a process
      if (cancelled) await container.kill({ signal: 'SIGKILL' }).catch(() => {});
      timer = setTimeout(
        () => {
          timedOut = true;
          void kill();
        },
        Math.max(1, spec.limits.timeoutSec) * 1000,
      );
      // The workspace is a host folder the engine can't size-limit: watch what the job adds to it
      // (fsize already stops any one file past the limit).
      const watch = (delay: number) => {
        watcher = setTimeout(() => {
          const t0 = Date.now();
          void diskUsage(workdir, diskCap).then((used) => {
            if (stopped || killing) return;
            if (used > diskCap) {
              diskExceeded = true;
              void kill();
              return;
            }
            // a big checkout takes a while to walk: look less often, never more than a tenth of the time
            watch(Math.max(2000, (Date.now() - t0) * 10));
          });
        }, delay);
      };
      watch(1000);

      const waited = (await container.wait()) as { StatusCode?: number };
      stopped = true;
      await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]);
      (stream as unknown as { destroy(): void }).destroy();

      if (cancelled) return { exitCode: null, timedOut: false, cancelled: true };
      if (timedOut) return { exitCode: null, timedOut: true, cancelled: false };
      const result: RunResult = { exitCode: typeof waited.StatusCode === 'number' ? waited.StatusCode : null, timedOut: false, cancelled: false };
      if (diskExceeded) result.reason = `the job wrote more than its disk limit (${spec.limits.diskMb} MiB) into /workspace and was stopped`;
      else {
        const state = ((await container.inspect().catch(() => null)) as { State?: { OOMKilled?: boolean } } | null)?.State;
        if (state?.OOMKilled) result.reason = `the job ran out of memory (limit ${spec.limits.memoryMb} MiB) and was killed`;
      }
      return result;
    } catch (err) {
      if (cancelled) return { exitCode: null, timedOut: false, cancelled: true };
      return fail(`${this.label} failed while running the job: ${message(err)}`);
    } finally {
      clearTimeout(timer);
      stopped = true;
      clearTimeout(watcher);
      spec.signal.removeEventListener('abort', onAbort);
      await this.remove(container);
    }
  }

  /**
   * A dev shell: one container whose main process is the shell, on a pty (Tty) with stdin held
   * open, attached before it starts so no output is missed. The same isolation and limits as a
   * job; the run-time limit, the disk watch and the memory report work as for a job.
   */
  async openTerminal(spec: TerminalSpec): Promise<Terminal> {
    if (!spec.image) throw new Error('No image is set for dev shells: choose one in the console (shells.image, or the CI default image).');
    const engine = await this.connect();
    const workdir = await this.checkWorkdir(spec.workdir, engine.socketPath);
    try {
      await withTimeout(engine.client.getImage(spec.image).inspect(), API_TIMEOUT_MS, this.label);
    } catch (err) {
      if (statusCode(err) === 404)
        throw new Error(`The image "${spec.image}" is not on this ${this.label} engine, and no registry is assumed reachable: load or import it on the engine first (docker load / docker import).`);
      throw new Error(`${this.label} could not inspect the image "${spec.image}": ${message(err)}`);
    }
    const user = this.jobUser(engine);
    // the clone is thrown away with the shell: hand it over for good
    if (process.getuid?.() === 0 && !engine.rootless) await chownTree(workdir, user.uid, user.gid);
    const options = await this.createSpec(engine, { ...spec, role: 'shell' }, workdir, user, { cols: spec.cols, rows: spec.rows });
    const container = await withTimeout(engine.client.createContainer(options), API_TIMEOUT_MS, this.label);
    let stream: NodeJS.ReadWriteStream;
    try {
      stream = (await withTimeout(container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }), API_TIMEOUT_MS, this.label)) as NodeJS.ReadWriteStream;
      await withTimeout(container.start(), API_TIMEOUT_MS, this.label);
      await container.resize({ h: spec.rows, w: spec.cols }).catch(() => {});
    } catch (err) {
      await this.remove(container);
      throw new Error(`${this.label} could not start the shell: ${message(err)}`);
    }
    return new ContainerTerminal(container, stream, workdir, spec, () => this.remove(container));
  }

  private async remove(container: Docker.Container): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await withTimeout(container.remove({ force: true, v: true }), API_TIMEOUT_MS, this.label);
        return;
      } catch (err) {
        if (statusCode(err) === 404) return;
        await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      }
    }
  }
}

function describeEnforcement(can: EngineLimits, warnings: string[]): string {
  const by = [can.memory && 'memory', can.pids && 'processes', can.cpu && 'CPU'].filter(Boolean) as string[];
  const parts: string[] = [];
  if (by.length === 3) parts.push('The engine enforces the memory, process and CPU limits.');
  else {
    parts.push(by.length ? `The engine enforces the ${by.join(' and ')} limits only.` : 'The engine can enforce no resource limits here (no cgroup controllers).');
    const fallback = [!can.memory && 'memory by a per-process data-size ulimit', !can.pids && 'processes by the nproc ulimit'].filter(Boolean);
    if (fallback.length) parts.push(`Falling back to ${fallback.join(', ')}.`);
    if (!can.cpu) parts.push('CPU use is not limited.');
  }
  parts.push('Disk: /tmp is a size-capped tmpfs, files are capped by the fsize ulimit and the workspace is watched; the root filesystem is read-only.');
  if (warnings.length) parts.push(`Engine warnings: ${warnings.join(' ')}`);
  return parts.join(' ');
}

/** CPU share since the previous sample, from the engine's one-shot stats (cgroup numbers: absent without controllers). */
function cpuPercent(st: {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
}): number | null {
  const cpu = st.cpu_stats?.cpu_usage?.total_usage;
  const pre = st.precpu_stats?.cpu_usage?.total_usage;
  const sys = st.cpu_stats?.system_cpu_usage;
  const preSys = st.precpu_stats?.system_cpu_usage;
  if (cpu === undefined || pre === undefined || !sys || !preSys || sys <= preSys) return null;
  return Math.round(((cpu - pre) / (sys - preSys)) * (st.cpu_stats?.online_cpus ?? 1) * 1000) / 10;
}

class ContainerTerminal implements Terminal {
  readonly exited: Promise<RunResult>;
  private readonly listeners: ((text: string) => void)[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private cancelled = false;
  private timedOut = false;
  private diskExceeded = false;
  private killing: Promise<unknown> | null = null;

  constructor(
    private readonly container: Docker.Container,
    private readonly stream: NodeJS.ReadWriteStream,
    workdir: string,
    spec: TerminalSpec,
    remove: () => Promise<void>,
  ) {
    stream.on('data', (c: Buffer) => {
      const text = this.decoder.write(c);
      if (text) for (const fn of this.listeners) fn(text);
    });
    stream.on('error', () => {});
    const timer = setTimeout(
      () => {
        this.timedOut = true;
        this.stop();
      },
      Math.max(1, spec.limits.timeoutSec) * 1000,
    );
    let watcher: NodeJS.Timeout | undefined;
    let done = false;
    const cap = spec.limits.diskMb * MiB;
    void diskUsage(workdir).then((baseline) => {
      const watch = (delay: number) => {
        watcher = setTimeout(() => {
          const t0 = Date.now();
          void diskUsage(workdir, baseline + cap).then((used) => {
            if (done || this.killing) return;
            if (used > baseline + cap) {
              this.diskExceeded = true;
              this.stop();
              return;
            }
            watch(Math.max(2000, (Date.now() - t0) * 10));
          });
        }, delay);
      };
      if (!done) watch(1000);
    });
    this.exited = (async (): Promise<RunResult> => {
      try {
        const waited = (await container.wait()) as { StatusCode?: number };
        done = true;
        const rest = this.decoder.end();
        if (rest) for (const fn of this.listeners) fn(rest);
        if (this.cancelled) return { exitCode: null, timedOut: false, cancelled: true };
        if (this.timedOut) return { exitCode: null, timedOut: true, cancelled: false };
        const result: RunResult = { exitCode: typeof waited.StatusCode === 'number' ? waited.StatusCode : null, timedOut: false, cancelled: false };
        if (this.diskExceeded) result.reason = `it wrote more than its disk limit (${spec.limits.diskMb} MiB) into /workspace`;
        else {
          const state = ((await container.inspect().catch(() => null)) as { State?: { OOMKilled?: boolean } } | null)?.State;
          if (state?.OOMKilled) result.reason = `it ran out of memory (limit ${spec.limits.memoryMb} MiB)`;
        }
        return result;
      } catch (err) {
        if (this.cancelled) return { exitCode: null, timedOut: false, cancelled: true };
        return { exitCode: null, timedOut: false, cancelled: false, error: `the engine failed while the shell ran: ${message(err)}` };
      } finally {
        done = true;
        clearTimeout(timer);
        clearTimeout(watcher);
        (stream as unknown as { destroy(): void }).destroy();
        await remove();
      }
    })();
  }

  private stop(): void {
    this.killing ??= this.container.kill({ signal: 'SIGKILL' }).catch(() => {});
  }

  write(data: string): void {
    this.stream.write(data);
  }

  resize(cols: number, rows: number): void {
    void this.container.resize({ h: rows, w: cols }).catch(() => {});
  }

  onData(fn: (text: string) => void): void {
    this.listeners.push(fn);
  }

  kill(): void {
    this.cancelled = true;
    this.stop();
  }

  async usage(): Promise<Usage> {
    try {
      const st = (await withTimeout(this.container.stats({ stream: false }), 10_000, 'the engine')) as Parameters<typeof cpuPercent>[0] & { memory_stats?: { usage?: number } };
      const mem = st.memory_stats?.usage;
      return { cpuPercent: cpuPercent(st), memoryBytes: typeof mem === 'number' && mem > 0 ? mem : null };
    } catch {
      return { cpuPercent: null, memoryBytes: null };
    }
  }
}
