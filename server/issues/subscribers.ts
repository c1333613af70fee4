// What issues set in motion, all as durable subscribers (delivered from the outbox after the
// change was acknowledged, so a kill -9 in between loses nothing):
// - a push: commits that say `fixes #12` close the issue when they land on the default branch,
//   and every commit naming an issue adds a "referenced from a commit" entry — each exactly once,
//   keyed by (issue, commit) in issue_commit_refs inside the same transaction as the close;
// - text (an issue, a comment, an edit) that names `#12` or `owner/repo#12` adds a "referenced"
//   entry on the target, and `@user` notifies the user — only if they can see the issue;
// - assignments, comments, closes and reopens notify the people on the issue and the watchers.
import { subscriber, type Subscriber } from '../events/index.js';
import { runGit } from '../git/command.js';
import { ZERO_SHA } from '../git/ref-update.js';
import type { NotificationReason } from '../notifications/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { announce } from './issue-routes.js';
import { findMentions } from './mentions.js';
import { findReferences } from './references.js';
import type { IssueRow } from './schema.js';

/** Commits looked at per pushed ref (a push of a long-lived branch is not replayed in full). */
const COMMITS_PER_REF = 500;
/** A brand-new branch: only its newest commits (the older ones were seen on other branches). */
const COMMITS_NEW_BRANCH = 50;

interface PushedCommit {
  sha: string;
  message: string;
}

