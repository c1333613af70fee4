// Dev shells: a fresh environment on the CI backend (Docker, Podman or the host sandbox) with the
// repository cloned at a branch, a pty the owner types into from the browser, and the limits the
// operator set. The shell's git credentials are an access token bound to that one repository
// that expires with the shell, so `git push` from inside reaches this forge and nothing else.
//
// A shell lives in this process: its terminal, its scrollback (bounded, replayed to a browser
// that attaches or comes back after a network blip) and its idle clock. It never outlives the
// server: at start, rows a previous process left "running" are marked stopped, their tokens
// deleted, their work folders and containers removed.
import { runGit, userArg } from '../git/command.js';
import { Forbidden, Invalid, NotFound, Unavailable } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { RepoRecord } from '../repos/index.js';
import { DockerRuntime, type BackendName, type RunResult, type Runtime, type Terminal, type Usage, type Workspaces } from '../runtime/index.js';
import type { Services } from '../services.js';
import type { UserRow } from '../db/schema.js';
import { resolveLimits, runLimits, type ResolvedLimits, type ShellLimits } from './limits.js';
import { LIVE_STATES, type ShellRow, type ShellState } from './schema.js';

/** Characters of output kept per shell for a browser that attaches later. */
export const SCROLLBACK_CHARS = 256 * 1024;
/** The warning comes this long before an idle shell stops. */
const IDLE_WARNING_MS = 60_000;
const IDLE_CHECK_MS = 5_000;
/** Keystrokes or a paste in one message, at most. */
export const MAX_INPUT_CHARS = 64 * 1024;

/** The hook billing plugs into: whether a user may start a shell, and the minutes each one ran. */
export interface ShellBilling {
  /** null: may start; otherwise a sentence on why not (no credits left). */
  mayStart(userId: number): Promise<string | null>;
  /** Called once when a shell that ran stops. */
  charge(userId: number, shellId: number, minutes: number): Promise<void>;
}

export interface Replay {
  data: string;
  end: number;
  replay: 'full' | 'tail';
}

/** What a shell's owner sees change: the row's state (shell.state) and its output and end (shell:output, shell:exit). */
export interface ShellSink {
  output(shellId: number, data: string, end: number): void;
  exit(shellId: number, code: number | null, reason: string | null): void;
  state(row: ShellRow): void;
}

class Live {
  readonly chunks: string[] = [];
  kept = 0;
  /** Characters output since the start. */
  end = 0;
  lastInput = Date.now();
  warned = false;
  terminal: Terminal | null = null;
  /** Set once a stop was asked for (by whom, or which limit): the reason it ends with. */
  stopReason: string | null = null;
  constructor(readonly row: ShellRow) {}

  append(text: string): void {
    this.chunks.push(text);
    this.kept += text.length;
    this.end += text.length;
    while (this.kept > SCROLLBACK_CHARS && this.chunks.length > 1) this.kept -= this.chunks.shift()!.length;
  }

  replay(since: number | undefined): Replay {
    const start = this.end - this.kept;
    const all = this.chunks.join('');
    if (since !== undefined && since >= start && since <= this.end) return { data: all.slice(since - start), end: this.end, replay: 'tail' };
    return { data: all, end: this.end, replay: 'full' };
  }
}

