// Labels and milestones. A label belongs to a repository or to an organization (its repositories
// share it); a scoped label (`priority/high`) may be exclusive, and an issue then carries at most
// one label of that scope — adding `priority/low` takes `priority/high` off, as in Gitea.
import type { Transaction } from 'kysely';
import type { Db } from '../db/index.js';
import type { Database } from '../db/schema.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import type { LabelRow, MilestoneRow } from './schema.js';

export const LABELS_PER_ISSUE_MAX = 100;
const LABEL_NAME_MAX = 100;

/** `#rgb`, `rgb`, `#rrggbb` or `rrggbb` → six lower-case hex digits; anything else is refused. */
export function cleanColor(color: string): string {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!m) throw Invalid(`color: "${color.slice(0, 20)}" is not a color (use #rrggbb)`);
  const hex = m[1]!.toLowerCase();
  return hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
}

export function cleanLabelName(name: string): string {
  const n = name.trim();
  if (!n) throw Invalid('name: must not be empty');
  if (n.length > LABEL_NAME_MAX) throw Invalid(`name: at most ${LABEL_NAME_MAX} characters`);
  if (/[\x00-\x1f\x7f]/.test(n)) throw Invalid('name: must not contain control characters');
  return n;
}

/** The scope of a scoped label: `priority/high` → `priority`; null when it has none. */
export function labelScope(name: string): string | null {
  const i = name.lastIndexOf('/');
  return i > 0 && i < name.length - 1 ? name.slice(0, i) : null;
}

/** A date as the API takes it: `2026-12-31` or a full ISO time; null clears it. */
export function parseDate(value: string | null | undefined, what: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  const ok = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const t = ok ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : NaN;
  if (!Number.isFinite(t)) throw Invalid(`${what}: "${value.slice(0, 40)}" is not a date (use YYYY-MM-DD or an ISO 8601 time)`);
  return t;
}

export interface LabelInput {
  name?: string;
  color?: string;
  description?: string;
  exclusive?: boolean;
  is_archived?: boolean;
}

export interface MilestoneInput {
  title?: string;
  description?: string;
  state?: 'open' | 'closed';
  due_on?: string | null;
}

export type LabelOwner = { repoId: number } | { orgId: number };

export class LabelService {
  constructor(private readonly db: Db) {}

  private owned(owner: LabelOwner) {
    return 'repoId' in owner ? { repo_id: owner.repoId, org_id: null } : { repo_id: null, org_id: owner.orgId };
  }

  /** A repository's labels, or an organization's. */
  async list(owner: LabelOwner): Promise<LabelRow[]> {
    const q = this.db.selectFrom('labels').selectAll();
    return ('repoId' in owner ? q.where('repo_id', '=', owner.repoId) : q.where('org_id', '=', owner.orgId)).orderBy('lower_name').orderBy('id').execute();
  }

  /** Every label an issue of this repository may carry: its own and its organization's. */
  async usable(repoId: number, ownerId: number): Promise<LabelRow[]> {
    return this.db
      .selectFrom('labels')
      .selectAll()
      .where((eb) => eb.or([eb('repo_id', '=', repoId), eb('org_id', '=', ownerId)]))
      .orderBy('lower_name')
      .orderBy('id')
      .execute();
  }

  async get(owner: LabelOwner, id: number): Promise<LabelRow> {
    const row = await this.db.selectFrom('labels').selectAll().where('id', '=', id).executeTakeFirst();
    const mine = row && ('repoId' in owner ? row.repo_id === owner.repoId : row.org_id === owner.orgId);
    if (!row || !mine) throw NotFound('label not found');
    return row;
  }