export function issueSubscribers(s: Services): Subscriber[] {
  const { issues, tracker } = s;
  const actorName = async (id: number | null) => (id === null ? 'someone' : ((await s.users.byId(id))?.name ?? 'someone'));
  const full = (rec: RepoRecord) => `${rec.owner.name}/${rec.repo.name}`;

  /** Notifies each user once (never the actor) who may see the issue; returns who was notified. */
  const notify = async (eventId: number, issue: IssueRow, userIds: Iterable<number>, actorId: number | null, reason: NotificationReason, title: string): Promise<Set<number>> => {
    const rec = await s.repos.byId(issue.repo_id);
    const done = new Set<number>();
    if (!rec) return done;
    const kind = issue.is_pull ? 'pulls' : 'issues';
    for (const userId of new Set(userIds)) {
      if (userId === actorId || done.has(userId)) continue;
      // a mention or a watch is no licence to read: a confidential issue stays with those who may see it
      if (!(await tracker.userCanSee(userId, issue))) continue;
      await s.notifications.notify({
        userId,
        repoId: rec.repo.id,
        eventId,
        reason,
        subject: {
          type: issue.is_pull ? 'Pull' : 'Issue',
          title,
          url: `/api/v1/repos/${full(rec)}/${kind}/${issue.index}`,
          htmlUrl: `/${full(rec)}/${kind}/${issue.index}`,
          state: issue.is_closed ? 'closed' : 'open',
        },
      });
      done.add(userId);
    }
    return done;
  };

  /** User ids for the names a text mentions (unknown names and organizations are dropped). */
  const mentioned = async (text: string): Promise<number[]> => {
    const ids: number[] = [];
    for (const name of findMentions(text).slice(0, 50)) {
      const u = await s.users.byName(name);
      if (u && u.type === 0) ids.push(u.id);
    }
    return ids;
  };

  /** People following the issue: its participants and the repository's watchers. */
  const followers = async (issue: IssueRow): Promise<number[]> => {
    const watchers = await s.db.selectFrom('watches').select('user_id').where('repo_id', '=', issue.repo_id).execute();
    return [...(await issues.participants(issue.id)), ...watchers.map((w) => w.user_id)];
  };

  /**
   * `#12` and `owner/repo#12` in text written on `source` (the issue, or one of its comments):
   * a "referenced" entry on each target the author may read, once per source text.
   */
  const addTextReferences = async (source: IssueRow, sourceRec: RepoRecord, text: string, actorId: number | null, commentId: number | null) => {
    for (const ref of findReferences(text, { keywords: false }).slice(0, 50)) {
      const target = await resolveTarget(sourceRec, ref.owner, ref.repo, ref.index, actorId);
      if (!target || target.issue.id === source.id) continue;
      const data = JSON.stringify({ issueId: source.id, commentId, repo: full(sourceRec), index: source.index, isPull: source.is_pull === 1 });
      const exists = await s.db.selectFrom('issue_comments').select('id').where('issue_id', '=', target.issue.id).where('type', '=', 'ref').where('data', '=', data).executeTakeFirst();
      if (exists) continue;
      await s.db.transaction().execute(async (trx) => {
        await trx.insertInto('issue_comments').values({ issue_id: target.issue.id, poster_id: actorId, type: 'ref', body: '', data, created_at: Date.now(), updated_at: Date.now() }).execute();
      });
      await announce(s, target.rec, target.issue, 'reference');
    }
  };

  /** The issue a reference names, if it exists and `actorId` may read its repository. */
  const resolveTarget = async (from: RepoRecord, owner: string | null, repo: string | null, index: number, actorId: number | null) => {
    const rec = owner && repo ? await s.repos.find(owner, repo) : from;
    if (!rec) return null;
    if (rec.repo.id !== from.repo.id) {
      if (actorId === null) return null;
      if ((await tracker.levelOf(actorId, rec.repo)) === 'none') return null;
    }
    const issue = await issues.get(rec.repo.id, index);
    return issue ? { rec, issue } : null;
  };

  const pushedCommits = async (rec: RepoRecord, oldSha: string, newSha: string): Promise<PushedCommit[]> => {
    const range = oldSha === ZERO_SHA ? ['-n', String(COMMITS_NEW_BRANCH), newSha] : ['-n', String(COMMITS_PER_REF), `${oldSha}..${newSha}`];
    const { stdout } = await runGit(s.git, ['--git-dir', s.store.dir({ owner: rec.owner.name, name: rec.repo.name }), 'log', '--reverse', '--format=%H%x00%B%x00', ...range, '--'], {
      okExitCodes: [0, 128],
    });
    const parts = stdout.toString().split('\0');
    const out: PushedCommit[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) out.push({ sha: parts[i]!.trim(), message: parts[i + 1]! });
    return out.filter((c) => /^[0-9a-f]{40,64}$/.test(c.sha));
  };

  return [
    subscriber({
      name: 'issues.push',
      events: ['push'],
      handle: async ({ payload: push }) => {
        const rec = await s.repos.byId(push.repoId);
        if (!rec) return;
        for (const u of push.updates) {
          if (!u.ref.startsWith('refs/heads/') || u.newSha === ZERO_SHA) continue;
          const onDefault = u.ref === `refs/heads/${rec.repo.default_branch}`;
          for (const commit of await pushedCommits(rec, u.oldSha, u.newSha)) {
            for (const ref of findReferences(commit.message).slice(0, 50)) {
              const target = await resolveTarget(rec, ref.owner, ref.repo, ref.index, push.pusherId);
              // commits reference issues only: a pull request's own merge and squash commits name
              // it (`(#3)`), and its conversation already shows its pushes and its merge
              if (!target || target.issue.is_pull) continue;
              // closing another repository's issue takes write access there, as on GitHub and Gitea
              const sameRepo = target.rec.repo.id === rec.repo.id;
              const mayClose = ref.closes && onDefault && (sameRepo || (push.pusherId !== null && ['write', 'admin'].includes(await tracker.levelOf(push.pusherId, target.rec.repo))));
              const subject = commit.message.split('\n', 1)[0]!.slice(0, 200);
              const closedNow = await s.db.transaction().execute(async (trx) => {
                const inserted = await trx
                  .insertInto('issue_commit_refs')
                  .values({ issue_id: target.issue.id, sha: commit.sha, closes: mayClose ? 1 : 0, created_at: Date.now() })
                  .onConflict((oc) => oc.columns(['issue_id', 'sha']).doNothing())
                  .executeTakeFirst();
                const first = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
                if (first) await issues.addEntry(trx, target.issue.id, push.pusherId, 'commit_ref', '', { repo: full(rec), sha: commit.sha, subject });
                let closes = first && mayClose;
                if (!first && mayClose) {
                  // seen before on another branch; now it lands on the default branch
                  const r = await trx
                    .updateTable('issue_commit_refs')
                    .set({ closes: 1 })
                    .where('issue_id', '=', target.issue.id)
                    .where('sha', '=', commit.sha)
                    .where('closes', '=', 0)
                    .executeTakeFirst();
                  closes = Number(r.numUpdatedRows) > 0;
                }
                if (closes) {
                  const fresh = (await trx.selectFrom('issues').selectAll().where('id', '=', target.issue.id).executeTakeFirstOrThrow()) as IssueRow;
                  await tracker.setStateIn(trx, fresh, true, push.pusherId, { commit: commit.sha, repo: full(rec) });
                }
                return first || closes;
              });
              if (closedNow) await announce(s, target.rec, target.issue, 'reference');
            }
          }
        }
      },
    }),
    subscriber({
      name: 'issues.opened',
      events: ['issue.opened'],
      handle: async ({ id, payload: e }) => {
        const issue = await issues.byId(e.issueId);
        const rec = issue && (await s.repos.byId(issue.repo_id));
        if (!issue || !rec) return;
        const who = await actorName(e.actorId);
        const ref = `${full(rec)}#${issue.index}`;
        const mentions = await mentioned(`${issue.title}\n\n${issue.body}`);
        await tracker.recordMentions(issue.id, mentions);
        const told = await notify(id, issue, mentions, e.actorId, 'mention', `${who} mentioned you in ${ref}: ${issue.title}`);
        const assignees = (await issues.assignees(issue.id)).filter((u) => !told.has(u));
        for (const u of await notify(id, issue, assignees, e.actorId, 'assign', `${who} assigned you to ${ref}: ${issue.title}`)) told.add(u);
        const watchers = (await s.db.selectFrom('watches').select('user_id').where('repo_id', '=', issue.repo_id).execute()).map((w) => w.user_id).filter((u) => !told.has(u));
        await notify(id, issue, watchers, e.actorId, 'comment', `${who} opened ${ref}: ${issue.title}`);
        await addTextReferences(issue, rec, issue.body, e.actorId, null);
        await announce(s, rec, issue, 'opened');
      },
    }),
    subscriber({
      name: 'issues.comment',
      events: ['comment.created'],
      handle: async ({ id, payload: e }) => {
        const issue = await issues.byId(e.issueId);
        const c = await issues.commentById(e.commentId);
        const rec = issue && (await s.repos.byId(issue.repo_id));
        if (!issue || !rec || !c) return;
        const who = await actorName(e.posterId);
        const ref = `${full(rec)}#${issue.index}`;
        const mentions = await mentioned(c.body);
        await tracker.recordMentions(issue.id, mentions);
        const told = await notify(id, issue, mentions, e.posterId, 'mention', `${who} mentioned you in ${ref}: ${issue.title}`);
        // pull requests tell their own people (reviewers too) in server/pulls
        if (!issue.is_pull) {
          await notify(
            id,
            issue,
            (await followers(issue)).filter((u) => !told.has(u)),
            e.posterId,
            'comment',
            `${who} commented on ${ref}: ${issue.title}`,
          );
        }
        await addTextReferences(issue, rec, c.body, e.posterId, c.id);
      },
    }),
    subscriber({
      name: 'issues.changed',
      events: ['issue.changed'],
      handle: async ({ id, payload: e }) => {
        const issue = await issues.byId(e.issueId);
        const rec = issue && (await s.repos.byId(issue.repo_id));
        if (!issue || !rec) return;
        const who = await actorName(e.actorId);
        const ref = `${full(rec)}#${issue.index}`;
        if (e.change === 'assigned') {
          await notify(id, issue, e.assigned ?? [], e.actorId, 'assign', `${who} assigned you to ${ref}: ${issue.title}`);
        } else if (e.change === 'edited') {
          const fresh = await tracker.recordMentions(issue.id, await mentioned(`${issue.title}\n\n${issue.body}`));
          await notify(id, issue, fresh, e.actorId, 'mention', `${who} mentioned you in ${ref}: ${issue.title}`);
          await addTextReferences(issue, rec, issue.body, e.actorId, null);
        } else if (!issue.is_pull) {
          const how = e.change === 'reopened' ? 'reopened' : e.commit ? `closed (with commit ${e.commit.slice(0, 10)})` : 'closed';
          await notify(id, issue, await followers(issue), e.actorId, 'comment', `${who} ${how} ${ref}: ${issue.title}`);
        }
        await announce(s, rec, issue, e.change);
      },
    }),
  ];
}
