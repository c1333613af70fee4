// A repository's task board: columns in one of three states (todo, doing, done) and cards in
// them, in an order people choose by dragging. The board is made on first use with the columns
// "To do", "Doing" and "Done". A card's state is its column's, never stored twice.
//
// Order is a dense 0-based position per column, renumbered in the transaction that moves a
// card. Every write first bumps the board's version row: on PostgreSQL that UPDATE holds the
// row lock to commit, so two people dropping cards into one column at once are applied one
// after the other instead of both reading the same positions; SQLite has one writer anyway.
// Mentions and assignments are recorded as durable events in the same transaction; the live
// `task.updated` signal goes out after the commit.
import type { Transaction } from 'kysely';
import { facts as repoFacts, type RepoRecord } from '../repos/index.js';
import type { Database, UserRow } from '../db/schema.js';
import { checkBody, cleanTitle, findMentions } from '../issues/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { toActorUser, USER_TYPE } from '../users/index.js';
import { TASK_STATES, type TaskColumnRow, type TaskRow, type TaskState } from './schema.js';

export const COLUMN_NAME_MAX = 100;
export const MAX_COLUMNS = 20;
export const MAX_TASKS = 2_000;
export const CHECKLIST_MAX = 100;
export const CHECK_TEXT_MAX = 500;
export const LINKS_MAX = 50;

const DEFAULT_COLUMNS: readonly { name: string; state: TaskState }[] = [
  { name: 'To do', state: 'todo' },
  { name: 'Doing', state: 'doing' },
  { name: 'Done', state: 'done' },
];

export interface CheckItem {
  text: string;
  done: boolean;
}

/** What a caller may set on a card; absent fields stay as they are. */
export interface TaskInput {
  title?: string;
  body?: string;
  state?: TaskState;
  /** A column id of this board. */
  column?: number;
  /** 0-based index in the column; past the end means the end. */
  position?: number;
  /** A user name, or null to unassign. */
  assignee?: string | null;
  /** YYYY-MM-DD, or null to clear. */
  due_date?: string | null;
  checklist?: CheckItem[];
  /** Issue and pull request numbers of this repository. */
  links?: number[];
}

export interface ColumnInput {
  name?: string;
  state?: TaskState;
  position?: number;
}

/** A card with what its JSON needs besides users: its column and the issues it links. */
export interface TaskView {
  task: TaskRow;
  column: TaskColumnRow;
  links: LinkedIssue[];
}

export interface LinkedIssue {
  number: number;
  title: string;
  isPull: boolean;
  isClosed: boolean;
  isConfidential: boolean;
}

type Trx = Transaction<Database>;

/** A calendar date that exists (2026-02-30 does not). */
export function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && y <= 9999 && t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function cleanColumnName(name: string): string {
  const n = name.replace(/\s+/g, ' ').trim();
  if (!n) throw Invalid('name: must not be empty');
  if (n.length > COLUMN_NAME_MAX) throw Invalid(`name: at most ${COLUMN_NAME_MAX} characters`);
  if (/[\u0000-\u001f\u007f]/.test(n)) throw Invalid('name: must not contain control characters');
  return n;
}

function cleanChecklist(items: CheckItem[]): CheckItem[] {
  if (items.length > CHECKLIST_MAX) throw Invalid(`checklist: at most ${CHECKLIST_MAX} items`);
  return items.map((it, i) => {
    const text = it.text.replace(/[\r\n\t]+/g, ' ').trim();
    if (!text) throw Invalid(`checklist.${i}.text: must not be empty`);
    if (text.length > CHECK_TEXT_MAX) throw Invalid(`checklist.${i}.text: at most ${CHECK_TEXT_MAX} characters`);
    return { text, done: it.done };
  });
}

export function parseChecklist(json: string): CheckItem[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? v.filter((x): x is CheckItem => !!x && typeof x.text === 'string' && typeof x.done === 'boolean') : [];
  } catch {
    return [];
  }
}

export class TaskService {
  constructor(private readonly s: Services) {}

  // ---- reads ----------------------------------------------------------------------------

