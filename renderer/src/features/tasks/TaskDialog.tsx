// A card opened: its fields to edit (title, description with preview, column, assignee, due
// date, checklist, linked issues and pull requests), or the same dialog empty to add a card to
// a column. Readers see the card without the form. Changing the column here is also the way to
// move a card without dragging at all.
import { useState } from 'react';
import { Button, ConfirmModal, FormError, Loading, Modal, ErrorState } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { MarkdownBox } from '../pulls/bits';
import { useAssignees, useTask, useTaskMutations } from './api';
import { formatDay } from './CardFace';
import { STATE_LABELS, type CheckItem, type Column, type Task, type TaskFields } from './types';
import s from './Board.module.css';

export function TaskDialog({
  owner,
  repo,
  taskId,
  column,
  columns,
  canWrite,
  onClose,
}: {
  owner: string;
  repo: string;
  /** null: a new card, in `column`. */
  taskId: number | null;
  column?: number;
  columns: Column[];
  canWrite: boolean;
  onClose: () => void;
}) {
  const q = useTask(owner, repo, taskId);
  const title = taskId === null ? 'Add a card' : (q.data?.title ?? 'Card');
  let body;
  if (taskId !== null && q.isPending) body = <Loading />;
  else if (taskId !== null && q.isError) body = <ErrorState error={q.error} retry={() => void q.refetch()} />;
  else if (!canWrite && q.data) body = <TaskView task={q.data} owner={owner} repo={repo} />;
  else body = <TaskForm key={q.data?.id ?? 'new'} owner={owner} repo={repo} task={q.data ?? null} column={column} columns={columns} onDone={onClose} />;
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={title}>
      <div className={s.dialogBody} data-testid="task-dialog">
        {body}
      </div>
    </Modal>
  );
}

function TaskView({ task, owner, repo }: { task: Task; owner: string; repo: string }) {
  return (
    <div>
      <p className="muted">
        {task.column_name} · {STATE_LABELS[task.state]}
        {task.assignee && <> · assigned to {task.assignee.login}</>}
        {task.due_date && <> · due {formatDay(task.due_date)}</>}
      </p>
      {task.body_html ? <RenderedHtml html={task.body_html} testId="task-body" /> : <p className="faint">No description.</p>}
      {task.checklist.length > 0 && (
        <ul className={s.checklist}>
          {task.checklist.map((c, i) => (
            <li key={i}>
              <input type="checkbox" checked={c.done} disabled aria-label={c.text} /> {c.text}
            </li>
          ))}
        </ul>
      )}
      <Links task={task} owner={owner} repo={repo} />
    </div>
  );
}

function Links({ task, owner, repo }: { task: Task; owner: string; repo: string }) {
  if (task.links.length === 0) return null;
  return (
    <ul className={s.linkList}>
      {task.links.map((l) => (
        <li key={l.number}>
          <a href={`/${owner}/${repo}/${l.is_pull ? 'pulls' : 'issues'}/${l.number}`}>#{l.number}</a> {l.title} <span className="faint">({l.state})</span>
        </li>
      ))}
    </ul>
  );
}

