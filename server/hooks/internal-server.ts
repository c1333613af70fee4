// The internal endpoint the git hooks (and the local CLI) call: loopback only, on its own
// port, and every call must carry this boot's secret (compared in constant time).
// pre-receive asks the push policy and leaves the updates it allowed here, under the push's id;
// the transport that ran receive-pack calls completePush() when git has exited, with the refs
// git's report said it updated, and the push event is recorded then, before the client reads
// the report (one hook process per push, not two). The CLI flips maintenance mode in the
// running server. The port and secret are also written to <data>/run/internal.json (mode
// 0600) for the CLI: whoever can read the data dir owns the instance anyway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../lib/net.js';
import path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import type { MaintenanceService } from '../maintenance/index.js';
import type { WriteBarrier } from '../backup/index.js';
import { ZERO_SHA, type RefUpdate } from '../git/ref-update.js';
import type { GitEnv } from '../git/command.js';
import { readAllRefs } from '../git/ref-files.js';
import { constantTimeEqual, randomHex } from '../lib/crypto.js';
import type { Logger } from '../lib/log.js';
import type { PushPolicy, PushRecorder, PushTransport } from '../pushes/index.js';
import type { PushTracker } from '../maintenance/index.js';
import type { RepoService } from '../repos/index.js';
import type { UserService } from '../users/index.js';
import type { RepoStore } from '../git/repo-store.js';

const MAX_BODY = 16 * 1024 * 1024;
const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const TRANSPORTS = new Set<PushTransport>(['http', 'ssh', 'web']);
const PUSH_ID_RE = /^[0-9a-f]{8,64}$/;
/** A push whose receive-pack never finished (its transport gone) is forgotten after this long. */
const PENDING_TTL_MS = 24 * 60 * 60 * 1000;

/** What pre-receive allowed, waiting for receive-pack to finish. */
interface PendingPush {
  repoId: number;
  ref: { owner: string; name: string };
  wiki: boolean;
  repoDir: string;
  pusherId: number | null;
  transport: PushTransport;
  updates: RefUpdate[];
  at: number;
}

export function parseRefUpdates(body: string): RefUpdate[] | null {
  const updates: RefUpdate[] = [];
  for (const line of body.split('\n')) {
    if (!line) continue;
    const [oldSha, newSha, ref, extra] = line.split(' ');
    if (!oldSha || !newSha || !ref || extra !== undefined || !SHA_RE.test(oldSha) || !SHA_RE.test(newSha) || !ref.startsWith('refs/')) return null;
    updates.push({ ref, oldSha, newSha });
  }
  return updates;
}

export interface HookDeps {
  repos: RepoService;
  users: UserService;
  store: RepoStore;
  git: GitEnv;
  policy: PushPolicy;
  recorder: PushRecorder;
  /** Knows when the push a hook belongs to has answered its client (GITSSY_PUSH_ID). */
  tracker: Pick<PushTracker, 'afterPush'>;
  maintenance: MaintenanceService;
  /** Held by a backup while it captures refs: pre-receive waits behind it. */
  barrier: WriteBarrier;
  /** Runs a backup in this process, reporting progress lines and structured progress (for the CLI). */
  backup(
    out: string | undefined,
    progress: (line: string) => void,
    onProgress: (p: { phase: string; done: number; total: number; bytes: number }) => void,
    opts: { includeCiLogs?: boolean },
  ): Promise<unknown>;
  /** <data>/run, where internal.json goes */
  runDir: string;
  log: Logger;
}

export class HookServer {
  private server: Server | null = null;
  private port = 0;
  private readonly secret = randomHex(32);
  private readonly pending = new Map<string, PendingPush>();