  /** The board's columns, left to right (the board is made on first use). */
  async columns(repoId: number): Promise<TaskColumnRow[]> {
    await this.ensureBoard(repoId);
    return this.s.db.selectFrom('task_columns').selectAll().where('repo_id', '=', repoId).orderBy('position').orderBy('id').execute();
  }

  async version(repoId: number): Promise<number> {
    const row = await this.s.db.selectFrom('task_boards').select('version').where('repo_id', '=', repoId).executeTakeFirst();
    return row?.version ?? 0;
  }

  /** Every card of the board in board order (column, then position), optionally of one state or column. */
  async list(repoId: number, filter: { state?: TaskState; column?: number; assigneeId?: number } = {}): Promise<TaskView[]> {
    const columns = await this.columns(repoId);
    const byId = new Map(columns.map((c) => [c.id, c]));
    let q = this.s.db.selectFrom('tasks').selectAll().where('repo_id', '=', repoId);
    if (filter.column !== undefined) q = q.where('column_id', '=', filter.column);
    if (filter.state !== undefined) {
      const ids = columns.filter((c) => c.state === filter.state).map((c) => c.id);
      if (ids.length === 0) return [];
      q = q.where('column_id', 'in', ids);
    }
    if (filter.assigneeId !== undefined) q = q.where('assignee_id', '=', filter.assigneeId);
    const rows = await q.execute();
    const order = new Map(columns.map((c, i) => [c.id, i]));
    rows.sort((a, b) => order.get(a.column_id)! - order.get(b.column_id)! || a.position - b.position || a.id - b.id);
    const links = await this.linksOf(rows.map((r) => r.id));
    return rows.map((task) => ({ task, column: byId.get(task.column_id)!, links: links.get(task.id) ?? [] }));
  }

  /** One card of this repository's board, or NotFound (a card of another board is not found either). */
  async get(repoId: number, id: number): Promise<TaskView> {
    const view = await this.find(repoId, id);
    if (!view) throw NotFound('task not found');
    return view;
  }

  async find(repoId: number, id: number): Promise<TaskView | undefined> {
    const task = Number.isSafeInteger(id) && id > 0 ? await this.s.db.selectFrom('tasks').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst() : undefined;
    if (!task) return undefined;
    const column = await this.s.db.selectFrom('task_columns').selectAll().where('id', '=', task.column_id).executeTakeFirstOrThrow();
    return { task, column, links: (await this.linksOf([task.id])).get(task.id) ?? [] };
  }

  async column(repoId: number, id: number): Promise<TaskColumnRow> {
    const col = Number.isSafeInteger(id) && id > 0 ? await this.s.db.selectFrom('task_columns').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst() : undefined;
    if (!col) throw NotFound('column not found');
    return col;
  }

