// The git:// daemon: read-only, public repositories only, upload-pack only. It reads the one
// request line (`git-upload-pack /path\0host=…\0` plus `\0version=2\0`-style extras), answers
// anything else with an ERR packet, caps connections and drops idle clients.
import net from 'node:net';
import { ANONYMOUS } from '../access/index.js';
import { spawnGit } from '../git/command.js';
import { errPkt } from '../git/pkt-line.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { listen } from '../lib/net.js';
import { parseGitRepoPath } from '../ssh/index.js';
import '../wiki/index.js';
import { TrustedNetworks } from '../ops/index.js';
import { CloneLimit } from '../git/clone-limit.js';

const REQUEST_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_S = 60;

export interface DaemonRequest {
  service: string;
  path: string;
  host: string | null;
  version: string | null;
}

/** Parses the payload of the first pkt-line a git:// client sends. */
export function parseDaemonRequest(payload: Buffer): DaemonRequest | null {
  const text = payload.toString('latin1');
  const nul = text.indexOf('\0');
  const head = (nul < 0 ? text : text.slice(0, nul)).replace(/\n$/, '');
  const sp = head.indexOf(' ');
  if (sp <= 0) return null;
  const service = head.slice(0, sp);
  const path = head.slice(sp + 1);
  let host: string | null = null;
  let version: string | null = null;
  if (nul >= 0) {
    // host=<h>\0, then optionally \0 and extra parameters each ending in \0
    for (const part of text.slice(nul + 1).split('\0')) {
      if (part.startsWith('host=')) host = part.slice(5);
      else if (/^version=[0-9]$/.test(part)) version = part;
    }
  }
  return { service, path, host, version };
}

export class GitDaemon {
  private server: net.Server | null = null;
  private active = 0;
  port: number | null = null;

  constructor(
    private readonly s: Services,
    private readonly log: Logger,
    private readonly maxConnections = 64,
  ) {}

  async start(port: number, host: string): Promise<number> {
    const server = net.createServer((socket) => this.onConnection(socket));
    server.maxConnections = this.maxConnections;
    this.port = await listen(server, port, host);
    this.server = server;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(socket: net.Socket): void {
    this.active++;
    socket.once('close', () => this.active--);
    socket.on('error', () => {});
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let raw = Buffer.alloc(0);
    const refuse = (message: string) => {
      socket.off('data', onData);
      socket.end(errPkt(message));
    };
    // read exactly the request packet; whatever follows it belongs to upload-pack
    const onData = (chunk: Buffer) => {
      raw = Buffer.concat([raw, chunk]);
      if (raw.length < 4) return;
      const head = raw.subarray(0, 4).toString('latin1');
      const len = /^[0-9a-f]{4}$/i.test(head) ? parseInt(head, 16) : -1;
      if (len < 5) return refuse('malformed request');
      if (raw.length < len) {
        if (raw.length > 4096) refuse('request line too long');
        return;
      }
      socket.off('data', onData);
      socket.pause();
      // the request is in; waiting for a pack slot is not idling
      socket.setTimeout(0);
      const req = parseDaemonRequest(raw.subarray(4, len));
      if (!req) return refuse('malformed request');
      this.serve(socket, req, raw.subarray(len)).catch((err) => {
        this.log.error({ err }, 'git daemon request failed');
        refuse('internal error');
      });
    };
    socket.on('data', onData);
  }

  private async serve(socket: net.Socket, req: DaemonRequest, rest: Buffer): Promise<void> {
    // trusted IP ranges and the transport switch are checked per request: console changes apply at once
    if (!this.s.trusted.allows(socket.remoteAddress)) {
      socket.end(errPkt(TrustedNetworks.refusal(socket.remoteAddress)));
      return;
    }
    if (!this.s.settings.get('transports.git')) {
      socket.end(errPkt('git:// is switched off on this server; clone over HTTP or SSH instead'));
      return;
    }
    if (req.service !== 'git-upload-pack') {
      socket.end(errPkt(`service not enabled: ${req.service.slice(0, 40)}; git:// is read-only, push over SSH or HTTP`));
      return;
    }
    const ref = parseGitRepoPath(req.path);
    const notFound = () => {
      socket.end(errPkt(`repository not found: ${req.path.slice(0, 200)}`));
    };
    if (!ref) return notFound();
    const rec = await this.s.repos.find(ref.owner, ref.name);
    // anonymous, public only: the same answer for private and missing
    if (!rec || !(await this.s.access.can(ANONYMOUS, 'read', { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as 'public' }))) return notFound();
    const leave = this.s.limits.enterGitSession(socket.remoteAddress, null);
    if (!leave) {
      socket.end(errPkt('too many git operations running from your address; try again when some have finished'));
      return;
    }
    socket.once('close', leave);
    // a public repository's wiki is as public as its code
    if (ref.wiki && !(await this.s.wiki.exists(rec))) {
      socket.end(errPkt(`${rec.owner.name}/${rec.repo.name}: the wiki has no pages yet`));
      return;
    }
    const dir = ref.wiki ? this.s.wiki.dir(rec) : this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
    const gone = new AbortController();
    socket.once('close', () => gone.abort());
    let release: () => void;
    try {
      release = await this.s.packLimiter.acquire(gone.signal);
    } catch {
      return;
    }
    const g = spawnGit(this.s.git, ['upload-pack', '--strict', `--timeout=${IDLE_TIMEOUT_S}`, dir], {
      env: req.version ? { GIT_PROTOCOL: req.version } : {},
      timeoutMs: this.s.config.gitTimeoutSec * 1000,
    });
    socket.setTimeout(IDLE_TIMEOUT_S * 1000, () => g.kill('timeout'));
    if (rest.length) g.child.stdin!.write(rest);
    socket.pipe(g.child.stdin!);
    socket.resume();
    const maxClone = this.s.settings.get('git.maxCloneBytes');
    (maxClone > 0 ? g.child.stdout!.pipe(new CloneLimit(maxClone, () => g.kill('aborted'))) : g.child.stdout!).pipe(socket);
    socket.once('close', () => g.kill('aborted'));
    g.child.once('close', () => {
      release();
      socket.end();
    });
  }
}
