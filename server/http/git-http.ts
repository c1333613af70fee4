// Git smart HTTP (protocol v0, v1 and v2): info/refs, git-upload-pack and git-receive-pack,
// streamed both ways through the one git runner with backpressure. The request body goes
// straight (gunzipped if need be) into git's stdin and git's stdout straight into the
// response; nothing holds a whole pack in memory.
import type { NextFunction, Request, Response } from 'express';
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ANONYMOUS, type Actor } from '../access/index.js';
import { spawnGit } from '../git/command.js';
import { encodePkt, FLUSH, PktLineParser } from '../git/pkt-line.js';
import { CloneLimit } from '../git/clone-limit.js';
import { PushLimitNotice } from '../git/push-limit.js';
import { ReportStatusHold } from '../git/report-status.js';
import { MAX_LS_REFS_REQUEST, V2Answers, isLsRefs } from '../git/v2-answers.js';
import { randomHex } from '../lib/crypto.js';
import { AppError, isAppError } from '../lib/errors.js';
import { REPO_NAME_RE, OWNER_NAME_RE } from '../lib/names.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import '../wiki/index.js';
import { sshUrl } from './api/json.js';
import { actorFromCredentials, parseAuthorization } from './auth.js';

export type GitService = 'upload-pack' | 'receive-pack';
// `/<owner>/<repo>[.git]/…`, and the seed shell's `/u/<user>/…` and `/g/<org>/…` spellings
const ROUTE_RE = /^\/(?:[ug]\/)?([^/]+)\/([^/]+)\/(info\/refs|git-upload-pack|git-receive-pack)$/;
/** Most negotiation bodies are tiny; this only stops abuse. */
const MAX_UPLOAD_REQUEST_BYTES = 256 * 1024 * 1024;

export interface GitRoute {
  owner: string;
  repo: string;
  /** `/<owner>/<repo>.wiki[.git]/…`: the repository's wiki (repository names never end in .wiki). */
  wiki: boolean;
  endpoint: 'info/refs' | 'git-upload-pack' | 'git-receive-pack';
}

/** Parses `/<owner>/<repo>[.wiki][.git]/<endpoint>`; null when the path is no git route at all. */
export function parseGitRoute(path: string): GitRoute | null | 'invalid' {
  const m = ROUTE_RE.exec(path);
  if (!m) return null;
  let owner: string;
  let repo: string;
  try {
    owner = decodeURIComponent(m[1]!);
    repo = decodeURIComponent(m[2]!);
  } catch {
    return 'invalid';
  }
  if (repo.toLowerCase().endsWith('.git')) repo = repo.slice(0, -4);
  const wiki = repo.toLowerCase().endsWith('.wiki');
  if (wiki) repo = repo.slice(0, -5);
  if (!OWNER_NAME_RE.test(owner) || !REPO_NAME_RE.test(repo) || /\.git$/i.test(repo)) return 'invalid';
  return { owner, repo, wiki, endpoint: m[3] as GitRoute['endpoint'] };
}

/** `Git-Protocol: version=2` (possibly among other `key=value` parts); anything else is v0. */
export function gitProtocolFrom(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || header.length > 256) return null;
  const parts = header.split(':');
  return parts.includes('version=2') ? 'version=2' : parts.includes('version=1') ? 'version=1' : null;
}

function sendText(res: Response, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(status)
    .set({ 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', ...extra })
    .send(message.endsWith('\n') ? message : `${message}\n`);
}

/**
 * Checks that an upload-pack request is whole pkt-lines: git v2 treats input that ends inside
 * its first packet as a hang-up and exits quietly, which must not pass for a good answer.
 */
class PktFraming extends Transform {
  private readonly parser = new PktLineParser();
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    try {
      this.parser.push(chunk);
    } catch (err) {
      cb(new AppError('invalid', `malformed request: ${(err as Error).message}`, { status: 400 }));
      return;
    }
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    if (this.seen === 0) cb(new AppError('invalid', 'empty request', { status: 400 }));
    else if (this.parser.pending > 0) cb(new AppError('invalid', 'request ends in the middle of a pkt-line', { status: 400 }));
    else cb();
  }
}

/** Counts bytes flowing through and fails the stream once a limit is passed. */
class ByteLimit extends Transform {
  seen = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.limit > 0 && this.seen > this.limit) {
      cb(new AppError('too_large', `${this.what} exceeds the limit of ${this.limit} bytes`));
      return;
    }
    cb(null, chunk);
  }
}

/** The body's size when the client said it up front (git sends small pushes with a length, big ones chunked). */
function declaredLength(req: Request): number | null {
  const raw = req.headers['content-length'];
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || req.headers['content-encoding']) return null;
  return Number(raw);
}

