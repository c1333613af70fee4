// Helpers the pull request integration tests share: a working clone to make commits in, the
// pull request API calls with their expected statuses, waiting for mergeability, and sockets.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { git, gitOk, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';

export type Who = [string, string];

export interface PullJson {
  id: number;
  number: number;
  state: string;
  title: string;
  body: string;
  body_html: string;
  draft: boolean;
  mergeable: boolean | null;
  mergeable_state: string;
  mergeable_message: string;
  conflicted_files: string[];
  merged: boolean;
  merge_commit_sha: string | null;
  merged_by: { login: string } | null;
  merge_style: string | null;
  html_url: string;
  diff_url: string;
  patch_url: string;
  user: { login: string } | null;
  requested_reviewers: { login: string }[];
  assignees: { login: string }[];
  head: { label: string; ref: string; sha: string; repo_id: number; repo: { full_name: string } | null };
  base: { label: string; ref: string; sha: string; repo_id: number; repo: { full_name: string } };
  merge_base: string;
  additions?: number;
  deletions?: number;
  changed_files?: number;
  comments: number;
  review_comments: number;
}

export interface TimelineEntry {
  id: number;
  type: string;
  body: string;
  body_html: string;
  user: { login: string } | null;
  data: Record<string, unknown>;
}

/** A working clone of `owner/repo` with the server as `origin`, committing as `name`. */
export class Work {
  private constructor(
    readonly dir: string,
    private readonly s: TestServer,
    private readonly ident: { name: string; email: string },
  ) {}

  static async clone(s: TestServer, repo: string, who: Who, ident = { name: who[0], email: `${who[0]}@example.test` }): Promise<Work> {
    const dir = await tempDir('gitssy-work-');
    await gitOk(['clone', '-q', s.gitUrl(`${repo}.git`, who), dir]);
    return new Work(dir, s, ident);
  }

  /** A fresh repository (not cloned) whose origin is `repo`: push its main to seed the server. */
  static async init(s: TestServer, repo: string, who: Who, ident = { name: who[0], email: `${who[0]}@example.test` }): Promise<Work> {
    const dir = await tempDir('gitssy-work-');
    await gitOk(['init', '-q', '-b', 'main', dir]);
    await gitOk(['remote', 'add', 'origin', s.gitUrl(`${repo}.git`, who)], { cwd: dir });
    return new Work(dir, s, ident);
  }

  env(ident = this.ident): Record<string, string> {
    return { GIT_AUTHOR_NAME: ident.name, GIT_AUTHOR_EMAIL: ident.email, GIT_COMMITTER_NAME: ident.name, GIT_COMMITTER_EMAIL: ident.email };
  }

  git(args: string[], env?: Record<string, string>): Promise<string> {
    return gitOk(args, { cwd: this.dir, env: { ...this.env(), ...env } });
  }

  async rev(rev: string): Promise<string> {
    return (await this.git(['rev-parse', rev])).trim();
  }

  /** Writes files (null deletes) and commits them on the current branch; answers the commit. */
  async commit(files: Record<string, string | Buffer | null>, message: string, ident?: { name: string; email: string }): Promise<string> {
    for (const [p, content] of Object.entries(files)) {
      const full = path.join(this.dir, p);
      if (content === null) {
        await this.git(['rm', '-q', '--', p]);
        continue;
      }
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, content);
      await this.git(['add', '--', p]);
    }
    await this.git(['commit', '-q', '--allow-empty', '-m', message], ident ? this.env(ident) : undefined);
    return this.rev('HEAD');
  }

  async checkout(branch: string, from?: string): Promise<void> {
    await this.git(from ? ['checkout', '-q', '-B', branch, from] : ['checkout', '-q', branch]);
  }

  async push(...refspecs: string[]): Promise<void> {
    await this.git(['push', '-q', 'origin', ...refspecs]);
  }

  async pushResult(...refspecs: string[]) {
    return git(['push', '-q', 'origin', ...refspecs], { cwd: this.dir, env: this.env() });
  }

  async fetch(...refspecs: string[]): Promise<void> {
    await this.git(['fetch', '-q', 'origin', ...refspecs]);
  }
}

/** The server's tip of a ref (git ls-remote), or null when it has none. */
export async function remoteRef(s: TestServer, repo: string, ref: string, who?: Who): Promise<string | null> {
  const out = await gitOk(['ls-remote', s.gitUrl(`${repo}.git`, who), ref]);
  const line = out.split('\n').find((l) => l.endsWith(`\t${ref}`));
  return line ? line.split('\t')[0]! : null;
}

