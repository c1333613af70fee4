// The embedded SSH server (ssh2): public-key authentication only, git over SSH through the one
// git runner and the one access check, and the command shell for everything else.
import ssh2 from 'ssh2';
import type { Connection, PublicKeyAuthContext, ServerChannel } from 'ssh2';
import type { Actor } from '../access/index.js';
import { spawnGit } from '../git/command.js';
import { randomHex } from '../lib/crypto.js';
import { isAppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { Services } from '../services.js';
import { listen } from '../lib/net.js';
import type { UserRow } from '../db/schema.js';
import { toActorUser } from '../users/index.js';
import { fingerprintOf } from '../keys/index.js';
import '../wiki/index.js';
import { CommandLineError, parseGitCommand, parseGitRepoPath, splitCommandLine, type GitSshService } from './command-line.js';
import { runShellCommand } from './shell.js';
import { CloneLimit } from '../git/clone-limit.js';
import { PushLimitNotice } from '../git/push-limit.js';
import { ReportStatusHold } from '../git/report-status.js';
import { acknowledgesEarly, limitSendAhead } from './send-window.js';

const AUTH_TIMEOUT_MS = 30_000;
const IDLE_CONNECTION_MS = 60_000;
/** upload-pack gives up on a client that sends nothing for this long (git's --timeout). */
const GIT_IDLE_TIMEOUT_S = 600;

/** The client's stdin until EOF, or the first `maxBytes` of it (the caller refuses longer input). */
function readInput(channel: ServerChannel, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      channel.off('data', onData);
      channel.off('end', done);
      channel.off('close', done);
      resolve(Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'));
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size >= maxBytes) done();
    };
    channel.on('data', onData);
    channel.once('end', done);
    channel.once('close', done);
  });
}

interface SessionState {
  user: UserRow | null;
  keyId: number | null;
  ip: string;
  /** The client's software from its identification line (`OpenSSH_9.2p1`). */
  software: string | null;
}

