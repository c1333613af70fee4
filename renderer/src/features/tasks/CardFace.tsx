// What a card shows on the board: its title (a button that opens it), checklist progress, due
// date, linked issues and pull requests, and the assignee. The same face is drawn under the
// pointer while dragging.
import type { ReactNode } from 'react';
import { Avatar, cx } from '../../components/ui';
import type { Task } from './types';
import s from './Board.module.css';

/** Today as YYYY-MM-DD in the viewer's time zone (due dates are calendar days). */
export function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: y === new Date().getFullYear() ? undefined : 'numeric' });
}

export function CardFace({ task, owner, repo, onOpen, grip, overlay }: { task: Task; owner: string; repo: string; onOpen?: () => void; grip?: ReactNode; overlay?: boolean }) {
  const checked = task.checklist.filter((c) => c.done).length;
  const overdue = task.due_date !== null && task.state !== 'done' && task.due_date < today();
  return (
    <div className={cx(s.card, overlay && s.cardOverlay)}>
      {grip}
      <div className={s.cardMain}>
        {onOpen ? (
          <button type="button" className={s.cardTitle} onClick={onOpen} data-testid="task-open">
            {task.title}
          </button>
        ) : (
          <span className={s.cardTitle}>{task.title}</span>
        )}
        <div className={s.cardMeta}>
          {task.checklist.length > 0 && (
            <span className={cx(s.metaItem, checked === task.checklist.length && s.metaDone)} title={`${checked} of ${task.checklist.length} checklist items done`}>
              ☑ {checked}/{task.checklist.length}
            </span>
          )}
          {task.due_date && (
            <span className={cx(s.metaItem, overdue && s.metaOverdue)} title={overdue ? 'Overdue' : 'Due'}>
              <time dateTime={task.due_date}>{formatDay(task.due_date)}</time>
            </span>
          )}
          {task.links.map((l) => (
            <a
              key={l.number}
              className={cx(s.metaItem, s.link, l.state === 'closed' && s.linkClosed)}
              href={`/${owner}/${repo}/${l.is_pull ? 'pulls' : 'issues'}/${l.number}`}
              title={l.title ? `${l.is_pull ? 'Pull request' : 'Issue'} #${l.number}: ${l.title} (${l.state})` : `#${l.number}`}
            >
              #{l.number}
            </a>
          ))}
          {task.assignee && (
            <span className={s.assignee} title={`Assigned to ${task.assignee.login}`}>
              <Avatar name={task.assignee.login} size={20} />
              <span className="visually-hidden">Assigned to {task.assignee.login}</span>
            </span>
          )}
        </div>
      </div>
    </div>
  );
}
