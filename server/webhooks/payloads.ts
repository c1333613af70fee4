// Gitea's webhook payloads (modules/structs/hook.go): push, create, delete, issues,
// issue_comment, pull_request and status, with the same Repository, User, Issue, Comment and
// PullRequest JSON the API answers with. They are built once, when the event is fanned out, as
// the person who caused it would see them (Gitea renders the repository with owner rights).
import type { Request } from 'express';
import type { Actor } from '../access/index.js';
import { ANONYMOUS } from '../access/index.js';
import type { UserRow } from '../db/schema.js';
import type { RepoTarget } from '../git/browse-service.js';
import type { Commit, Signature } from '../git/objects.js';
import { ZERO_SHA } from '../git/ref-update.js';
import { repoJson, repoTarget, userJson } from '../http/index.js';
import { commentJson, issueJson } from '../issues/index.js';
import { lineCommentJson, pullJson } from '../pulls/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { toActorUser } from '../users/index.js';

/** Commits listed in one push payload (total_commits still counts them all). */
export const PUSH_COMMITS_MAX = 20;
/** Commits of a new branch listed (Gitea: the newest ten). */
const NEW_REF_COMMITS = 10;

type Json = Record<string, unknown>;

/** The request-shaped context the API's JSON helpers take: whose view, and the public base URL. */
function viewAs(base: string, actor: Actor): Request {
  const u = new URL(base);
  return { actor, user: undefined, protocol: u.protocol.replace(/:$/, ''), get: (h: string) => (h.toLowerCase() === 'host' ? u.host : undefined), headers: { host: u.host } } as unknown as Request;
}

/** Gitea's ghost user, for an account that no longer exists. */
function ghostJson(base: string): Json {
  return { id: -1, login: 'Ghost', login_name: '', full_name: '', email: '', avatar_url: `${base}/avatars/ghost`, html_url: `${base}/Ghost`, username: 'Ghost', type: 'User' };
}

/** `2026-05-01T12:00:00+02:00`: the signature's time in its own zone, as Gitea renders it. */
function timestamp(sig: Signature): string {
  const m = /^([+-])(\d\d)(\d\d)$/.exec(sig.tz ?? '');
  const offsetMin = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const local = new Date((sig.when + offsetMin * 60) * 1000).toISOString().slice(0, 19);
  return `${local}${m ? `${m[1]}${m[2]}:${m[3]}` : 'Z'}`;
}

export interface RefPayload {
  type: 'push' | 'create' | 'delete';
  /** The full ref, for the branch filter. */
  ref: string;
  build(): Promise<Json>;
}

export class PayloadBuilder {
  constructor(
    private readonly s: Services,
    private readonly base: () => string,
  ) {}

  private async user(id: number | null): Promise<UserRow | undefined> {
    return id === null ? undefined : this.s.users.byId(id);
  }

  /** The view of whoever caused the event (anonymous when nobody, or they can no longer sign in). */
  private async viewer(actorId: number | null): Promise<{ req: Request; user: UserRow | undefined }> {
    const user = await this.user(actorId);
    const actor: Actor = user && !this.s.users.loginProblem(user) ? { kind: 'user', user: toActorUser(user), scopes: null, via: 'session' } : ANONYMOUS;
    return { req: viewAs(this.base(), actor), user };
  }

  private userOrGhost(req: Request, u: UserRow | undefined): Json {
    return u ? userJson(this.s, req, u) : ghostJson(this.base());
  }

  private repository(req: Request, rec: RepoRecord): Json {
    return repoJson(this.s, req, rec, 'admin');
  }

