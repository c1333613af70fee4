// The task board as the API returns it (/api/v1/repos/{o}/{r}/tasks…).
import type { User } from '../users/types';

export type TaskState = 'todo' | 'doing' | 'done';
export const TASK_STATES: readonly TaskState[] = ['todo', 'doing', 'done'];
export const STATE_LABELS: Record<TaskState, string> = { todo: 'To do', doing: 'In progress', done: 'Done' };

export interface Column {
  id: number;
  name: string;
  state: TaskState;
  position: number;
  tasks_count: number;
}

export interface CheckItem {
  text: string;
  done: boolean;
}

export interface TaskLink {
  number: number;
  /** Empty for a confidential issue the viewer may not see. */
  title: string;
  state: 'open' | 'closed';
  is_pull: boolean;
  html_url: string;
}

export interface Task {
  id: number;
  title: string;
  body: string;
  /** Only on single cards (GET/POST/PATCH of one). */
  body_html?: string;
  state: TaskState;
  column: number;
  column_name: string;
  position: number;
  assignee: User | null;
  due_date: string | null;
  checklist: CheckItem[];
  links: TaskLink[];
  user: User | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

export interface TaskFields {
  title?: string;
  body?: string;
  state?: TaskState;
  column?: number;
  position?: number;
  assignee?: string | null;
  due_date?: string | null;
  checklist?: CheckItem[];
  links?: number[];
}