/** Every ref the server advertises for a repository. */
export async function remoteRefs(s: TestServer, repo: string, who?: Who): Promise<Map<string, string>> {
  const out = await gitOk(['ls-remote', s.gitUrl(`${repo}.git`, who)]);
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [sha, ref] = l.split('\t');
        return [ref!, sha!] as const;
      }),
  );
}

export class PullsApi {
  constructor(
    private readonly s: TestServer,
    readonly repo: string,
  ) {}

  async call(method: string, p: string, who: Who | undefined, json?: unknown): Promise<Response> {
    return this.s.api(method, `/api/v1/repos/${this.repo}${p}`, { ...(who ? { auth: who } : {}), ...(json !== undefined ? { json } : {}) });
  }

  /** The call, checked for the expected status; answers the parsed JSON body (or null). */
  async expect<T = unknown>(status: number, method: string, p: string, who: Who | undefined, json?: unknown): Promise<T> {
    const res = await this.call(method, p, who, json);
    const text = await res.text();
    expect(res.status, `${method} ${p}: ${text}`).toBe(status);
    return (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as T;
  }

  open(who: Who, body: Record<string, unknown>): Promise<PullJson> {
    return this.expect<PullJson>(201, 'POST', '/pulls', who, body);
  }

  get(n: number, who: Who | undefined): Promise<PullJson> {
    return this.expect<PullJson>(200, 'GET', `/pulls/${n}`, who);
  }

  /** Waits until mergeability is known for the head and base as they are now. */
  async settled(n: number, who: Who, opts: { head?: string; base?: string } = {}): Promise<PullJson> {
    return waitFor(
      async () => {
        const p = await this.get(n, who);
        if (p.mergeable === null || p.mergeable_state === 'checking') return null;
        if (opts.head && p.head.sha !== opts.head) return null;
        if (opts.base && p.base.sha !== opts.base) return null;
        return p;
      },
      20_000,
      100,
    );
  }

  merge(n: number, who: Who, body: Record<string, unknown>): Promise<Response> {
    return this.call('POST', `/pulls/${n}/merge`, who, body);
  }

  async timeline(n: number, who: Who): Promise<{ entries: { kind: string; entry: TimelineEntry }[]; reviews: unknown[]; comments: unknown[] }> {
    return this.expect(200, 'GET', `/pulls/${n}/timeline`, who);
  }

  async entries(n: number, who: Who): Promise<TimelineEntry[]> {
    return (await this.timeline(n, who)).entries.map((e) => e.entry);
  }
}

/** A personal access token made over the API. */
export async function apiToken(s: TestServer, who: Who): Promise<string> {
  const res = await s.api('POST', `/api/v1/users/${who[0]}/tokens`, { auth: who, json: { name: `t-${Math.random().toString(36).slice(2)}`, scopes: ['all'] } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { sha1: string }).sha1;
}

/** A connected socket.io client authenticated with a fresh token of `who`. */
export async function socketFor(s: TestServer, who: Who, open: Socket[]): Promise<Socket> {
  const token = await apiToken(s, who);
  const sock = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token } });
  open.push(sock);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('connect_error', reject);
  });
  return sock;
}

/** Collects every payload of `event` a socket receives. */
export function collect<T>(sock: Socket, event: string): T[] {
  const got: T[] = [];
  sock.on(event, (p: T) => got.push(p));
  return got;
}

export async function subscribe(sock: Socket, repo: string): Promise<void> {
  expect(await sock.timeout(10_000).emitWithAck('repo:subscribe', { repo })).toEqual({ ok: true });
}

/**
 * One repository shared by many tests, each on a "lane": a base branch of its own (instead of
 * main) with head branches named after it, so tests don't see each other's pull requests and
 * nobody pays for a new repository per test. Commits are made locally and pushed together.
 */
export class Lanes {
  private n = 0;
  api: PullsApi;

  constructor(
    public s: TestServer,
    readonly full: string,
    readonly work: Work,
    readonly seed: string,
  ) {
    this.api = new PullsApi(s, full);
  }

  /** Follows a server restarted on the same data dir (a new port). */
  async restarted(s: TestServer, who: Who): Promise<void> {
    this.s = s;
    this.api = new PullsApi(s, this.full);
    await this.work.git(['remote', 'set-url', 'origin', s.gitUrl(`${this.full}.git`, who)]);
  }