  /** Gitea's PayloadCommit; `username` is the account with that email, if any. */
  private async payloadCommits(rec: RepoRecord, target: RepoTarget, commits: Commit[]): Promise<Json[]> {
    if (commits.length === 0) return [];
    const full = `${rec.owner.name}/${rec.repo.name}`;
    const changes = await this.s.browse.changes(target, commits).catch(() => new Map<string, never[]>());
    const emails = [...new Set(commits.flatMap((c) => [c.author.email.toLowerCase(), c.committer.email.toLowerCase()]).filter(Boolean))];
    const accounts = new Map<string, string>();
    if (emails.length) {
      const rows = await this.s.db.selectFrom('users').select(['name', 'email']).where('type', '=', 0).where('email', 'in', emails).execute();
      for (const r of rows) accounts.set(r.email.toLowerCase(), r.name);
    }
    const who = (sig: Signature) => ({ name: sig.name, email: sig.email, username: accounts.get(sig.email.toLowerCase()) ?? '' });
    return commits.map((c) => {
      const added: string[] = [];
      const removed: string[] = [];
      const modified: string[] = [];
      for (const ch of changes.get(c.sha) ?? []) {
        if (ch.status === 'added' || ch.status === 'copied') added.push(ch.path);
        else if (ch.status === 'removed') removed.push(ch.path);
        else if (ch.status === 'renamed') {
          removed.push(ch.oldPath);
          added.push(ch.path);
        } else modified.push(ch.path);
      }
      return {
        id: c.sha,
        message: c.message,
        url: `${this.base()}/${full}/commit/${c.sha}`,
        author: who(c.author),
        committer: who(c.committer),
        verification: null,
        timestamp: timestamp(c.author),
        added,
        removed,
        modified,
      };
    });
  }

  /** The commits a ref update brought (oldest first, at most PUSH_COMMITS_MAX) and how many there are. */
  private async pushedCommits(target: RepoTarget, oldSha: string, newSha: string): Promise<{ commits: Commit[]; total: number }> {
    try {
      if (oldSha === ZERO_SHA) {
        const { commits } = await this.s.browse.log(target, newSha, { path: '', page: 1, limit: NEW_REF_COMMITS });
        return { commits: commits.reverse(), total: commits.length };
      }
      const { commits, total } = await this.s.browse.rangeCommits(target, oldSha, newSha, { limit: 1_000 });
      // the newest ones, when there are more than the payload lists
      return { commits: commits.slice(-PUSH_COMMITS_MAX), total };
    } catch {
      // a tag of a tree, or an old side of a force push that is gone: no commits to list
      return { commits: [], total: 0 };
    }
  }

  /** What one ref update of a push sends: `create` and `push` for a new ref, `delete` for a deleted one. */
  refPayloads(rec: RepoRecord, pusherId: number | null, u: { ref: string; oldSha: string; newSha: string }): RefPayload[] {
    const isBranch = u.ref.startsWith('refs/heads/');
    const isTag = u.ref.startsWith('refs/tags/');
    if (!isBranch && !isTag) return [];
    const short = u.ref.slice(isBranch ? 'refs/heads/'.length : 'refs/tags/'.length);
    const refType = isBranch ? 'branch' : 'tag';
    const out: RefPayload[] = [];
    if (u.newSha === ZERO_SHA) {
      out.push({
        type: 'delete',
        ref: u.ref,
        build: async () => {
          const { req, user } = await this.viewer(pusherId);
          return { ref: short, ref_type: refType, pusher_type: 'user', repository: this.repository(req, rec), sender: this.userOrGhost(req, user) };
        },
      });
      return out;
    }
    if (u.oldSha === ZERO_SHA) {
      out.push({
        type: 'create',
        ref: u.ref,
        build: async () => {
          const { req, user } = await this.viewer(pusherId);
          return { sha: u.newSha, ref: short, ref_type: refType, repository: this.repository(req, rec), sender: this.userOrGhost(req, user) };
        },
      });
    }
    out.push({ type: 'push', ref: u.ref, build: () => this.push(rec, pusherId, u) });
    return out;
  }

