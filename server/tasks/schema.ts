// The tasks feature's tables, added to the db's `Database` by declaration merging.
import type { Generated, Selectable } from 'kysely';

type Id = Generated<number>;

/** The three states a column (and so every card in it) belongs to. */
export const TASK_STATES = ['todo', 'doing', 'done'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * One row per repository that has a board. Every write to the board bumps `version` first: that
 * UPDATE is what serializes concurrent writers on PostgreSQL (the row lock is held to commit), and
 * the number tells a browser whether the board it shows is older than an event it hears about.
 */
export interface TaskBoardTable {
  repo_id: number;
  version: number;
  created_at: number;
}

export interface TaskColumnTable {
  id: Id;
  repo_id: number;
  name: string;
  state: TaskState;
  /** 0-based, dense: the order of the columns left to right. */
  position: number;
  created_at: number;
  updated_at: number;
}

export interface TaskTable {
  id: Id;
  repo_id: number;
  column_id: number;
  /** 0-based, dense within the column: renumbered in the transaction that moves a card. */
  position: number;
  title: string;
  body: string;
  /** JSON: [{"text": "...", "done": false}, ...] */
  checklist: string;
  assignee_id: number | null;
  /** YYYY-MM-DD: a calendar day, not an instant, so no time zone can shift it. */
  due_date: string | null;
  poster_id: number | null;
  created_at: number;
  updated_at: number;
}

/** Issues and pull requests a card links to (one sequence of numbers, one table). */
export interface TaskLinkTable {
  task_id: number;
  issue_id: number;
}

/** Who has been told about a mention on a card: once per card per user, keyed on the event that told them. */
export interface TaskMentionTable {
  task_id: number;
  user_id: number;
  event_id: number;
}

export type TaskBoardRow = Selectable<TaskBoardTable>;
export type TaskColumnRow = Selectable<TaskColumnTable>;
export type TaskRow = Selectable<TaskTable>;

declare module '../db/schema.js' {
  interface Database {
    task_boards: TaskBoardTable;
    task_columns: TaskColumnTable;
    tasks: TaskTable;
    task_links: TaskLinkTable;
    task_mentions: TaskMentionTable;
  }
}