  /** The server's bare repository, read with git directly. */
  get dir(): string {
    const [owner, name] = this.full.split('/');
    return path.join(this.s.data, 'repos', owner!.toLowerCase(), `${name!.toLowerCase()}.git`);
  }

  /** git on the server's repository (reads only). */
  sv(args: string[]): Promise<string> {
    return gitOk(['--git-dir', this.dir, ...args]);
  }

  /** A branch's tip on the server, or null. */
  async tip(branch: string): Promise<string | null> {
    const r = await git(['--git-dir', this.dir, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
    return r.code === 0 ? r.stdout.trim() : null;
  }

  async parents(rev: string): Promise<string[]> {
    return (await this.sv(['rev-list', '--parents', '-n1', rev])).trim().split(' ').slice(1);
  }

  show(rev: string, file: string): Promise<string> {
    return this.sv(['show', `${rev}:${file}`]);
  }

  /** A new lane: its base branch at the seed, created locally (the lane's first push sends it). */
  async lane(): Promise<Lane> {
    const base = `lane${++this.n}`;
    await this.work.git(['branch', '-f', base, this.seed]);
    return new Lane(this, base);
  }
}

export class Lane {
  private readonly unpushed = new Set<string>();

  constructor(
    readonly l: Lanes,
    readonly base: string,
  ) {
    this.unpushed.add(base);
  }

  /** The full name of one of this lane's head branches. */
  name(short: string): string {
    return short === this.base ? short : `${this.base}-${short}`;
  }

  /** Commits `files` on a branch of the lane (created from `from`, default the base); not pushed. */
  async commit(short: string, files: Record<string, string | Buffer | null>, message = `change on ${short}`, from?: string): Promise<string> {
    const b = this.name(short);
    const exists = (await git(['rev-parse', '--verify', '-q', `refs/heads/${b}`], { cwd: this.l.work.dir })).code === 0;
    await this.l.work.checkout(b, exists && from === undefined ? undefined : this.name(from ?? this.base));
    this.unpushed.add(b);
    return this.l.work.commit(files, message);
  }

  /** Counts a branch made some other way (fast-import) into the next push. */
  track(short: string): void {
    this.unpushed.add(this.name(short));
  }

  /** Pushes every branch of the lane changed since the last push (forced), in one push. */
  async push(): Promise<void> {
    const refs = [...this.unpushed].map((b) => `+refs/heads/${b}:refs/heads/${b}`);
    this.unpushed.clear();
    if (refs.length) await this.l.work.push(...refs);
  }

  /** The server's tip of the base (or of a head branch). */
  tip(short = this.base): Promise<string | null> {
    return this.l.tip(this.name(short));
  }

  async open(head: string, who: Who, extra: Record<string, unknown> = {}): Promise<PullJson> {
    const pr = await this.l.api.open(who, { head: head.includes(':') ? head : this.name(head), base: this.base, title: `Merge ${head}`, ...extra });
    return this.l.api.settled(pr.number, who);
  }
}

/** The next `event` whose payload passes `match`, or a rejection after `timeoutMs`. */
export function nextMatching<T>(sock: Socket, event: string, match: (p: T) => boolean, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (p: T) => {
      if (!match(p)) return;
      clearTimeout(t);
      sock.off(event, on);
      resolve(p);
    };
    const t = setTimeout(() => {
      sock.off(event, on);
      reject(new Error(`no matching ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on(event, on);
  });
}

/** A merge that succeeds: the base on the server is the sha answered. */
export async function mergeOk(l: Lane, n: number, body: Record<string, unknown>, who: Who): Promise<string> {
  const res = await l.l.api.merge(n, who, body);
  const json = (await res.json()) as { merged: boolean; sha: string; branch_deleted: boolean };
  expect(res.status, JSON.stringify(json)).toBe(200);
  expect(json.merged).toBe(true);
  expect(await l.tip()).toBe(json.sha);
  return json.sha;
}

/** A merge refused with `status`: the base hasn't moved, and the pull request is as merged as it was. */
export async function mergeRefused(l: Lane, n: number, body: Record<string, unknown>, status: number, who: Who, viewer: Who = who): Promise<string> {
  const before = await l.tip();
  const wasMerged = (await l.l.api.get(n, viewer)).merged;
  const res = await l.l.api.merge(n, who, body);
  const json = (await res.json()) as { message: string };
  expect(res.status, json.message).toBe(status);
  expect(await l.tip()).toBe(before);
  expect((await l.l.api.get(n, viewer)).merged).toBe(wasMerged);
  return json.message;
}