  /** Gitea's PushPayload. */
  async push(rec: RepoRecord, pusherId: number | null, u: { ref: string; oldSha: string; newSha: string }, opts: { test?: boolean } = {}): Promise<Json> {
    const { req, user } = await this.viewer(pusherId);
    const target = repoTarget(this.s, rec);
    const full = `${rec.owner.name}/${rec.repo.name}`;
    const isTag = u.ref.startsWith('refs/tags/');
    let listed: Json[] = [];
    let total = 0;
    let head: Json | null = null;
    if (opts.test) {
      const c = (await this.s.browse.commits(target, [u.newSha]).catch(() => new Map<string, Commit>())).get(u.newSha);
      listed = c ? await this.payloadCommits(rec, target, [c]) : [];
      total = listed.length;
      head = listed[0] ?? null;
    } else if (!isTag) {
      const { commits, total: n } = await this.pushedCommits(target, u.oldSha, u.newSha);
      listed = await this.payloadCommits(rec, target, commits);
      total = n;
      head = listed.at(-1) ?? null;
    }
    if (!head) {
      // a tag push (or a commit the range did not list) still names its commit
      const found = await this.s.browse.resolveRef(target, u.newSha).catch(() => null);
      const c = found ? (await this.s.browse.commits(target, [found.commit]).catch(() => new Map<string, Commit>())).get(found.commit) : undefined;
      head = c ? ((await this.payloadCommits(rec, target, [c]))[0] ?? null) : null;
    }
    const pusher = this.userOrGhost(req, user);
    return {
      ref: u.ref,
      before: u.oldSha,
      after: u.newSha,
      compare_url: u.oldSha === ZERO_SHA || opts.test ? '' : `${this.base()}/${full}/compare/${u.oldSha}...${u.newSha}`,
      commits: listed,
      total_commits: total,
      head_commit: head,
      repository: this.repository(req, rec),
      pusher,
      sender: pusher,
    };
  }

  /**
   * What "Test delivery" sends: a push of the ref's (default branch's) head commit, as Gitea's
   * test does; a repository with no commits sends Gitea's fake commit. Null: no such ref.
   */
  async test(rec: RepoRecord, actorId: number | null, refName?: string): Promise<Json | null> {
    const target = repoTarget(this.s, rec);
    const resolved = await this.s.browse.resolveRef(target, refName || undefined).catch(() => null);
    if (resolved) {
      const ref = resolved.kind === 'tag' ? `refs/tags/${resolved.name}` : resolved.kind === 'branch' ? `refs/heads/${resolved.name}` : `refs/heads/${rec.repo.default_branch}`;
      return this.push(rec, actorId, { ref, oldSha: resolved.commit, newSha: resolved.commit }, { test: true });
    }
    if (refName && !rec.repo.is_empty) return null;
    const { req, user } = await this.viewer(actorId);
    const ghost = { name: 'Ghost', email: '', username: 'Ghost' };
    const fake = {
      id: ZERO_SHA,
      message: 'This is a fake commit',
      url: '',
      author: ghost,
      committer: ghost,
      verification: null,
      timestamp: new Date().toISOString(),
      added: [],
      removed: [],
      modified: [],
    };
    const pusher = this.userOrGhost(req, user);
    return {
      ref: `refs/heads/${rec.repo.default_branch}`,
      before: ZERO_SHA,
      after: ZERO_SHA,
      compare_url: '',
      commits: [fake],
      total_commits: 1,
      head_commit: fake,
      repository: this.repository(req, rec),
      pusher,
      sender: pusher,
    };
  }

  /** Gitea's IssuePayload (`issues` and `issue_assign`). */
  async issue(rec: RepoRecord, issueId: number, action: string, actorId: number | null, extra: { commit?: string } = {}): Promise<Json | null> {
    const issue = await this.s.issues.byId(issueId);
    if (!issue) return null;
    const { req, user } = await this.viewer(actorId);
    return {
      action,
      number: issue.index,
      issue: await issueJson(this.s, req, rec, issue),
      repository: this.repository(req, rec),
      sender: this.userOrGhost(req, user),
      commit_id: extra.commit ?? '',
    };
  }