export class SshServer {
  private server: ssh2.Server | null = null;
  private readonly connections = new Set<Connection>();
  port: number | null = null;

  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  async start(port: number, host: string): Promise<number> {
    const server = new ssh2.Server({ hostKeys: [this.s.hostKey.privateKey], ident: 'Gitssy', keepaliveInterval: 30_000, keepaliveCountMax: 4 }, (client, info) =>
      this.onConnection(client, info.ip, info.header?.versions?.software ?? null),
    );
    server.on('error', (err: Error) => this.log.warn({ err }, 'ssh server error'));
    this.port = await listen(server as unknown as Parameters<typeof listen>[0], port, host);
    this.server = server;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      setTimeout(() => {
        for (const c of this.connections) c.end();
      }, 5_000).unref();
    });
  }

  private onConnection(client: Connection, ip: string, software: string | null): void {
    // outside the trusted IP ranges: hang up before the handshake (SSH has no way to say why)
    if (!this.s.trusted.allows(ip)) {
      this.log.info({ ip }, 'ssh connection refused: address outside the trusted IP ranges');
      client.on('error', () => {});
      client.end();
      return;
    }
    this.connections.add(client);
    const state: SessionState = { user: null, keyId: null, ip, software };
    let attempted = false;
    const authTimer = setTimeout(() => client.end(), AUTH_TIMEOUT_MS);
    client.on('error', (err: Error) => this.log.debug({ err, ip }, 'ssh connection error'));
    client.on('close', () => {
      clearTimeout(authTimer);
      this.connections.delete(client);
      // a connection that tried keys and never got in counts as one failed authentication
      if (attempted && !state.user) void this.s.limits.authFailed(ip).catch((err: unknown) => this.log.warn({ err, ip }, 'could not count a failed ssh authentication'));
    });
    client.on('authentication', (ctx) => {
      if (ctx.method === 'none') {
        // the probe every client starts with: no credentials, nothing to count or refuse yet
        return void this.s.limits.assertMayAuthenticate(ip).then(
          () => ctx.reject(['publickey']),
          () => ctx.reject([]),
        );
      }
      attempted = true;
      this.s.limits
        .assertMayAuthenticate(ip)
        .then(
          () => (ctx.method === 'publickey' ? this.authenticate(ctx, state) : ctx.reject(['publickey'])),
          () => ctx.reject([]),
        )
        .catch((err: unknown) => {
          this.log.error({ err }, 'ssh authentication failed');
          ctx.reject(['publickey']);
        });
    });
    client.on('ready', () => {
      clearTimeout(authTimer);
      // an authenticated connection with no session open for a while is closed
      let open = 0;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        idle = setTimeout(() => client.end(), IDLE_CONNECTION_MS);
        idle.unref();
      };
      armIdle();
      client.on('close', () => clearTimeout(idle));
      client.on('session', (accept) => {
        const session = accept();
        open++;
        clearTimeout(idle);
        session.once('close', () => {
          if (--open === 0) armIdle();
        });
        this.onSession(session, state);
      });
    });
  }

  /**
   * A key offered without a signature is only a question ("would this key do?"); the
   * session's identity is set only by a key whose signature verifies.
   */
  private async authenticate(ctx: PublicKeyAuthContext, state: SessionState): Promise<void> {
    const fingerprint = fingerprintOf(ctx.key.data);
    const row = await this.s.keys.byFingerprint(fingerprint);
    if (!row) return ctx.reject(['publickey']);
    const parsed = ssh2.utils.parseKey(row.content);
    if (parsed instanceof Error || Array.isArray(parsed) || !parsed.getPublicSSH().equals(ctx.key.data)) return ctx.reject(['publickey']);
    if (!ctx.signature || !ctx.blob) return ctx.accept();
    if (parsed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
    const user = await this.s.users.byId(row.user_id);
    if (!user || this.s.users.loginProblem(user)) return ctx.reject(['publickey']);
    state.user = user;
    state.keyId = row.id;
    void this.s.keys.touch(row.id);
    ctx.accept();
  }

  private onSession(session: ssh2.Session, state: SessionState): void {
    let protocol: string | null = null;
    session.on('env', (accept, reject, info) => {
      // only GIT_PROTOCOL, and only a version; every other variable is ignored
      if (info.key === 'GIT_PROTOCOL' && /^version=[0-9]$/.test(info.val)) {
        protocol = info.val;
        accept?.();
      } else reject?.();
    });
    session.on('pty', (accept) => accept?.());
    session.on('shell', (accept) => {
      const channel = accept();
      const name = state.user?.name ?? 'there';
      channel.stderr.write(`Hi ${name}! You've authenticated, but Gitssy does not provide shell access.\r\nTry: ssh -p ${this.port} git@<host> help\r\n`);
      channel.exit(1);
      channel.end();
    });
    session.on('subsystem', (_accept, reject) => reject());
    session.on('exec', (accept, _reject, info) => {
      const channel = accept();
      this.exec(channel, info.command, state, protocol).catch((err) => {
        this.log.error({ err }, 'ssh exec failed');
        this.fail(channel, 'internal error; the server log has the details', 1);
      });
    });
  }

  private fail(channel: ServerChannel, message: string, code: number): void {
    channel.stderr.write(`Gitssy: ${message}\n`);
    channel.exit(code);
    channel.end();
  }

  private actor(state: SessionState): Actor {
    if (!state.user) return { kind: 'anonymous' };
    return { kind: 'user', user: toActorUser(state.user), scopes: null, via: 'ssh' };
  }

  private async exec(channel: ServerChannel, command: string, state: SessionState, protocol: string | null): Promise<void> {
    if (!state.user) return this.fail(channel, 'not authenticated', 1);
    if (!this.s.settings.get('transports.ssh')) return this.fail(channel, 'SSH access is switched off on this server; use HTTP instead (ask the administrator for the address)', 1);
    let words: string[];
    let git: { service: GitSshService; path: string } | null;
    try {
      words = splitCommandLine(command);
      git = parseGitCommand(words);
    } catch (err) {
      if (err instanceof CommandLineError) return this.fail(channel, err.message, 2);
      throw err;
    }
    if (git) return this.serveGit(channel, git.service, git.path, state, protocol);
    const code = await runShellCommand(this.s, { actor: this.actor(state), user: state.user, ip: state.ip, sshPort: this.port }, words, {
      out: (text) => channel.write(text),
      err: (text) => channel.stderr.write(text),
      input: (maxBytes) => readInput(channel, maxBytes),
    });
    channel.exit(code);
    channel.end();
  }

  private async serveGit(channel: ServerChannel, service: GitSshService, rawPath: string, state: SessionState, protocol: string | null): Promise<void> {
    const ref = parseGitRepoPath(rawPath);
    // a path we can't parse and a repository the user can't read get the same answer
    if (!ref) return this.fail(channel, `repository '${rawPath.slice(0, 200)}' not found`, 128);
    const action = service === 'receive-pack' ? 'write' : 'read';
    let rec;
    try {
      rec = await this.s.repos.resolve(this.actor(state), ref.owner, ref.name, action);
    } catch (err) {
      if (!isAppError(err)) throw err;
      if (err.code === 'forbidden') return this.fail(channel, `you may read ${ref.owner}/${ref.name} but not push to it`, 128);
      return this.fail(channel, `repository '${ref.owner}/${ref.name}' not found`, 128);
    }
    const env: Record<string, string> = {};
    if (protocol) env.GIT_PROTOCOL = protocol;
    if (service === 'receive-pack') {
      Object.assign(env, this.s.hookEnv({ wiki: ref.wiki }));
      env.GITSSY_REPO_ID = String(rec.repo.id);
      env.GITSSY_PUSHER_ID = String(state.user!.id);
      env.GITSSY_PUSHER_NAME = state.user!.name;
      env.GITSSY_TRANSPORT = 'ssh';
      env.GITSSY_PUSH_ID = randomHex(8);
      if (ref.wiki) env.GITSSY_WIKI = '1';
    }
    let dir = this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
    if (ref.wiki) {
      // a writer's first push makes the wiki (as its first page would); a reader finds none yet
      if (service === 'receive-pack') dir = await this.s.wiki.ensure(rec);
      else if (await this.s.wiki.exists(rec)) dir = this.s.wiki.dir(rec);
      else return this.fail(channel, `${rec.owner.name}/${rec.repo.name}: the wiki has no pages yet`, 128);
    }
    const leave = this.s.limits.enterGitSession(state.ip, state.user!.id);
    if (!leave) return this.fail(channel, 'too many git operations running for you or your address; try again when some have finished', 1);
    channel.once('close', leave);
    let release = () => {};
    if (service !== 'receive-pack') {
      const gone = new AbortController();
      const onClose = () => gone.abort();
      channel.once('close', onClose);
      try {
        release = await this.s.packLimiter.acquire(gone.signal);
      } catch {
        return;
      } finally {
        channel.off('close', onClose);
      }
    }
    const maxPush = service === 'receive-pack' ? this.s.settings.get('git.maxPushBytes') : 0;
    const args = service === 'upload-pack' ? ['upload-pack', `--timeout=${GIT_IDLE_TIMEOUT_S}`, dir] : maxPush > 0 ? ['-c', `receive.maxInputSize=${maxPush}`, service, dir] : [service, dir];
    const g = spawnGit(this.s.git, args, { env, timeoutMs: this.s.config.gitTimeoutSec * 1000 });
    g.child.once('close', release);
    const pushDone = service === 'receive-pack' ? this.s.pushTracker.start(env.GITSSY_PUSH_ID) : null;
    channel.pipe(g.child.stdin!);
    if (acknowledgesEarly(state.software) && !limitSendAhead(channel, this.s.settings.get('ssh.sendAheadKiB') * 1024)) {
      this.log.warn('ssh2 keeps no outgoing window on the channel: clones go out a whole client window ahead');
    }
    const maxClone = service === 'upload-pack' ? this.s.settings.get('git.maxCloneBytes') : 0;
    // clones stop at the size limit; a push over the cap is refused by git, in our words; a
    // push's report waits until the push is recorded
    const hold = service === 'receive-pack' ? g.child.stdout!.pipe(new ReportStatusHold({ advertisement: true })) : null;
    const stdout = maxClone > 0 ? g.child.stdout!.pipe(new CloneLimit(maxClone, () => g.kill('aborted'))) : hold && maxPush > 0 ? hold.pipe(new PushLimitNotice(maxPush)) : (hold ?? g.child.stdout!);
    stdout.pipe(channel, { end: false });
    g.child.stderr!.pipe(channel.stderr, { end: false });
    channel.on('close', () => g.kill('aborted'));
    g.child.once('error', () => this.fail(channel, 'could not start git', 1));
    // the output may pass through a transform: wait for its end as well as git's exit
    const outputDone = new Promise<void>((resolve) => {
      stdout.once('end', resolve);
      stdout.once('close', resolve);
    });
    g.child.once('close', (code) => {
      // let queued output reach the client before the exit status and EOF
      const finish = () => {
        channel.exit(code ?? 1);
        channel.end();
      };
      // a push is recorded before its report goes out
      const recorded = hold ? this.s.completePush(env.GITSSY_PUSH_ID!, hold.okRefs()).finally(() => hold.release()) : Promise.resolve();
      void recorded
        .then(() => outputDone)
        .then(() => {
          pushDone?.();
          if (channel.writableNeedDrain) channel.once('drain', finish);
          else finish();
        });
    });
  }
}