  async create(owner: LabelOwner, input: LabelInput): Promise<LabelRow> {
    const name = cleanLabelName(input.name ?? '');
    const color = cleanColor(input.color ?? '');
    const now = Date.now();
    await this.refuseTaken(owner, name);
    return this.db
      .insertInto('labels')
      .values({
        ...this.owned(owner),
        name,
        lower_name: name.toLowerCase(),
        color,
        description: input.description ?? '',
        exclusive: input.exclusive ? 1 : 0,
        archived_at: input.is_archived ? now : null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async edit(owner: LabelOwner, id: number, input: LabelInput): Promise<LabelRow> {
    const row = await this.get(owner, id);
    const name = input.name === undefined ? row.name : cleanLabelName(input.name);
    const color = input.color === undefined ? row.color : cleanColor(input.color);
    if (name.toLowerCase() !== row.lower_name) await this.refuseTaken(owner, name);
    const now = Date.now();
    return this.db
      .updateTable('labels')
      .set({
        name,
        lower_name: name.toLowerCase(),
        color,
        description: input.description ?? row.description,
        exclusive: input.exclusive === undefined ? row.exclusive : input.exclusive ? 1 : 0,
        archived_at: input.is_archived === undefined ? row.archived_at : input.is_archived ? (row.archived_at ?? now) : null,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async delete(owner: LabelOwner, id: number): Promise<void> {
    await this.get(owner, id);
    await this.db.deleteFrom('labels').where('id', '=', id).execute();
  }

  private async refuseTaken(owner: LabelOwner, name: string): Promise<void> {
    const q = this.db.selectFrom('labels').select('id').where('lower_name', '=', name.toLowerCase());
    const taken = await ('repoId' in owner ? q.where('repo_id', '=', owner.repoId) : q.where('org_id', '=', owner.orgId)).executeTakeFirst();
    if (taken) throw Conflict(`a label named "${name}" already exists`);
  }

  /** The labels on each issue, in one query. */
  async ofIssues(issueIds: number[]): Promise<Map<number, LabelRow[]>> {
    const out = new Map<number, LabelRow[]>(issueIds.map((id) => [id, []]));
    if (!issueIds.length) return out;
    const rows = await this.db
      .selectFrom('issue_labels as il')
      .innerJoin('labels as l', 'l.id', 'il.label_id')
      .selectAll('l')
      .select('il.issue_id')
      .where('il.issue_id', 'in', issueIds)
      .orderBy('l.lower_name')
      .execute();
    for (const { issue_id, ...label } of rows) out.get(issue_id)!.push(label);
    return out;
  }

  /**
   * Resolves label ids (or names) an issue of this repository may carry; unknown ones are a 422
   * and more than LABELS_PER_ISSUE_MAX too.
   */
  async resolve(repoId: number, ownerId: number, refs: (number | string)[]): Promise<LabelRow[]> {
    if (refs.length > LABELS_PER_ISSUE_MAX) throw Invalid(`labels: at most ${LABELS_PER_ISSUE_MAX} on one issue`);
    const usable = await this.usable(repoId, ownerId);
    const out = new Map<number, LabelRow>();
    for (const ref of refs) {
      const l = typeof ref === 'number' ? usable.find((x) => x.id === ref) : usable.find((x) => x.lower_name === ref.toLowerCase());
      if (!l) throw Invalid(`labels: ${JSON.stringify(ref)} is not a label of this repository`);
      out.set(l.id, l);
    }
    return [...out.values()];
  }

  /**
   * Sets (replace) or adds labels on an issue inside the caller's transaction, keeping at most one
   * label per exclusive scope (the last one given wins). Returns what was added and removed.
   */
  async apply(trx: Transaction<Database>, issueId: number, labels: LabelRow[], mode: 'replace' | 'add'): Promise<{ added: LabelRow[]; removed: LabelRow[]; now: LabelRow[] }> {
    const current = await trx.selectFrom('issue_labels as il').innerJoin('labels as l', 'l.id', 'il.label_id').selectAll('l').where('il.issue_id', '=', issueId).execute();
    const next = new Map<number, LabelRow>(mode === 'add' ? current.map((l) => [l.id, l]) : []);
    for (const l of labels) {
      const scope = l.exclusive ? labelScope(l.name) : null;
      if (scope !== null) for (const [id, other] of next) if (other.exclusive && labelScope(other.name) === scope) next.delete(id);
      next.set(l.id, l);
    }
    if (next.size > LABELS_PER_ISSUE_MAX) throw Invalid(`labels: at most ${LABELS_PER_ISSUE_MAX} on one issue`);
    const added = [...next.values()].filter((l) => !current.some((c) => c.id === l.id));
    const removed = current.filter((c) => !next.has(c.id));
    if (removed.length)
      await trx
        .deleteFrom('issue_labels')
        .where('issue_id', '=', issueId)
        .where(
          'label_id',
          'in',
          removed.map((l) => l.id),
        )
        .execute();
    for (const l of added) await trx.insertInto('issue_labels').values({ issue_id: issueId, label_id: l.id }).execute();
    return { added, removed, now: [...next.values()] };
  }

  async remove(trx: Transaction<Database>, issueId: number, labelId: number): Promise<boolean> {
    const r = await trx.deleteFrom('issue_labels').where('issue_id', '=', issueId).where('label_id', '=', labelId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- milestones ------------------------------------------------------------------------------

  async milestones(repoId: number, opts: { state?: 'open' | 'closed' | 'all'; name?: string } = {}): Promise<MilestoneRow[]> {
    let q = this.db.selectFrom('milestones').selectAll().where('repo_id', '=', repoId);
    if (opts.state === 'open') q = q.where('is_closed', '=', 0);
    if (opts.state === 'closed') q = q.where('is_closed', '=', 1);
    if (opts.name) q = q.where('title', '=', opts.name);
    return q.orderBy('due_on').orderBy('id').execute();
  }

  /** A milestone by id, or by title when `ref` is not a number (Gitea takes both). */
  async milestone(repoId: number, ref: string | number): Promise<MilestoneRow> {
    const q = this.db.selectFrom('milestones').selectAll().where('repo_id', '=', repoId);
    const row = await (typeof ref === 'number' || /^\d+$/.test(ref) ? q.where('id', '=', Number(ref)) : q.where('title', '=', ref)).executeTakeFirst();
    if (!row) throw NotFound('milestone not found');
    return row;
  }

  /** A milestone a request body names by id: one of another repository, or none, is bad input (422). */
  async milestoneForBody(repoId: number, id: number): Promise<MilestoneRow> {
    const row = await this.db.selectFrom('milestones').selectAll().where('repo_id', '=', repoId).where('id', '=', id).executeTakeFirst();
    if (!row) throw Invalid(`milestone: ${id} is not a milestone of this repository`);
    return row;
  }

  async createMilestone(repoId: number, input: MilestoneInput): Promise<MilestoneRow> {
    const title = cleanMilestoneTitle(input.title ?? '');
    const due = parseDate(input.due_on, 'due_on');
    const now = Date.now();
    const closed = input.state === 'closed';
    return this.db
      .insertInto('milestones')
      .values({ repo_id: repoId, title, description: input.description ?? '', is_closed: closed ? 1 : 0, due_on: due, closed_at: closed ? now : null, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async editMilestone(repoId: number, ref: string, input: MilestoneInput): Promise<MilestoneRow> {
    const row = await this.milestone(repoId, ref);
    const title = input.title === undefined ? row.title : cleanMilestoneTitle(input.title);
    const due = input.due_on === undefined ? row.due_on : parseDate(input.due_on, 'due_on');
    const closed = input.state === undefined ? row.is_closed === 1 : input.state === 'closed';
    const now = Date.now();
    return this.db
      .updateTable('milestones')
      .set({ title, description: input.description ?? row.description, due_on: due, is_closed: closed ? 1 : 0, closed_at: closed ? (row.closed_at ?? now) : null, updated_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async deleteMilestone(repoId: number, ref: string): Promise<void> {
    const row = await this.milestone(repoId, ref);
    await this.db.deleteFrom('milestones').where('id', '=', row.id).execute();
  }

  /** Open and closed issue counts per milestone (pull requests count too, as in Gitea). */
  async milestoneCounts(ids: number[]): Promise<Map<number, { open: number; closed: number }>> {
    const out = new Map<number, { open: number; closed: number }>(ids.map((id) => [id, { open: 0, closed: 0 }]));
    if (!ids.length) return out;
    const rows = await this.db
      .selectFrom('issues')
      .select(['milestone_id', 'is_closed', (eb) => eb.fn.countAll<number>().as('n')])
      .where('milestone_id', 'in', ids)
      .groupBy(['milestone_id', 'is_closed'])
      .execute();
    for (const r of rows) {
      const c = out.get(r.milestone_id!)!;
      if (r.is_closed) c.closed = Number(r.n);
      else c.open = Number(r.n);
    }
    return out;
  }
}

function cleanMilestoneTitle(title: string): string {
  const t = title.replace(/[\r\n\t]+/g, ' ').trim();
  if (!t) throw Invalid('title: must not be empty');
  if (t.length > 255) throw Invalid('title: at most 255 characters');
  return t;
}