  /** Gitea's IssueCommentPayload (`issue_comment` and `pull_request_comment`). */
  async comment(rec: RepoRecord, issueId: number, commentId: number, actorId: number | null): Promise<Json | null> {
    const issue = await this.s.issues.byId(issueId);
    const c = await this.s.db.selectFrom('issue_comments').selectAll().where('id', '=', commentId).executeTakeFirst();
    if (!issue || !c) return null;
    const { req, user } = await this.viewer(actorId);
    const poster = c.poster_id === null ? undefined : await this.s.users.byId(c.poster_id);
    return {
      action: 'created',
      issue: await issueJson(this.s, req, rec, issue),
      comment: await commentJson(this.s, req, rec, issue, c, poster),
      repository: this.repository(req, rec),
      sender: this.userOrGhost(req, user),
      is_pull: issue.is_pull === 1,
    };
  }

  /**
   * A reply in a pull request's line-comment thread, as Gitea sends it: an IssueCommentPayload
   * (`pull_request_comment`) whose comment is the code comment.
   */
  async lineComment(pullId: number, commentId: number, actorId: number | null): Promise<Json | null> {
    const v = await this.s.pulls.view(pullId).catch(() => null);
    const c = await this.s.db.selectFrom('pull_line_comments').selectAll().where('id', '=', commentId).where('pull_id', '=', pullId).executeTakeFirst();
    if (!v || !c) return null;
    const { req, user } = await this.viewer(actorId);
    const full = `${v.base.owner.name}/${v.base.repo.name}`;
    return {
      action: 'created',
      issue: await issueJson(this.s, req, v.base, v.issue),
      comment: {
        ...(await lineCommentJson(this.s, req, v, c)),
        type: 'code',
        issue_url: `${this.base()}/${full}/issues/${v.pull.index}`,
        original_author: '',
        original_author_id: 0,
        assets: [],
      },
      repository: this.repository(req, v.base),
      sender: this.userOrGhost(req, user),
      is_pull: true,
    };
  }

  /** Gitea's PullRequestPayload. */
  async pull(pullId: number, action: string, actorId: number | null, extra: { review?: { type: string; content: string }; requestedReviewerId?: number; commit?: string } = {}): Promise<Json | null> {
    const v = await this.s.pulls.view(pullId).catch(() => null);
    if (!v) return null;
    const { req, user } = await this.viewer(actorId);
    const reviewer = extra.requestedReviewerId === undefined ? undefined : await this.s.users.byId(extra.requestedReviewerId);
    return {
      action,
      number: v.pull.index,
      pull_request: await pullJson(this.s, req, v),
      requested_reviewer: reviewer ? userJson(this.s, req, reviewer) : null,
      repository: this.repository(req, v.base),
      sender: this.userOrGhost(req, user),
      commit_id: extra.commit ?? '',
      review: extra.review ?? null,
    };
  }

  /** Gitea's CommitStatusPayload. */
  async status(rec: RepoRecord, statusId: number): Promise<Json | null> {
    const st = await this.s.db.selectFrom('commit_statuses').selectAll().where('id', '=', statusId).executeTakeFirst();
    if (!st) return null;
    const { req, user } = await this.viewer(st.creator_id);
    const target = repoTarget(this.s, rec);
    const c = (await this.s.browse.commits(target, [st.sha]).catch(() => new Map<string, Commit>())).get(st.sha);
    return {
      commit: c ? ((await this.payloadCommits(rec, target, [c]))[0] ?? null) : null,
      context: st.context,
      created_at: new Date(st.created_at).toISOString(),
      description: st.description,
      id: st.id,
      repository: this.repository(req, rec),
      sender: this.userOrGhost(req, user),
      sha: st.sha,
      state: st.state,
      target_url: st.target_url,
      updated_at: new Date(st.updated_at).toISOString(),
    };
  }
}
