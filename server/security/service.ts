// A repository's security view: secret-scanning findings (listed, suppressed with a reason,
// reopened; both audited), the scans that produce them (a full rescan an administrator asks for,
// and one per push over its new objects only, both run from the outbox, one at a time per
// repository), their progress to the repository's administrators over socket.io, and the
// per-repository pre-receive refusal of pushes that add a private key.
import path from 'node:path';
import type { Actor, RepoFacts, Visibility } from '../access/index.js';
import { runGit } from '../git/command.js';
import { readAllRefs } from '../git/ref-files.js';
import { ZERO_SHA } from '../git/ref-update.js';
import type { Logger } from '../lib/log.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { PushContext, PushEvent, PushRefusal } from '../pushes/index.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { peelCommits, scanRevs, type RawFinding, type ScanProgress } from './history.js';
import { findingJson, scanJson, type FindingJson, type ScanJson } from './json.js';
import { PRIVATE_KEY_RULES } from './rules.js';
import type { FindingState, ScanKind, SecurityFindingRow, SecurityScanRow } from './schema.js';

/** Tips kept for push scans before they are reduced to the independent ones. */
const MAX_TIPS = 32;
/** Files a refusal names at most. */
const MAX_REFUSED = 5;
/** How often a running scan writes its progress and tells the administrators (ms). */
const PROGRESS_MS = 400;
export const SUPPRESS_REASON_MAX = 1000;

export interface FindingQuery {
  state?: FindingState;
  rule?: string;
  page: number;
  limit: number;
}

export interface SecuritySettings {
  refuse_private_keys: boolean;
}

type Loose = { data: { actor?: Actor }; emit(event: string, payload: unknown): boolean };
interface LooseIo {
  in(room: string): { fetchSockets(): Promise<Loose[]> };
}

function facts(rec: RepoRecord): RepoFacts {
  return { id: rec.repo.id, ownerId: rec.repo.owner_id, visibility: rec.repo.visibility as Visibility };
}

export class SecurityService {
  constructor(
    private readonly s: Services,
    private readonly log: Logger,
  ) {}

  private dir(rec: RepoRecord): string {
    return this.s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
  }

  // ---- settings -----------------------------------------------------------------------------

  async settings(repoId: number): Promise<SecuritySettings> {
    const row = await this.s.db.selectFrom('security_repo_settings').select('refuse_private_keys').where('repo_id', '=', repoId).executeTakeFirst();
    return { refuse_private_keys: row?.refuse_private_keys === 1 };
  }

  async setSettings(rec: RepoRecord, actorId: number, patch: Partial<SecuritySettings>, ip: string | null): Promise<SecuritySettings> {
    if (patch.refuse_private_keys !== undefined) {
      const value = patch.refuse_private_keys ? 1 : 0;
      const now = Date.now();
      await this.s.db
        .insertInto('security_repo_settings')
        .values({ repo_id: rec.repo.id, refuse_private_keys: value, scanned_tips: '[]', updated_at: now })
        .onConflict((oc) => oc.column('repo_id').doUpdateSet({ refuse_private_keys: value, updated_at: now }))
        .execute();
      await this.s.audit.record({ actorId, action: 'repo.security.settings', targetType: 'repository', targetId: rec.repo.id, detail: { refuse_private_keys: patch.refuse_private_keys }, ip });
    }
    return this.settings(rec.repo.id);
  }

  // ---- findings -----------------------------------------------------------------------------