  /** How many cards each column holds. */
  async counts(repoId: number): Promise<Map<number, number>> {
    const rows = await this.s.db
      .selectFrom('tasks')
      .select(['column_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('repo_id', '=', repoId)
      .groupBy('column_id')
      .execute();
    return new Map(rows.map((r) => [r.column_id, Number(r.n)]));
  }

  // ---- cards ----------------------------------------------------------------------------

  async create(rec: RepoRecord, actorId: number, input: TaskInput & { title: string }): Promise<TaskView> {
    const title = cleanTitle(input.title);
    const body = checkBody(input.body ?? '');
    const checklist = cleanChecklist(input.checklist ?? []);
    const dueDate = this.cleanDueDate(input.due_date);
    const assignee = input.assignee ? await this.assignable(rec, input.assignee) : null;
    const linkIds = input.links ? await this.resolveLinks(rec.repo.id, input.links) : [];
    const repoId = rec.repo.id;
    const { id, version } = await this.write(repoId, async (trx) => {
      const count = await trx
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('repo_id', '=', repoId)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_TASKS) throw Invalid(`a board holds at most ${MAX_TASKS} cards`);
      const column = await this.target(trx, repoId, null, input.column, input.state ?? (input.column === undefined ? 'todo' : undefined));
      const now = Date.now();
      const row = await trx
        .insertInto('tasks')
        .values({
          repo_id: repoId,
          column_id: column.id,
          // appended for now; place() puts it where asked
          position: 1_000_000,
          title,
          body,
          checklist: JSON.stringify(checklist),
          assignee_id: assignee?.id ?? null,
          due_date: dueDate ?? null,
          poster_id: actorId,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.place(trx, row.id, null, column.id, input.position ?? null);
      for (const issueId of linkIds) await trx.insertInto('task_links').values({ task_id: row.id, issue_id: issueId }).execute();
      const names = findMentions(`${title}\n\n${body}`);
      if (names.length) await this.s.events.record(trx, 'task.mentioned', { taskId: row.id, repoId, actorId, names });
      if (assignee) await this.s.events.record(trx, 'task.assigned', { taskId: row.id, repoId, actorId, assigneeId: assignee.id });
      return row;
    });
    this.s.events.kick();
    await this.announce(rec, id, 'created', version);
    return this.get(repoId, id);
  }

  /**
   * Changes a card. `column` moves it there (its state follows the column); `state` alone moves
   * it to the end of the first column of that state (a card already in that state stays where
   * it is); `position` places it within the column it ends up in.
   */
  async update(rec: RepoRecord, actorId: number, id: number, input: TaskInput): Promise<TaskView> {
    const repoId = rec.repo.id;
    await this.get(repoId, id);
    const set: Partial<Pick<TaskRow, 'title' | 'body' | 'checklist' | 'assignee_id' | 'due_date'>> = {};
    if (input.title !== undefined) set.title = cleanTitle(input.title);
    if (input.body !== undefined) set.body = checkBody(input.body);
    if (input.checklist !== undefined) set.checklist = JSON.stringify(cleanChecklist(input.checklist));
    if (input.due_date !== undefined) set.due_date = this.cleanDueDate(input.due_date) ?? null;
    let assignee: UserRow | null | undefined;
    if (input.assignee !== undefined) {
      assignee = input.assignee ? await this.assignable(rec, input.assignee) : null;
      set.assignee_id = assignee?.id ?? null;
    }
    const linkIds = input.links !== undefined ? await this.resolveLinks(repoId, input.links) : undefined;
    const { version, moved } = await this.write(repoId, async (trx) => {
      // read again under the board lock: another move may have landed since
      const task = await trx.selectFrom('tasks').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst();
      if (!task) throw NotFound('task not found');
      let moved = false;
      if (input.column !== undefined || input.state !== undefined || input.position !== undefined) {
        const column = await this.target(trx, repoId, task.column_id, input.column, input.state);
        if (column.id !== task.column_id || input.position !== undefined) {
          await this.place(trx, id, task.column_id, column.id, input.position ?? null);
          moved = column.id !== task.column_id || input.position !== task.position;
        }
      }
      await trx
        .updateTable('tasks')
        .set({ ...set, updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
      if (linkIds !== undefined) {
        await trx.deleteFrom('task_links').where('task_id', '=', id).execute();
        for (const issueId of linkIds) await trx.insertInto('task_links').values({ task_id: id, issue_id: issueId }).execute();
      }
      const textChanged = (set.title !== undefined && set.title !== task.title) || (set.body !== undefined && set.body !== task.body);
      if (textChanged) {
        const names = findMentions(`${set.title ?? task.title}\n\n${set.body ?? task.body}`);
        if (names.length) await this.s.events.record(trx, 'task.mentioned', { taskId: id, repoId, actorId, names });
      }
      if (assignee && assignee.id !== task.assignee_id) await this.s.events.record(trx, 'task.assigned', { taskId: id, repoId, actorId, assigneeId: assignee.id });
      return { moved };
    });
    this.s.events.kick();
    await this.announce(rec, id, moved ? 'moved' : 'edited', version);
    return this.get(repoId, id);
  }

  async remove(rec: RepoRecord, id: number): Promise<void> {
    const repoId = rec.repo.id;
    await this.get(repoId, id);
    const { version } = await this.write(repoId, async (trx) => {
      const task = await trx.selectFrom('tasks').select(['id', 'column_id']).where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst();
      if (!task) throw NotFound('task not found');
      await trx.deleteFrom('tasks').where('id', '=', id).execute();
      await this.renumber(trx, task.column_id, await this.cardIds(trx, task.column_id));
      return {};
    });
    await this.announce(rec, id, 'deleted', version);
  }

  // ---- columns --------------------------------------------------------------------------

  async createColumn(rec: RepoRecord, input: ColumnInput & { name: string; state: TaskState }): Promise<TaskColumnRow> {
    const repoId = rec.repo.id;
    const name = cleanColumnName(input.name);
    const { id, version } = await this.write(repoId, async (trx) => {
      const ids = await this.columnIds(trx, repoId);
      if (ids.length >= MAX_COLUMNS) throw Invalid(`a board has at most ${MAX_COLUMNS} columns`);
      const now = Date.now();
      const row = await trx
        .insertInto('task_columns')
        .values({ repo_id: repoId, name, state: input.state, position: ids.length, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.splice(clamp(input.position ?? ids.length, 0, ids.length), 0, row.id);
      await this.renumberColumns(trx, ids);
      return row;
    });
    await this.announce(rec, null, 'columns', version);
    return this.column(repoId, id);
  }

  /** Renames a column, changes its state (its cards' state with it) or moves it. */
  async updateColumn(rec: RepoRecord, id: number, input: ColumnInput): Promise<TaskColumnRow> {
    const repoId = rec.repo.id;
    await this.column(repoId, id);
    const name = input.name !== undefined ? cleanColumnName(input.name) : undefined;
    const { version } = await this.write(repoId, async (trx) => {
      const col = await trx.selectFrom('task_columns').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst();
      if (!col) throw NotFound('column not found');
      if (input.state !== undefined && input.state !== col.state) await this.assertNotLastOfState(trx, col);
      await trx
        .updateTable('task_columns')
        .set({ ...(name !== undefined ? { name } : {}), ...(input.state !== undefined ? { state: input.state } : {}), updated_at: Date.now() })
        .where('id', '=', id)
        .execute();
      if (input.position !== undefined) {
        const ids = (await this.columnIds(trx, repoId)).filter((c) => c !== id);
        ids.splice(clamp(input.position, 0, ids.length), 0, id);
        await this.renumberColumns(trx, ids);
      }
      return {};
    });
    await this.announce(rec, null, 'columns', version);
    return this.column(repoId, id);
  }

  /** Deletes an empty column; the last column of a state stays, so every state has somewhere to go. */
  async deleteColumn(rec: RepoRecord, id: number): Promise<void> {
    const repoId = rec.repo.id;
    await this.column(repoId, id);
    const { version } = await this.write(repoId, async (trx) => {
      const col = await trx.selectFrom('task_columns').selectAll().where('id', '=', id).where('repo_id', '=', repoId).executeTakeFirst();
      if (!col) throw NotFound('column not found');
      const cards = await trx
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('column_id', '=', id)
        .executeTakeFirstOrThrow();
      if (Number(cards.n) > 0) throw Conflict(`column "${col.name}" still holds ${cards.n} card${Number(cards.n) === 1 ? '' : 's'}; move or delete them first`);
      await this.assertNotLastOfState(trx, col);
      await trx.deleteFrom('task_columns').where('id', '=', id).execute();
      await this.renumberColumns(trx, await this.columnIds(trx, repoId));
      return {};
    });
    await this.announce(rec, null, 'columns', version);
  }

  // ---- helpers --------------------------------------------------------------------------

  /** Makes the board and its default columns unless they exist (idempotent under races). */
  private async ensureBoard(repoId: number): Promise<void> {
    if (await this.s.db.selectFrom('task_boards').select('repo_id').where('repo_id', '=', repoId).executeTakeFirst()) return;
    await this.s.db.transaction().execute((trx) => this.ensureBoardIn(trx, repoId));
  }

  private async ensureBoardIn(trx: Trx, repoId: number): Promise<void> {
    const now = Date.now();
    // a concurrent first visit inserts the same row: one of them wins, the other does nothing
    const made = await trx
      .insertInto('task_boards')
      .values({ repo_id: repoId, version: 0, created_at: now })
      .onConflict((oc) => oc.column('repo_id').doNothing())
      .returning('repo_id')
      .executeTakeFirst();
    if (!made) return;
    for (const [position, c] of DEFAULT_COLUMNS.entries()) {
      await trx.insertInto('task_columns').values({ repo_id: repoId, name: c.name, state: c.state, position, created_at: now, updated_at: now }).execute();
    }
  }

  /**
   * Runs a board write in one transaction that starts by bumping the board's version: that
   * row lock serializes writers of one board (see the top of the file). Answers the new version.
   */
  private async write<T extends object>(repoId: number, fn: (trx: Trx) => Promise<T>): Promise<T & { version: number }> {
    return this.s.db.transaction().execute(async (trx) => {
      await this.ensureBoardIn(trx, repoId);
      const { version } = await trx
        .updateTable('task_boards')
        .set((eb) => ({ version: eb('version', '+', 1) }))
        .where('repo_id', '=', repoId)
        .returning('version')
        .executeTakeFirstOrThrow();
      return { ...(await fn(trx)), version };
    });
  }

  /** The column a card goes to: the one named, else the first of the state asked for, else where it is. */
  private async target(trx: Trx, repoId: number, current: number | null, columnId: number | undefined, state: TaskState | undefined): Promise<TaskColumnRow> {
    if (columnId !== undefined) {
      const col = await trx.selectFrom('task_columns').selectAll().where('id', '=', columnId).where('repo_id', '=', repoId).executeTakeFirst();
      if (!col) throw Invalid(`column: no column ${columnId} on this board`);
      if (state !== undefined && state !== col.state) throw Invalid(`state: column "${col.name}" is in state ${col.state}, not ${state}`);
      return col;
    }
    const here = current === null ? undefined : await trx.selectFrom('task_columns').selectAll().where('id', '=', current).executeTakeFirst();
    if (here && (state === undefined || state === here.state)) return here;
    if (state === undefined) throw Invalid('state or column: one is needed');
    if (!TASK_STATES.includes(state)) throw Invalid(`state: must be one of ${TASK_STATES.join(', ')}`);
    const first = await trx.selectFrom('task_columns').selectAll().where('repo_id', '=', repoId).where('state', '=', state).orderBy('position').orderBy('id').limit(1).executeTakeFirst();
    if (!first) throw Invalid(`state: the board has no column in state ${state}`);
    return first;
  }

  /** Puts a card at `index` of column `to` (null: the end), closing the gap it leaves in `from`. */
  private async place(trx: Trx, taskId: number, from: number | null, to: number, index: number | null): Promise<void> {
    const ids = (await this.cardIds(trx, to)).filter((id) => id !== taskId);
    ids.splice(index === null ? ids.length : clamp(index, 0, ids.length), 0, taskId);
    if (from !== null && from !== to) {
      await trx.updateTable('tasks').set({ column_id: to, updated_at: Date.now() }).where('id', '=', taskId).execute();
      await this.renumber(trx, from, await this.cardIds(trx, from));
    }
    await this.renumber(trx, to, ids);
  }

  private async cardIds(trx: Trx, columnId: number): Promise<number[]> {
    return (await trx.selectFrom('tasks').select('id').where('column_id', '=', columnId).orderBy('position').orderBy('id').execute()).map((r) => r.id);
  }

  /** Writes positions 0..n-1 in the given order, touching only the rows that change. */
  private async renumber(trx: Trx, columnId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const now = await trx.selectFrom('tasks').select(['id', 'position', 'column_id']).where('id', 'in', ids).execute();
    const current = new Map(now.map((r) => [r.id, r]));
    for (const [position, id] of ids.entries()) {
      const r = current.get(id);
      if (r && r.position === position && r.column_id === columnId) continue;
      await trx.updateTable('tasks').set({ position, column_id: columnId }).where('id', '=', id).execute();
    }
  }

  private async columnIds(trx: Trx, repoId: number): Promise<number[]> {
    return (await trx.selectFrom('task_columns').select('id').where('repo_id', '=', repoId).orderBy('position').orderBy('id').execute()).map((r) => r.id);
  }

  private async renumberColumns(trx: Trx, ids: number[]): Promise<void> {
    for (const [position, id] of ids.entries()) await trx.updateTable('task_columns').set({ position }).where('id', '=', id).where('position', '!=', position).execute();
  }

  private async assertNotLastOfState(trx: Trx, col: TaskColumnRow): Promise<void> {
    const others = await trx.selectFrom('task_columns').select('id').where('repo_id', '=', col.repo_id).where('state', '=', col.state).where('id', '!=', col.id).limit(1).executeTakeFirst();
    if (!others) throw Invalid(`"${col.name}" is the board's last column in state ${col.state}; every state keeps one`);
  }

  private cleanDueDate(v: string | null | undefined): string | null | undefined {
    if (v === undefined || v === null || v === '') return v === '' ? null : v;
    if (!isCalendarDate(v)) throw Invalid(`due_date: "${v.slice(0, 40)}" is not a date (YYYY-MM-DD)`);
    return v;
  }

  /** The user a card may be assigned to: an active person who can read the repository. */
  private async assignable(rec: RepoRecord, name: string): Promise<UserRow> {
    const u = await this.s.users.byName(name);
    if (!u || u.type !== USER_TYPE.individual || this.s.users.loginProblem(u)) throw Invalid(`assignee: no user "${name.slice(0, 40)}"`);
    if (!(await this.canRead(u, rec))) throw Invalid(`assignee: ${u.name} cannot read ${rec.owner.name}/${rec.repo.name}`);
    return u;
  }

  async canRead(u: UserRow, rec: RepoRecord): Promise<boolean> {
    return this.s.access.can({ kind: 'user', user: toActorUser(u), scopes: null, via: 'session' }, 'read', repoFacts(rec.repo));
  }

  /** Issue and pull request numbers → issue row ids, refusing numbers this repository doesn't have. */
  private async resolveLinks(repoId: number, numbers: number[]): Promise<number[]> {
    const wanted = [...new Set(numbers)];
    if (wanted.length > LINKS_MAX) throw Invalid(`links: at most ${LINKS_MAX}`);
    if (wanted.length === 0) return [];
    const rows = await this.s.db.selectFrom('issues').select(['id', 'index']).where('repo_id', '=', repoId).where('index', 'in', wanted).execute();
    const found = new Map(rows.map((r) => [r.index, r.id]));
    const missing = wanted.filter((n) => !found.has(n));
    if (missing.length) throw Invalid(`links: no issue or pull request ${missing.map((n) => `#${n}`).join(', ')} in this repository`);
    return wanted.map((n) => found.get(n)!);
  }

  private async linksOf(taskIds: number[]): Promise<Map<number, LinkedIssue[]>> {
    const out = new Map<number, LinkedIssue[]>();
    for (let i = 0; i < taskIds.length; i += 500) {
      const rows = await this.s.db
        .selectFrom('task_links as l')
        .innerJoin('issues as i', 'i.id', 'l.issue_id')
        .select(['l.task_id', 'i.index', 'i.title', 'i.is_pull', 'i.is_closed', 'i.is_confidential'])
        .where('l.task_id', 'in', taskIds.slice(i, i + 500))
        .orderBy('i.index')
        .execute();
      for (const r of rows) {
        let list = out.get(r.task_id);
        if (!list) out.set(r.task_id, (list = []));
        list.push({ number: r.index, title: r.title, isPull: r.is_pull === 1, isClosed: r.is_closed === 1, isConfidential: r.is_confidential === 1 });
      }
    }
    return out;
  }

  /** Tells everyone looking at the board what changed (after the commit; a lost one costs a refetch). */
  private async announce(rec: RepoRecord, id: number | null, what: 'created' | 'edited' | 'moved' | 'deleted' | 'columns', version: number): Promise<void> {
    // the write is committed whatever happens here: a failed fan-out is logged, not answered as an error
    await this.s.realtime
      .toRepo(repoFacts(rec.repo), 'task.updated', { repo: `${rec.owner.name}/${rec.repo.name}`, id, what, version })
      .catch((err: unknown) => this.s.log.warn({ err, repoId: rec.repo.id }, 'task.updated not sent'));
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