export class ShellService {
  private readonly live = new Map<number, Live>();
  private billing: ShellBilling | null = null;
  private sink: ShellSink | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    private readonly s: Services,
    private readonly workspaces: Workspaces,
    private readonly log: Logger,
  ) {}

  /** Billing's one hook (none: shells are free). */
  setBilling(b: ShellBilling | null): void {
    this.billing = b;
  }

  setSink(sink: ShellSink | null): void {
    this.sink = sink;
  }

  /** What a new shell on this repository would get, for the start dialog. */
  async preview(user: UserRow, rec: RepoRecord): Promise<{ resolved: ResolvedLimits; backend: BackendName | null; reason: string; running: number; runningTotal: number }> {
    const [resolved, choice, running, runningTotal] = await Promise.all([
      resolveLimits(this.s.db, this.s.settings, user.id, rec.repo.owner_id),
      this.s.runtime.backend(),
      this.count(user.id),
      this.count(null),
    ]);
    return { resolved, backend: choice.active?.name ?? null, reason: choice.reason, running, runningTotal };
  }

  private async count(userId: number | null): Promise<number> {
    let q = this.s.db
      .selectFrom('shells')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', [...LIVE_STATES]);
    if (userId !== null) q = q.where('user_id', '=', userId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** Starts a shell (201 at once, state `starting`); the clone and the container follow. */
  async start(user: UserRow, rec: RepoRecord, branchInput: string | undefined): Promise<ShellRow> {
    if (this.stopping) throw Unavailable('the server is stopping');
    const branch = branchInput ?? rec.repo.default_branch;
    if (!branch || branch.length > 255 || branch.startsWith('-') || /[\0\s~^:?*[\\]|\.\.|@\{|\/\/|\.lock$|^\/|\/$/.test(branch)) throw Invalid(`"${branch}" is not a valid branch name`);
    const bare = this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
    const tip = await runGit(this.s.git, ['--git-dir', userArg(bare), 'rev-parse', '--verify', '-q', userArg(`refs/heads/${branch}^{commit}`)], { timeoutMs: 30_000 }).catch(() => null);
    if (!tip) throw Invalid(`branch "${branch}" does not exist in ${rec.owner.name}/${rec.repo.name}`);
    const choice = await this.s.runtime.backend();
    if (!choice.active) throw Unavailable(`dev shells can't start: ${choice.reason}`);
    const runtime = choice.active;
    const image = runtime.name === 'sandbox' ? null : this.s.settings.get('shells.image') || this.s.settings.get('ci.defaultImage');
    if (runtime.name !== 'sandbox' && !image) throw Unavailable('dev shells need an image: set shells.image (or the CI default image) in the console');
    const resolved = await resolveLimits(this.s.db, this.s.settings, user.id, rec.repo.owner_id);
    const refused = await this.billing?.mayStart(user.id);
    if (refused) throw Forbidden(refused);
    // the seat check and the insert, one start at a time, so two requests can't both take the last seat
    // the seats are counted for the whole forge: one start at a time, across the instances
    const row = await this.s.locks.run('shell-seats', async () => {
      const maxTotal = this.s.settings.get('shells.maxTotal');
      if (maxTotal === 0 || resolved.maxShells === 0) throw Forbidden('dev shells are switched off for you on this server');
      const mine = await this.count(user.id);
      if (mine >= resolved.maxShells) throw Forbidden(`you already run ${mine} dev shell${mine === 1 ? '' : 's'} (the limit is ${resolved.maxShells}): stop one first`);
      const all = await this.count(null);
      if (all >= maxTotal) throw Forbidden(`the server already runs ${all} dev shells, its limit: try again when one stops`);
      return this.s.db
        .insertInto('shells')
        .values({
          user_id: user.id,
          repo_id: rec.repo.id,
          branch,
          state: 'starting',
          backend: runtime.name,
          image,
          limits: JSON.stringify(resolved.limits),
          reason: null,
          exit_code: null,
          token_id: null,
          created_at: Date.now(),
          started_at: null,
          stopped_at: null,
          instance: this.s.shared.instance,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    const live = new Live(row);
    this.live.set(row.id, live);
    this.sink?.state(row);
    void this.launch(live, user, rec, resolved.limits, runtime).catch((err: unknown) => this.log.error({ err, shell: row.id }, 'shells: launch failed'));
    return row;
  }

  /** The git remote as seen from inside: the sandbox shares the host's network, a container reaches the host through its gateway. */
  private forgeUrl(runtime: Runtime, rec: RepoRecord): string {
    const host = this.s.config.host;
    const port = this.s.httpPort();
    const loopbackOrAny = ['0.0.0.0', '::', '127.0.0.1', '::1', 'localhost', ''].includes(host);
    const h = runtime.name === 'sandbox' ? (loopbackOrAny ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host) : 'host.docker.internal';
    return `http://${h}:${port}/${rec.owner.name}/${rec.repo.name}.git`;
  }

  private async launch(live: Live, user: UserRow, rec: RepoRecord, limits: ShellLimits, runtime: Runtime): Promise<void> {
    const id = live.row.id;
    let workdir: string | null = null;
    let tokenId: number | null = null;
    try {
      workdir = await this.workspaces.create(id);
      const bare = this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
      // through the pack protocol, never hard links: the clone is handed to another uid, and a
      // chown of a hard-linked object would change the bare repository's file too
      await runGit(this.s.git, ['clone', '-q', '--no-local', '--branch', userArg(live.row.branch), '--', userArg(`file://${bare}`), userArg(workdir)], { timeoutMs: 10 * 60_000 });
      const expiresAt = Date.now() + (limits.runtime_minutes + 5) * 60_000;
      const { token, record } = await this.s.users.createToken(user.id, `dev shell ${id}`, ['write:repository'], {}, { repoId: rec.repo.id, expiresAt });
      tokenId = record.id;
      await this.s.db.updateTable('shells').set({ token_id: tokenId }).where('id', '=', id).execute();
      const cfg = async (...args: string[]) => runGit(this.s.git, ['-C', userArg(workdir!), 'config', ...args.map(userArg)], { timeoutMs: 30_000 });
      await cfg('remote.origin.url', this.forgeUrl(runtime, rec).replace('://', `://${encodeURIComponent(user.name)}@`));
      await cfg('user.name', user.full_name || user.name);
      await cfg('user.email', user.email);
      // the token answers git's credential question for this clone only
      await cfg('credential.helper', `!f() { test "$1" = get && printf 'password=%s\\n' ${token}; }; f`);
      await cfg('gitssy.shell', String(id));
      if (live.stopReason) throw new StoppedEarly();
      const terminal = await runtime.openTerminal({
        id: String(id),
        image: live.row.image,
        workdir,
        command: ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash --noprofile --norc -i; fi; exec sh -i'],
        env: { TERM: 'xterm-256color', LANG: 'C.UTF-8', PS1: '\\w \\$ ', GITSSY_SHELL: String(id), GIT_TERMINAL_PROMPT: '0' },
        limits: runLimits(limits),
        cols: 120,
        rows: 32,
      });
      live.terminal = terminal;
      terminal.onData((text) => {
        live.append(text);
        this.sink?.output(id, text, live.end);
      });
      if (live.stopReason) terminal.kill();
      else await this.setState(live, 'running', { started_at: Date.now() });
      const result = await terminal.exited;
      await this.finish(live, result, limits, workdir, tokenId);
    } catch (err) {
      const early = err instanceof StoppedEarly || live.stopReason !== null;
      const message = early ? live.stopReason : `it could not start: ${err instanceof Error ? err.message : String(err)}`;
      await this.end(live, early ? 'stopped' : 'failed', message, null, workdir, tokenId);
    }
  }

  private async finish(live: Live, r: RunResult, limits: ShellLimits, workdir: string, tokenId: number | null): Promise<void> {
    let reason: string;
    if (live.stopReason) reason = live.stopReason;
    else if (r.timedOut) reason = `it reached its run-time limit (${minutes(limits.runtime_minutes)})`;
    else if (r.error) reason = r.error;
    else if (r.reason) reason = r.reason;
    else reason = `the shell exited${r.exitCode !== null ? ` (code ${r.exitCode})` : ''}`;
    await this.end(live, 'stopped', reason, r.exitCode, workdir, tokenId);
  }

  private async end(live: Live, state: ShellState, reason: string | null, code: number | null, workdir: string | null, tokenId: number | null): Promise<void> {
    const id = live.row.id;
    const stoppedAt = Date.now();
    if (tokenId !== null) await this.s.db.deleteFrom('access_tokens').where('id', '=', tokenId).execute();
    await this.setState(live, state, { stopped_at: stoppedAt, reason, exit_code: code, token_id: null });
    this.sink?.exit(id, code, reason);
    this.live.delete(id);
    if (workdir) await this.workspaces.remove(workdir).catch((err: unknown) => this.log.warn({ err, shell: id }, 'shells: could not remove a work folder'));
    const started = live.row.started_at;
    if (this.billing && started !== null) {
      const minutes = Math.max(1, Math.ceil((stoppedAt - started) / 60_000));
      await this.billing.charge(live.row.user_id, id, minutes).catch((err: unknown) => this.log.error({ err, shell: id }, 'shells: billing failed'));
    }
  }

  private async setState(live: Live, state: ShellState, extra: Partial<Pick<ShellRow, 'started_at' | 'stopped_at' | 'reason' | 'exit_code' | 'token_id'>> = {}): Promise<void> {
    const row = await this.s.db
      .updateTable('shells')
      .set({ state, ...extra })
      .where('id', '=', live.row.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) return;
    Object.assign(live.row, row);
    this.sink?.state(row);
  }

  /** Stops a shell (its owner, an administrator, or a limit); answers once it is stopping. */
  async stop(id: number, reason: string): Promise<void> {
    const live = this.live.get(id);
    if (!live) {
      // running on another instance: that one has the terminal
      const row = await this.byId(id);
      if (row && LIVE_STATES.includes(row.state) && row.instance && row.instance !== this.s.shared.instance)
        this.s.shared.announce('shell.stop', JSON.stringify({ id, reason, instance: row.instance }));
      return;
    }
    if (live.stopReason) return;
    live.stopReason = reason;
    if (live.row.state === 'running') await this.setState(live, 'stopping');
    live.terminal?.kill();
  }

  /** A stop another instance announced (stop() there): this instance acts on its own shells only. */
  stopAnnounced(message: string): void {
    let m: { id?: unknown; reason?: unknown; instance?: unknown };
    try {
      m = JSON.parse(message) as typeof m;
    } catch {
      return;
    }
    if (m.instance !== this.s.shared.instance || typeof m.id !== 'number' || typeof m.reason !== 'string' || !this.live.has(m.id)) return;
    void this.stop(m.id, m.reason).catch((err: unknown) => this.log.warn({ err, shell: m.id }, 'shells: could not stop a shell another instance asked to stop'));
  }

  /** A row its owner may see; 404 for anyone else's (even an administrator's: their console has its own list). */
  async own(userId: number, id: number): Promise<ShellRow> {
    const row = await this.s.db.selectFrom('shells').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (!row) throw NotFound('dev shell not found');
    return this.fresh(row);
  }

  async byId(id: number): Promise<ShellRow | undefined> {
    const row = await this.s.db.selectFrom('shells').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.fresh(row);
  }

  /** The in-memory row is ahead of the database only between an update and its write. */
  private fresh(row: ShellRow): ShellRow {
    return this.live.get(row.id)?.row ?? row;
  }

  /** The user's shells, newest first: the live ones and the last few that stopped. */
  async listOwn(userId: number, limit = 30): Promise<ShellRow[]> {
    const rows = await this.s.db.selectFrom('shells').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => this.fresh(r));
  }

  /** Every live shell, for the console. */
  async listLive(): Promise<ShellRow[]> {
    const rows = await this.s.db
      .selectFrom('shells')
      .selectAll()
      .where('state', 'in', [...LIVE_STATES])
      .orderBy('id')
      .execute();
    return rows.map((r) => this.fresh(r));
  }

  async usage(id: number): Promise<Usage> {
    const t = this.live.get(id)?.terminal;
    if (!t) return { cpuPercent: null, memoryBytes: null };
    return t.usage().catch(() => ({ cpuPercent: null, memoryBytes: null }));
  }

  /** Running shells in this process (the tray's count). */
  runningCount(): number {
    let n = 0;
    for (const l of this.live.values()) if (l.row.state === 'running') n++;
    return n;
  }

  // ---- the terminal, for the socket layer --------------------------------------------------

  /** The scrollback from `since` (or all of it), for a socket attaching; null when the shell is not live here. */
  replay(id: number, since: number | undefined): Replay | null {
    return this.live.get(id)?.replay(since) ?? null;
  }

  input(id: number, data: string): boolean {
    const live = this.live.get(id);
    if (!live?.terminal || live.stopReason) return false;
    live.lastInput = Date.now();
    live.warned = false;
    live.terminal.write(data);
    return true;
  }

  resize(id: number, cols: number, rows: number): void {
    this.live.get(id)?.terminal?.resize(cols, rows);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** At server start: nothing of a previous process survives (rows, tokens, folders, containers). */
  async recover(): Promise<void> {
    // this instance's own (and those from before there could be several): another instance's
    // shells keep running there
    const me = this.s.shared.instance;
    const stale = await this.s.db
      .selectFrom('shells')
      .select(['id', 'token_id'])
      .where('state', 'in', [...LIVE_STATES])
      .where((eb) => eb.or([eb('instance', '=', me), eb('instance', 'is', null)]))
      .execute();
    const tokens = stale.map((r) => r.token_id).filter((t): t is number => t !== null);
    if (tokens.length) await this.s.db.deleteFrom('access_tokens').where('id', 'in', tokens).execute();
    if (stale.length)
      await this.s.db
        .updateTable('shells')
        .set({ state: 'stopped', reason: 'the server restarted', stopped_at: Date.now(), token_id: null })
        .where(
          'id',
          'in',
          stale.map((r) => r.id),
        )
        .execute();
    await this.workspaces.clear();
    if (stale.length) this.log.info({ shells: stale.length }, 'shells: marked the previous process’s shells stopped');
  }

  /** Removes containers a crashed process left, on every engine that answers (in the background at start). */
  async removeLeftovers(): Promise<number> {
    let n = 0;
    for (const rt of this.s.runtime.runtimes) {
      if (!(rt instanceof DockerRuntime)) continue;
      if (!(await rt.available()).ok) continue;
      n += await rt.removeLeftovers('shell').catch(() => 0);
    }
    return n;
  }

  startIdleClock(): void {
    this.idleTimer = setInterval(() => this.checkIdle(), IDLE_CHECK_MS);
    this.idleTimer.unref();
  }

  private checkIdle(): void {
    const now = Date.now();
    for (const live of this.live.values()) {
      if (live.row.state !== 'running' || live.stopReason) continue;
      const limits = JSON.parse(live.row.limits) as ShellLimits;
      const idleMs = limits.idle_minutes * 60_000;
      const quiet = now - live.lastInput;
      if (quiet >= idleMs) {
        void this.stop(live.row.id, `it was idle for ${minutes(limits.idle_minutes)}`);
      } else if (!live.warned && quiet >= idleMs - IDLE_WARNING_MS) {
        live.warned = true;
        const secs = Math.max(1, Math.round((idleMs - quiet) / 1000));
        const text = `\r\n\x1b[33mgitssy: this shell has had no input for a while and stops in ${secs} s; type anything to keep it.\x1b[0m\r\n`;
        live.append(text);
        this.sink?.output(live.row.id, text, live.end);
        this.sink?.state(live.row);
      }
    }
  }

  /** When an idle shell stops, for its JSON. */
  idleStopsAt(row: ShellRow): number | null {
    const live = this.live.get(row.id);
    if (!live || row.state !== 'running') return null;
    return live.lastInput + (JSON.parse(row.limits) as ShellLimits).idle_minutes * 60_000;
  }

  /** At server stop: every shell ends (they never outlive the process). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    const all = [...this.live.values()];
    for (const l of all) {
      l.stopReason ??= 'the server stopped';
      l.terminal?.kill();
    }
    // each launch() ends its shell once the terminal is gone; give them a moment
    const deadline = Date.now() + 10_000;
    while (this.live.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}

class StoppedEarly extends Error {}

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;