  constructor(private readonly deps: HookDeps) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        this.deps.log.error({ err }, 'hook endpoint failed');
        this.reply(res, 500, ['Gitssy: internal error while checking the push; the server log has the details.']);
      });
    });
    this.port = await listen(this.server, 0, '127.0.0.1');
    await writeFile(this.infoFile(), JSON.stringify({ port: this.port, secret: this.secret, pid: process.pid }) + '\n', { mode: 0o600 });
  }

  private infoFile(): string {
    return path.join(this.deps.runDir, 'internal.json');
  }

  async stop(): Promise<void> {
    const srv = this.server;
    this.server = null;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    await rm(this.infoFile(), { force: true });
  }

  /** What receive-pack's environment needs so our hooks can reach us. */
  env(): Record<string, string> {
    if (!this.port) return {};
    return { GITSSY_INTERNAL_PORT: String(this.port), GITSSY_INTERNAL_SECRET: this.secret };
  }

  private async maintenance(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 4096) return this.reply(res, 413, ['too large']);
    }
    let input: { enabled?: unknown; message?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return this.reply(res, 400, ['malformed']);
    }
    if (typeof input.enabled !== 'boolean' || (input.message !== undefined && typeof input.message !== 'string')) return this.reply(res, 400, ['malformed']);
    const change = await this.deps.maintenance.set(input.enabled, input.message as string | undefined);
    const json = JSON.stringify(change);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json), Connection: 'close' });
    res.end(json);
  }

  /**
   * Streams the backup's progress as text lines (structured progress as `@progress {json}`
   * lines); the last line is the JSON result or `error: …`.
   */
  private async backup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) {
      body += chunk;
      if (body.length > 8192) return this.reply(res, 413, ['too large']);
    }
    let out: string | undefined;
    let includeCiLogs = false;
    try {
      const parsed = JSON.parse(body || '{}') as { out?: unknown; include_ci_logs?: unknown };
      if (parsed.out !== undefined && typeof parsed.out !== 'string') throw new Error();
      if (parsed.include_ci_logs !== undefined && typeof parsed.include_ci_logs !== 'boolean') throw new Error();
      out = parsed.out as string | undefined;
      includeCiLogs = parsed.include_ci_logs === true;
    } catch {
      return this.reply(res, 400, ['malformed']);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    try {
      const result = await this.deps.backup(
        out,
        (line) => res.write(`${line}\n`),
        (p) => res.write(`@progress ${JSON.stringify(p)}\n`),
        { includeCiLogs },
      );
      res.end(`${JSON.stringify(result)}\n`);
    } catch (err) {
      res.end(`error: ${(err as Error).message}\n`);
    }
  }

  private reply(res: ServerResponse, status: number, lines: string[]): void {
    const body = lines.map((l) => `${l}\n`).join('');
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const secret = req.headers['x-gitssy-secret'];
    if (typeof secret !== 'string' || !constantTimeEqual(secret, this.secret)) return this.reply(res, 403, ['Gitssy: push refused: bad internal credentials']);
    if (req.method === 'POST' && req.url === '/internal/maintenance') return this.maintenance(req, res);
    if (req.method === 'POST' && req.url === '/internal/backup') return this.backup(req, res);
    if (req.method !== 'POST' || req.url !== '/hooks/pre-receive') return this.reply(res, 404, ['Gitssy: unknown hook']);

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return this.reply(res, 413, ['Gitssy: push refused: too many ref updates in one push']);
      chunks.push(chunk as Buffer);
    }
    const updates = parseRefUpdates(Buffer.concat(chunks).toString('utf8'));
    const repoId = Number(req.headers['x-gitssy-repo']);
    const pusherHeader = String(req.headers['x-gitssy-pusher'] ?? '');
    const pusherId = /^\d+$/.test(pusherHeader) ? Number(pusherHeader) : null;
    const transport = String(req.headers['x-gitssy-transport'] ?? '') as PushTransport;
    if (!updates || !Number.isInteger(repoId) || repoId <= 0 || !TRANSPORTS.has(transport)) return this.reply(res, 400, ['Gitssy: push refused: malformed hook request']);

    const rec = await this.deps.repos.byId(repoId);
    if (!rec) return this.reply(res, 404, ['Gitssy: push refused: the repository no longer exists']);
    const ref = { owner: rec.owner.name, name: rec.repo.name };
    // the repository's wiki runs the same hooks; only the folder and the event differ
    const wiki = req.headers['x-gitssy-wiki'] === '1';
    const repoDir = wiki ? this.deps.store.wikiDir(ref) : this.deps.store.dir(ref);

    await this.deps.barrier.wait();
    const q = String(req.headers['x-gitssy-quarantine'] ?? '');
    // the quarantine is a folder git made inside this repository's objects; nothing else
    const quarantine = q && path.resolve(q).startsWith(path.join(repoDir, 'objects') + path.sep) ? path.resolve(q) : null;
    const pusher = pusherId ? await this.deps.users.byId(pusherId) : undefined;
    const refusals = await this.deps.policy.check({ repoId, repoDir, repoSize: rec.repo.size, isSiteAdmin: pusher?.is_admin === 1, updates, quarantine, wiki });
    if (refusals.length) {
      this.deps.log.info({ repo: `${ref.owner}/${ref.name}${wiki ? '.wiki' : ''}`, refusals }, 'push refused by policy');
      return this.reply(
        res,
        403,
        refusals.map((r) => `Gitssy: ${r.message}`),
      );
    }
    const pushId = String(req.headers['x-gitssy-push'] ?? '');
    if (PUSH_ID_RE.test(pushId)) {
      this.forgetStale();
      this.pending.set(pushId, { repoId, ref, wiki, repoDir, pusherId, transport, updates, at: Date.now() });
    }
    return this.reply(res, 200, []);
  }

  /**
   * Records the push `pushId` once its receive-pack has exited, before the transport lets the
   * report through: the updates pre-receive allowed that git's report says landed (`ok`), or,
   * when no report went by, those whose ref on disk now holds the pushed value. Its
   * subscribers start when the push has answered its client (the push tracker). Nothing to do
   * for a push pre-receive refused or never saw. Failing to record is logged, and the next
   * start's reconciliation records the push then.
   */
  async completePush(pushId: string, landed: Set<string> | null): Promise<void> {
    const p = this.pending.get(pushId);
    if (!p) return;
    this.pending.delete(pushId);
    try {
      let changed: RefUpdate[];
      if (landed) changed = p.updates.filter((u) => landed.has(u.ref));
      else {
        const onDisk = await readAllRefs(this.deps.git, p.repoDir);
        changed = p.updates.filter((u) => (onDisk.get(u.ref) ?? ZERO_SHA) === u.newSha);
      }
      changed = changed.filter((u) => u.oldSha !== u.newSha);
      if (changed.length === 0) return;
      if (p.wiki) await this.deps.recorder.recordWiki(p.repoId, p.repoDir, p.pusherId, p.transport, changed, { kick: false });
      else await this.deps.recorder.record(p.repoId, p.ref, p.pusherId, p.transport, changed, { kick: false });
      this.deps.tracker.afterPush(pushId, () => this.deps.recorder.kick());
    } catch (err) {
      this.deps.log.error({ err, repo: `${p.ref.owner}/${p.ref.name}${p.wiki ? '.wiki' : ''}` }, 'a push landed but could not be recorded; the next start records it');
    }
  }

  private forgetStale(): void {
    const cutoff = Date.now() - PENDING_TTL_MS;
    for (const [id, p] of this.pending) {
      if (p.at >= cutoff) break;
      this.pending.delete(id);
    }
  }
}