/** What a git client hears when the operator switched git over HTTP off. */
function httpGitOffMessage(s: Services, req: Request, route: GitRoute): string {
  // the address teammates use (instance.publicUrl, GITSSY_BASE_URL), else the one this request came to
  const url = s.settings.get('transports.ssh') ? sshUrl(s, req, `${route.owner}/${route.repo}${route.wiki ? '.wiki' : ''}.git`) : '';
  const hint = url ? `clone over SSH instead: ${url}` : 'ask the administrator how to reach it';
  return `git over HTTP is switched off on this server; ${hint}`;
}

export function gitHttpHandler(s: Services) {
  const v2 = new V2Answers(s.git);
  return async (req: Request, res: Response, next: NextFunction) => {
    const route = parseGitRoute(req.path);
    if (route === null) return next();
    res.setHeader('Cache-Control', 'no-cache, max-age=0, must-revalidate');
    if (route === 'invalid') return sendText(res, 404, 'repository not found');
    if (!s.settings.get('transports.http')) return sendText(res, 403, httpGitOffMessage(s, req, route));

    let service: GitService;
    if (route.endpoint === 'info/refs') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', { Allow: 'GET' });
      const q = req.query.service;
      if (q !== 'git-upload-pack' && q !== 'git-receive-pack') {
        return sendText(res, 403, 'only the smart HTTP protocol is supported: ask for ?service=git-upload-pack or ?service=git-receive-pack');
      }
      service = q.slice(4) as GitService;
    } else {
      if (req.method !== 'POST') return sendText(res, 405, 'method not allowed', { Allow: 'POST' });
      service = route.endpoint.slice(4) as GitService;
      const ctype = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (ctype !== `application/x-git-${service}-request`) {
        return sendText(res, 415, `expected Content-Type application/x-git-${service}-request`);
      }
    }

    // Who is asking, and may they?
    let actor: Actor = ANONYMOUS;
    let rec: RepoRecord;
    try {
      const cred = parseAuthorization(req.headers.authorization);
      if (cred) actor = (await actorFromCredentials(s, cred, req.ip ?? null, { repoBound: true, git: true })).actor;
      rec = await s.repos.resolve(actor, route.owner, route.repo, service === 'receive-pack' ? 'write' : 'read');
    } catch (err) {
      if (!isAppError(err)) throw err;
      // Anonymous callers are asked for credentials whenever they are refused, so a private
      // repository and a missing one look the same; bad credentials say what was wrong.
      if (err.code === 'unauthorized' || (actor.kind === 'anonymous' && err.code === 'not_found')) {
        return sendText(res, 401, err.code === 'unauthorized' ? err.message : 'authentication required', { 'WWW-Authenticate': 'Basic realm="Gitssy", charset="UTF-8"' });
      }
      return sendText(res, err.status, err.code === 'not_found' ? 'repository not found' : err.message);
    }

    let dir = s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
    if (route.wiki) {
      // a writer's first push makes the wiki (as its first page would); a reader finds none yet
      if (service === 'receive-pack') dir = await s.wiki.ensure(rec);
      else if (await s.wiki.exists(rec)) dir = s.wiki.dir(rec);
      else return sendText(res, 404, `${rec.owner.name}/${rec.repo.name}: the wiki has no pages yet`);
    }
    const protocol = gitProtocolFrom(req.headers['git-protocol']);
    const env: Record<string, string> = {};
    if (protocol) env.GIT_PROTOCOL = protocol;
    if (actor.kind === 'user') {
      env.GITSSY_PUSHER_ID = String(actor.user.id);
      env.GITSSY_PUSHER_NAME = actor.user.name;
    }
    if (service === 'receive-pack') {
      Object.assign(env, s.hookEnv({ wiki: route.wiki }));
      env.GITSSY_REPO_ID = String(rec.repo.id);
      env.GITSSY_TRANSPORT = 'http';
      env.GITSSY_PUSH_ID = randomHex(8);
      if (route.wiki) env.GITSSY_WIKI = '1';
    }

    if (route.endpoint === 'info/refs') {
      // protocol v2's opening is git's capability list, the same while git and its config are
      if (service === 'upload-pack' && protocol === 'version=2') {
        const kept = v2.capabilities(dir);
        if (kept.bytes) {
          res.status(200).set('Content-Type', 'application/x-git-upload-pack-advertisement').end(kept.bytes);
          return;
        }
        if (kept.key) return advertise(s, req, res, service, dir, env, protocol, (bytes) => v2.rememberCapabilities(dir, kept.key!, bytes));
      }
      return advertise(s, req, res, service, dir, env, protocol);
    }
    const leave = s.limits.enterGitSession(req.ip, actor.kind === 'user' ? actor.user.id : null);
    if (!leave) return sendText(res, 429, 'too many git operations running for you or your address; try again when some have finished', { 'Retry-After': '10' });
    res.once('close', leave);
    return serviceRpc(s, req, res, service, dir, env, v2);
  };
}