/** "#12, 15 #7" → [12, 15, 7]; anything else is left for the server to refuse. */
function parseLinks(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const nums = parts.map((p) => Number(p.replace(/^#/, '')));
  return nums.every((n) => Number.isSafeInteger(n) && n > 0) ? [...new Set(nums)] : null;
}

function TaskForm({ owner, repo, task, column, columns, onDone }: { owner: string; repo: string; task: Task | null; column?: number; columns: Column[]; onDone: () => void }) {
  const m = useTaskMutations(owner, repo);
  const assignees = useAssignees(owner, repo, true);
  const [title, setTitle] = useState(task?.title ?? '');
  const [body, setBody] = useState(task?.body ?? '');
  const [columnId, setColumnId] = useState<number>(task?.column ?? column ?? columns[0]?.id ?? 0);
  const [assignee, setAssignee] = useState(task?.assignee?.login ?? '');
  const [due, setDue] = useState(task?.due_date ?? '');
  const [checklist, setChecklist] = useState<CheckItem[]>(task?.checklist ?? []);
  const [newItem, setNewItem] = useState('');
  const [links, setLinks] = useState(task?.links.map((l) => `#${l.number}`).join(' ') ?? '');
  const [linkError, setLinkError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const pending = m.create.isPending || m.update.isPending;

  const submit = () => {
    const linkNumbers = parseLinks(links);
    if (linkNumbers === null) return setLinkError('Links are issue or pull request numbers, like #12 #15.');
    setLinkError(null);
    const items = newItem.trim() ? [...checklist, { text: newItem.trim(), done: false }] : checklist;
    const fields: TaskFields = { title, body, assignee: assignee.trim() || null, due_date: due || null, checklist: items, links: linkNumbers };
    if (task) {
      // only what this form changed is sent, so a field someone else changed meanwhile keeps
      // their value; a change of column moves the card (to the end of it)
      const was: TaskFields = {
        title: task.title,
        body: task.body,
        assignee: task.assignee?.login ?? null,
        due_date: task.due_date,
        checklist: task.checklist,
        links: task.links.map((l) => l.number),
      };
      const changed = Object.fromEntries(Object.entries(fields).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(was[k as keyof TaskFields]))) as TaskFields;
      if (columnId !== task.column) changed.column = columnId;
      if (Object.keys(changed).length === 0) return onDone();
      m.update.mutate({ id: task.id, fields: changed }, { onSuccess: onDone });
    } else {
      m.create.mutate({ ...fields, title, column: columnId }, { onSuccess: onDone });
    }
  };

  return (
    <form
      className={s.form}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label htmlFor="task-title">Title</label>
      <input id="task-title" type="text" value={title} maxLength={255} required autoFocus={!task} onChange={(e) => setTitle(e.target.value)} data-testid="task-title-input" />

      <label htmlFor="task-body">Description</label>
      <MarkdownBox id="task-body" label="Description" value={body} onChange={setBody} context={`${owner}/${repo}`} rows={5} placeholder="Markdown; @name tells someone" testId="task-body-input" />

      <div className={s.formRow}>
        <div>
          <label htmlFor="task-column">Column</label>
          <select id="task-column" value={columnId} onChange={(e) => setColumnId(Number(e.target.value))} data-testid="task-column-select">
            {columns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
                {c.name.toLowerCase() === STATE_LABELS[c.state].toLowerCase() ? '' : ` (${STATE_LABELS[c.state]})`}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="task-assignee">Assignee</label>
          <input
            id="task-assignee"
            type="text"
            list="task-assignees"
            value={assignee}
            maxLength={40}
            placeholder="user name"
            onChange={(e) => setAssignee(e.target.value)}
            data-testid="task-assignee-input"
          />
          <datalist id="task-assignees">
            {(assignees.data ?? []).map((u) => (
              <option key={u.id} value={u.login} />
            ))}
            <option value={owner} />
          </datalist>
        </div>
        <div>
          <label htmlFor="task-due">Due date</label>
          <input id="task-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} data-testid="task-due-input" />
        </div>
      </div>

      <fieldset className={s.fieldset}>
        <legend>Checklist</legend>
        <ul className={s.checklist} data-testid="task-checklist">
          {checklist.map((c, i) => (
            <li key={i}>
              <label>
                <input type="checkbox" checked={c.done} onChange={(e) => setChecklist(checklist.map((x, j) => (j === i ? { ...x, done: e.target.checked } : x)))} /> {c.text}
              </label>
              <button type="button" className={s.iconButton} aria-label={`Remove “${c.text}”`} onClick={() => setChecklist(checklist.filter((_, j) => j !== i))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className={s.addItem}>
          <input
            type="text"
            aria-label="New checklist item"
            value={newItem}
            maxLength={500}
            placeholder="Add an item"
            onChange={(e) => setNewItem(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                if (newItem.trim()) {
                  setChecklist([...checklist, { text: newItem.trim(), done: false }]);
                  setNewItem('');
                }
              }
            }}
            data-testid="task-checklist-input"
          />
        </div>
      </fieldset>

      <label htmlFor="task-links">Linked issues and pull requests</label>
      <input id="task-links" type="text" value={links} placeholder="#12 #15" onChange={(e) => setLinks(e.target.value)} data-testid="task-links-input" />
      {task && <Links task={task} owner={owner} repo={repo} />}
      {linkError && <FormError error={linkError} />}
      <FormError error={m.create.error ?? m.update.error} />

      <div className={s.formActions}>
        {task && (
          <Button type="button" variant="danger" onClick={() => setDeleting(true)} data-testid="task-delete">
            Delete
          </Button>
        )}
        <span className={s.spacer} />
        <Button type="button" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" busy={pending} disabled={!title.trim()} data-testid="task-save">
          {task ? 'Save' : 'Add card'}
        </Button>
      </div>
      {task && (
        <ConfirmModal
          open={deleting}
          title={`Delete “${task.title}”?`}
          confirmLabel="Delete card"
          busy={m.remove.isPending}
          error={m.remove.error}
          onCancel={() => setDeleting(false)}
          onConfirm={() => m.remove.mutate(task.id, { onSuccess: onDone })}
        >
          <p>The card goes for everyone. This can't be undone.</p>
        </ConfirmModal>
      )}
    </form>
  );
}