  async list(repoId: number, q: FindingQuery): Promise<{ rows: SecurityFindingRow[]; total: number }> {
    let base = this.s.db.selectFrom('security_findings').where('repo_id', '=', repoId);
    if (q.state) base = base.where('state', '=', q.state);
    if (q.rule) base = base.where('rule_id', '=', q.rule);
    const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('committed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .offset((q.page - 1) * q.limit)
      .execute();
    return { rows, total: Number(n) };
  }

  async counts(repoId: number): Promise<Record<FindingState, number>> {
    const rows = await this.s.db
      .selectFrom('security_findings')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('repo_id', '=', repoId)
      .groupBy('state')
      .execute();
    const out: Record<FindingState, number> = { open: 0, suppressed: 0 };
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }

  async get(repoId: number, id: number): Promise<SecurityFindingRow> {
    const row = await this.s.db.selectFrom('security_findings').selectAll().where('repo_id', '=', repoId).where('id', '=', id).executeTakeFirst();
    if (!row) throw NotFound('finding not found');
    return row;
  }

  /** Suppresses a finding (a reason is required) or opens it again; audited either way. */
  async setState(rec: RepoRecord, id: number, actorId: number, change: { state: FindingState; reason?: string }, ip: string | null): Promise<SecurityFindingRow> {
    const f = await this.get(rec.repo.id, id);
    const reason = change.reason?.trim() ?? '';
    if (change.state === 'suppressed' && !reason) throw Invalid('a reason is required to suppress a finding', { field: 'reason' });
    if (reason.length > SUPPRESS_REASON_MAX) throw Invalid(`reason must be at most ${SUPPRESS_REASON_MAX} characters`, { field: 'reason' });
    const now = Date.now();
    const set =
      change.state === 'suppressed'
        ? { state: 'suppressed' as const, suppressed_by: actorId, suppress_reason: reason, suppressed_at: now, updated_at: now }
        : { state: 'open' as const, suppressed_by: null, suppress_reason: null, suppressed_at: null, updated_at: now };
    await this.s.db.updateTable('security_findings').set(set).where('id', '=', f.id).execute();
    await this.s.audit.record({
      actorId,
      action: change.state === 'suppressed' ? 'repo.security.suppress' : 'repo.security.reopen',
      targetType: 'repository',
      targetId: rec.repo.id,
      detail: { finding: f.id, rule: f.rule_id, path: f.path, line: f.line, commit: f.commit_sha, ...(reason ? { reason } : {}) },
      ip,
    });
    return this.get(rec.repo.id, id);
  }

  async render(rows: SecurityFindingRow[], rec: RepoRecord, base: string): Promise<FindingJson[]> {
    const ids = [...new Set(rows.map((r) => r.suppressed_by).filter((x): x is number => x !== null))];
    const users = ids.length ? await this.s.db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute() : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    return rows.map((r) => findingJson(r, { owner: rec.owner.name, name: rec.repo.name }, r.suppressed_by === null ? null : (names.get(r.suppressed_by) ?? null), base));
  }

  // ---- scans --------------------------------------------------------------------------------

  async latest(repoId: number, kind?: ScanKind): Promise<SecurityScanRow | undefined> {
    let q = this.s.db.selectFrom('security_scans').selectAll().where('repo_id', '=', repoId);
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  /** Queues a full rescan (or answers the one already queued or running). */
  async requestScan(rec: RepoRecord, userId: number): Promise<SecurityScanRow> {
    const pending = await this.s.db
      .selectFrom('security_scans')
      .selectAll()
      .where('repo_id', '=', rec.repo.id)
      .where('kind', '=', 'full')
      .where('state', 'in', ['queued', 'running'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (pending) return pending;
    const now = Date.now();
    const row = await this.s.db.transaction().execute(async (trx) => {
      const scan = await trx
        .insertInto('security_scans')
        .values({ repo_id: rec.repo.id, kind: 'full', state: 'queued', event_id: null, requested_by: userId, phase: '', created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.s.events.record(trx, 'security.scan', { scanId: scan.id, repoId: rec.repo.id });
      return scan;
    });
    this.s.events.kick();
    void this.announce(rec, row);
    return row;
  }

  /** Runs a queued full rescan (the `security.scan` subscriber); a redelivery of a finished one does nothing. */
  async runFullScan(scanId: number): Promise<void> {
    const first = await this.s.db.selectFrom('security_scans').select('repo_id').where('id', '=', scanId).executeTakeFirst();
    if (!first) return;
    await this.s.locks.run(`scan:${first.repo_id}`, async () => {
      const scan = await this.s.db.selectFrom('security_scans').selectAll().where('id', '=', scanId).executeTakeFirst();
      // 'running' here is a scan a crash cut off: it starts over
      if (!scan || scan.state === 'done' || scan.state === 'failed') return;
      const rec = await this.s.repos.byId(scan.repo_id);
      if (!rec) return;
      await this.run(rec, scan, async (progress) => {
        const dir = this.dir(rec);
        const tips = await this.refTips(dir);
        const result = await scanRevs(this.s.git, dir, tips, { onProgress: progress });
        const created = await this.save(rec.repo.id, scan.id, result.findings, { full: true });
        await this.setTips(rec.repo.id, dir, tips);
        return { ...result, created };
      });
    });
  }

  /**
   * Scans what one push brought in (the `security.push` subscriber): the objects its new commits
   * hold that the scans before it have not seen. One scan per push event.
   */
  async scanPush(eventId: number, ev: PushEvent): Promise<void> {
    await this.s.locks.run(`scan:${ev.repoId}`, async () => {
      const rec = await this.s.repos.byId(ev.repoId);
      if (!rec) return;
      const now = Date.now();
      await this.s.db
        .insertInto('security_scans')
        .values({ repo_id: ev.repoId, kind: 'push', state: 'queued', event_id: eventId, requested_by: ev.pusherId, phase: '', created_at: now, updated_at: now })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .execute();
      const scan = await this.s.db.selectFrom('security_scans').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow();
      if (scan.state === 'done' || scan.state === 'failed') return;
      await this.run(rec, scan, async (progress) => {
        const dir = this.dir(rec);
        // no peeling here: log skips what isn't a commit, and scanRevs peels again if a rev is gone
        const include = [...new Set(ev.updates.filter((u) => u.newSha !== ZERO_SHA).map((u) => u.newSha))];
        if (include.length === 0) return { commits: 0, blobs: 0, bytes: 0, created: 0 };
        const seen = await this.tips(rec.repo.id);
        let exclude: string[];
        if (seen.length) exclude = seen;
        else {
          // never scanned: everything but what this push moved counts as already there
          const moved = new Set(ev.updates.map((u) => u.ref));
          const others = [...(await this.refs(dir))].filter(([ref]) => !moved.has(ref)).map(([, sha]) => sha);
          exclude = [...new Set([...others, ...ev.updates.filter((u) => u.oldSha !== ZERO_SHA).map((u) => u.oldSha)])];
        }
        const result = await scanRevs(this.s.git, dir, [...include, ...exclude.map((x) => `^${x}`)], { onProgress: progress, direct: true });
        const created = await this.save(rec.repo.id, scan.id, result.findings, { full: false });
        // a ref's old tip is behind its new one (or gone from it): the new one stands for both
        const old = new Set(ev.updates.map((u) => u.oldSha));
        await this.setTips(rec.repo.id, dir, [...seen.filter((t) => !old.has(t)), ...include]);
        return { ...result, created };
      });
    });
  }

  /** Marks the scan running, runs it with throttled progress, and records how it ended. */
  private async run(rec: RepoRecord, scan: SecurityScanRow, body: (progress: (p: ScanProgress) => void) => Promise<{ commits: number; blobs: number; bytes: number; created: number }>): Promise<void> {
    const started = Date.now();
    await this.update(rec, scan.id, { state: 'running', phase: 'history', started_at: started, error: null, commits: 0, blobs_total: 0, blobs_done: 0, bytes_scanned: 0 });
    // a scan done within the first interval (a push's, usually) writes no progress at all
    let last = started;
    let writing: Promise<unknown> = Promise.resolve();
    const progress = (p: ScanProgress) => {
      const now = Date.now();
      if (now - last < PROGRESS_MS) return;
      last = now;
      writing = writing.then(() => this.update(rec, scan.id, { phase: p.phase, commits: p.commits, blobs_total: p.blobsTotal, blobs_done: p.blobsDone, bytes_scanned: p.bytes })).catch(() => {});
    };
    try {
      const r = await body(progress);
      await writing;
      await this.update(rec, scan.id, {
        state: 'done',
        phase: '',
        commits: r.commits,
        blobs_total: r.blobs,
        blobs_done: r.blobs,
        bytes_scanned: r.bytes,
        findings_new: r.created,
        finished_at: Date.now(),
      });
      this.log.info({ repo: `${rec.owner.name}/${rec.repo.name}`, kind: scan.kind, commits: r.commits, blobs: r.blobs, created: r.created, ms: Date.now() - started }, 'security scan done');
    } catch (err) {
      await writing;
      this.log.warn({ err, repo: `${rec.owner.name}/${rec.repo.name}`, scan: scan.id }, 'security scan failed');
      await this.update(rec, scan.id, { state: 'failed', phase: '', error: (err as Error).message.slice(0, 2000), finished_at: Date.now() });
    }
  }

  private async update(rec: RepoRecord, id: number, set: Partial<Omit<SecurityScanRow, 'id' | 'repo_id' | 'kind'>>): Promise<void> {
    const row = await this.s.db
      .updateTable('security_scans')
      .set({ ...set, updated_at: Date.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row) await this.announce(rec, row);
  }

  /** `security.scan` to the sockets in the repository's room whose users administer it. */
  private async announce(rec: RepoRecord, scan: SecurityScanRow): Promise<void> {
    const io = this.s.realtime.attached?.io as unknown as LooseIo | undefined;
    if (!io) return;
    try {
      const f = facts(rec);
      const payload: { repo: string; scan: ScanJson } = { repo: `${rec.owner.name}/${rec.repo.name}`, scan: scanJson(scan) };
      for (const socket of await io.in(`repo:${f.id}`).fetchSockets()) {
        const actor = socket.data.actor;
        if (actor && (await this.s.access.can(actor, 'admin', f))) socket.emit('security.scan', payload);
      }
    } catch (err) {
      this.log.warn({ err }, 'security: could not announce a scan');
    }
  }

  /**
   * Stores what a scan found: new fingerprints become open findings; a known one moves to an
   * earlier commit if this scan saw one. A full scan also drops the open findings it no longer
   * finds (history rewritten, rules changed); suppressed ones stay with their reason.
   */
  private async save(repoId: number, scanId: number, found: RawFinding[], opts: { full: boolean }): Promise<number> {
    const existing = await this.s.db.selectFrom('security_findings').select(['id', 'fingerprint', 'state', 'committed_at']).where('repo_id', '=', repoId).execute();
    const byPrint = new Map(existing.map((e) => [e.fingerprint, e]));
    const now = Date.now();
    let created = 0;
    await this.s.db.transaction().execute(async (trx) => {
      const fresh = found.filter((f) => !byPrint.has(f.fingerprint));
      for (let i = 0; i < fresh.length; i += 200) {
        await trx
          .insertInto('security_findings')
          .values(
            fresh.slice(i, i + 200).map((f) => ({
              repo_id: repoId,
              rule_id: f.ruleId,
              fingerprint: f.fingerprint,
              path: f.path,
              line: f.line,
              commit_sha: f.commit.sha,
              author_name: f.commit.authorName.slice(0, 255),
              author_email: f.commit.authorEmail.slice(0, 255),
              committed_at: f.commit.at,
              blob_sha: f.blob,
              secret_preview: f.preview,
              state: 'open' as const,
              suppressed_by: null,
              suppress_reason: null,
              suppressed_at: null,
              scan_id: scanId,
              created_at: now,
              updated_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['repo_id', 'fingerprint']).doNothing())
          .execute();
      }
      created = fresh.length;
      for (const f of found) {
        const e = byPrint.get(f.fingerprint);
        if (!e || f.commit.at >= e.committed_at) continue;
        await trx
          .updateTable('security_findings')
          .set({
            line: f.line,
            commit_sha: f.commit.sha,
            author_name: f.commit.authorName.slice(0, 255),
            author_email: f.commit.authorEmail.slice(0, 255),
            committed_at: f.commit.at,
            blob_sha: f.blob,
            updated_at: now,
          })
          .where('id', '=', e.id)
          .execute();
      }
      if (opts.full) {
        const seen = new Set(found.map((f) => f.fingerprint));
        const gone = existing.filter((e) => e.state === 'open' && !seen.has(e.fingerprint)).map((e) => e.id);
        for (let i = 0; i < gone.length; i += 500)
          await trx
            .deleteFrom('security_findings')
            .where('id', 'in', gone.slice(i, i + 500))
            .execute();
      }
    });
    return created;
  }

  // ---- what has been scanned ------------------------------------------------------------------

  private async refs(dir: string): Promise<Map<string, string>> {
    return readAllRefs(this.s.git, dir);
  }

  /** The commits every ref leads to (tags peeled; refs to anything else left out). */
  private async refTips(dir: string): Promise<string[]> {
    const shas = [...new Set((await this.refs(dir)).values())];
    return [...new Set((await peelCommits(this.s.git, dir, shas)).filter((x): x is string => x !== null))];
  }

  private async tips(repoId: number): Promise<string[]> {
    const row = await this.s.db.selectFrom('security_repo_settings').select('scanned_tips').where('repo_id', '=', repoId).executeTakeFirst();
    try {
      const list = JSON.parse(row?.scanned_tips ?? '[]') as unknown;
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string' && /^[0-9a-f]{40,64}$/.test(x)) : [];
    } catch {
      return [];
    }
  }

  /** Remembers the commits whose history has been seen, reduced to the independent ones when many. */
  private async setTips(repoId: number, dir: string, tips: string[]): Promise<void> {
    let list = [...new Set(tips)];
    if (list.length > MAX_TIPS) {
      const live = (await peelCommits(this.s.git, dir, list)).filter((x): x is string => x !== null);
      const { stdout } = await runGit(this.s.git, ['--git-dir', dir, 'merge-base', '--independent', ...live]);
      list = stdout.toString().split('\n').filter(Boolean);
    }
    const json = JSON.stringify(list);
    const now = Date.now();
    await this.s.db
      .insertInto('security_repo_settings')
      .values({ repo_id: repoId, refuse_private_keys: 0, scanned_tips: json, updated_at: now })
      .onConflict((oc) => oc.column('repo_id').doUpdateSet({ scanned_tips: json, updated_at: now }))
      .execute();
  }

  // ---- pre-receive --------------------------------------------------------------------------

  /**
   * The push policy's private-key check: for a repository that refuses them, the new commits'
   * new blobs (read from the push's quarantine) must hold no private key.
   */
  async checkPush(ctx: PushContext): Promise<PushRefusal[]> {
    if (ctx.wiki) return [];
    if (!(await this.settings(ctx.repoId)).refuse_private_keys) return [];
    const wanted = ctx.updates.filter((u) => u.newSha !== ZERO_SHA).map((u) => u.newSha);
    if (wanted.length === 0) return [];
    const env: Record<string, string> = {};
    if (ctx.quarantine) {
      env.GIT_OBJECT_DIRECTORY = ctx.quarantine;
      env.GIT_ALTERNATE_OBJECT_DIRECTORIES = path.join(ctx.repoDir, 'objects');
    }
    const before = [...new Set((await this.refs(ctx.repoDir)).values())];
    const revs = [...new Set(wanted)].concat(before.map((x) => `^${x}`));
    const { findings } = await scanRevs(this.s.git, ctx.repoDir, revs, { env, timeoutMs: 5 * 60_000, contentRules: PRIVATE_KEY_RULES, fileRules: [], direct: true });
    if (findings.length === 0) return [];
    const named = findings
      .slice(0, MAX_REFUSED)
      .map((f) => `${f.path}${f.line ? `:${f.line}` : ''} (commit ${f.commit.sha.slice(0, 10)})`)
      .join(', ');
    const more = findings.length > MAX_REFUSED ? ` and ${findings.length - MAX_REFUSED} more` : '';
    return [
      {
        kind: 'content',
        message: `push refused: it adds a private key in ${named}${more}. This repository refuses private keys: take the key out of those commits (git rebase -i, or git filter-repo for older history), rotate it, and push again.`,
      },
    ];
  }

  toJson(scan: SecurityScanRow): ScanJson {
    return scanJson(scan);
  }
}