/**
 * Streams git's stdout into the response, but only once the first byte arrives, so a git that
 * fails before saying anything can still be answered with a proper error status.
 */
function streamWhenOutput(out: NodeJS.ReadableStream, res: Response, onStart: () => void): { started(): boolean } {
  let started = false;
  out.once('data', (chunk: Buffer) => {
    started = true;
    out.pause();
    onStart();
    res.write(chunk);
    pipeline(out, res, () => {});
  });
  return { started: () => started };
}

/** Answers info/refs with git's advertisement; `keep` gets the whole output of a git that succeeded. */
function advertise(s: Services, req: Request, res: Response, service: GitService, dir: string, env: Record<string, string>, protocol: string | null, keep?: (bytes: Buffer) => void): void {
  const git = spawnGit(s.git, [service, '--stateless-rpc', '--advertise-refs', dir], { env, timeoutMs: 60_000 });
  res.on('close', () => git.kill('aborted'));
  let stderr = '';
  git.child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 8192) stderr += c.toString();
  });
  if (keep) {
    const chunks: Buffer[] = [];
    let size = 0;
    git.child.stdout!.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    git.child.once('close', (code) => {
      if (code === 0 && size <= 64 * 1024) keep(Buffer.concat(chunks));
    });
  }
  const start = () => {
    res.status(200).set('Content-Type', `application/x-git-${service}-advertisement`);
    // v0/v1 clients expect the service announcement first; v2 gets git's output as is.
    if (protocol !== 'version=2') {
      res.write(encodePkt(`# service=git-${service}\n`));
      res.write(FLUSH);
    }
  };
  const out = streamWhenOutput(git.child.stdout!, res, start);
  git.child.once('close', (code) => {
    if (out.started()) return;
    if (code !== 0) {
      (req.log ?? s.log).warn({ service, code, stderr: stderr.trim() }, 'git advertise-refs failed');
      sendText(res, 500, 'the repository could not be read; an administrator can run `gitssy doctor`');
    } else {
      start();
      res.end();
    }
  });
}

/** The whole body of a request that declared a small length (git sends ls-refs so), else null. */
async function smallBody(req: Request, max: number): Promise<Buffer | null> {
  const n = declaredLength(req);
  if (n === null || n > max) return null;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function serviceRpc(s: Services, req: Request, res: Response, service: GitService, dir: string, env: Record<string, string>, v2: V2Answers): Promise<void> {
  const maxPush = s.settings.get('git.maxPushBytes');
  const args = service === 'receive-pack' && maxPush > 0 ? ['-c', `receive.maxInputSize=${maxPush}`, service, '--stateless-rpc', dir] : [service, '--stateless-rpc', dir];
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase().trim();
  if (encoding !== '' && encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    return sendText(res, 415, `unsupported Content-Encoding "${encoding}"`);
  }
  // v2's ls-refs: git's answer from before while the refs, the config and the request are the same
  let body: Buffer | null = null;
  let keep: ((bytes: Buffer) => void) | null = null;
  if (service === 'upload-pack' && env.GIT_PROTOCOL === 'version=2') {
    try {
      body = await smallBody(req, MAX_LS_REFS_REQUEST);
    } catch {
      return sendText(res, 400, 'request body ended early');
    }
    if (body && isLsRefs(body)) {
      const kept = await v2.lsRefs(dir, body, env);
      if (kept.bytes) {
        res.status(200).set('Content-Type', 'application/x-git-upload-pack-result').end(kept.bytes);
        return;
      }
      if (kept.key) keep = (bytes) => void v2.rememberLsRefs(dir, kept.key!, bytes);
    }
  }
  // git's probe before a large push (a lone flush packet: do the credentials work?): receive-pack
  // would read it and answer nothing, so nothing is started for it
  if (service === 'receive-pack' && encoding !== 'gzip' && encoding !== 'x-gzip' && declaredLength(req) === FLUSH.length) {
    try {
      body = await smallBody(req, FLUSH.length);
    } catch {
      return sendText(res, 400, 'request body ended early');
    }
    if (body?.equals(FLUSH)) {
      res.status(200).set('Content-Type', 'application/x-git-receive-pack-result').end();
      return;
    }
  }
  // clones and fetches wait for a pack slot; a client that gives up leaves the queue
  let release = () => {};
  if (service === 'upload-pack') {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    try {
      release = await s.packLimiter.acquire(gone.signal);
    } catch {
      return;
    } finally {
      res.off('close', onClose);
    }
  }
  const git = spawnGit(s.git, args, { env, timeoutMs: s.config.gitTimeoutSec * 1000 });
  git.child.once('close', release);
  const pushDone = service === 'receive-pack' ? s.pushTracker.start(env.GITSSY_PUSH_ID) : null;
  const log = req.log ?? s.log;

  let stderr = '';
  git.child.stderr!.on('data', (c: Buffer) => {
    if (stderr.length < 8192) stderr += c.toString();
  });
  let failure: AppError | null = null;
  const fail = (err: AppError) => {
    failure ??= err;
    git.kill('aborted');
  };

  // request body -> (gunzip) -> byte limit -> git stdin
  const stages: NodeJS.ReadWriteStream[] = [];
  if (encoding === 'gzip' || encoding === 'x-gzip') stages.push(createGunzip());
  // A pack can't be larger than the push limit; leave room for the ref-update commands.
  const limit = service === 'receive-pack' ? (maxPush > 0 ? maxPush + 16 * 1024 * 1024 : 0) : MAX_UPLOAD_REQUEST_BYTES;
  stages.push(new ByteLimit(limit, service === 'receive-pack' ? 'push' : 'request'));
  if (service === 'upload-pack') stages.push(new PktFraming());
  // pipeline() detaches the socket from a request it tears down; keep it to close it ourselves
  const socket = req.socket;
  pipeline([body ? Readable.from([body]) : req, ...stages, git.child.stdin!] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (err) => {
    if (!err) return;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (isAppError(err)) fail(err);
    else if (code.startsWith('Z_')) fail(new AppError('invalid', 'request body is not valid gzip', { status: 400 }));
    else if (code !== 'EPIPE') fail(new AppError('invalid', 'request body ended early', { status: 400 }));
  });
  res.on('close', () => {
    if (!res.writableFinished) git.kill('aborted');
  });

  // clones and fetches stop at the size limit with a message git prints; a push over the cap
  // is refused by git, in words the pusher gets from us
  const maxClone = service === 'upload-pack' ? s.settings.get('git.maxCloneBytes') : 0;
  // a push's report waits until the push is recorded
  const hold = service === 'receive-pack' ? git.child.stdout!.pipe(new ReportStatusHold()) : null;
  const stdout =
    maxClone > 0
      ? git.child.stdout!.pipe(new CloneLimit(maxClone, () => git.kill('aborted')))
      : hold && maxPush > 0
        ? hold.pipe(new PushLimitNotice(maxPush, declaredLength(req)))
        : (hold ?? git.child.stdout!);
  const out = streamWhenOutput(stdout, res, () => {
    res.status(200).set('Content-Type', `application/x-git-${service}-result`);
  });
  if (keep) {
    const chunks: Buffer[] = [];
    let size = 0;
    git.child.stdout!.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    git.child.once('close', (code) => {
      if (code === 0 && !git.killedFor() && !failure && size <= 1024 * 1024) keep(Buffer.concat(chunks));
    });
  }

  git.child.once('close', (code) => {
    if (!hold) return finish(code);
    // git has exited: record the push, then let its report (and the end of the response) go
    void s
      .completePush(env.GITSSY_PUSH_ID!, hold.okRefs())
      .finally(() => hold.release())
      .then(() => finished(stdout, { writable: false }))
      .catch(() => {})
      .finally(() => {
        pushDone!();
        finish(code);
      });
  });
  const finish = (code: number | null) => {
    const killed = git.killedFor();
    // git stopped before reading the whole body (a refused or oversized push): nobody will read
    // the rest, so close the connection once the answer is out instead of leaving the client
    // stuck writing into a paused socket
    if (!req.complete) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
      if (res.writableFinished) socket?.destroy();
      else res.once('finish', () => socket?.destroy());
    }
    if (failure) {
      log.info({ service, reason: failure.message }, 'git request refused');
      if (!out.started()) sendText(res, failure.status, failure.message);
      else res.destroy();
      return;
    }
    if (killed === 'timeout') log.warn({ service, stderr: stderr.trim() }, 'git request timed out');
    if (!out.started()) {
      if (code !== 0 && !killed) {
        log.info({ service, code, stderr: stderr.trim() }, 'git service failed');
        const reason =
          stderr
            .trim()
            .split('\n')
            .filter(Boolean)
            .pop()
            ?.replace(/^fatal: /, '') ?? 'unknown error';
        sendText(res, 400, `git ${service} failed: ${reason}`);
      } else if (!killed) {
        res.status(200).set('Content-Type', `application/x-git-${service}-result`).end();
      }
    }
  };
}
