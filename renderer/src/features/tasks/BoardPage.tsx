// /<owner>/<repo>/tasks: the repository's task board. Columns side by side (scrolling sideways on
// a narrow screen), cards in the order people put them. People with write access drag cards
// between and within columns with the pointer, or with the keyboard: focus a card's grip, Space
// to pick it up, arrow keys to move it, Space to drop, Escape to put it back (dnd-kit, which
// also announces each step to screen readers). A drop is shown at once and stored with one
// PATCH {column, position}; everyone else's board follows through the live `task.updated` event.
import {
  closestCorners,
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type DragOverEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
  type UniqueIdentifier,
} from '@dnd-kit/core';
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useLayoutEffect, useMemo, useRef, useState, type MutableRefObject } from 'react';
import { Button, ConfirmModal, ErrorState, FormError, Loading, Menu, Modal, useTitle, cx } from '../../components/ui';
import { useRepoContext } from '../repo/RepoLayout';
import { useBoardLive, useColumnMutations, useColumns, useMoveTask, useTasks } from './api';
import { CardFace } from './CardFace';
import { TaskDialog } from './TaskDialog';
import { STATE_LABELS, TASK_STATES, type Column, type Task, type TaskState } from './types';
import s from './Board.module.css';

const STATE_DOT: Record<TaskState, string | undefined> = { todo: s.stateTodo, doing: s.stateDoing, done: s.stateDone };

/** Column id → card ids in order, with dnd-kit's string ids ("col-3", "task-12"). */
type Items = Record<string, string[]>;
const colKey = (id: number) => `col-${id}`;
const cardKey = (id: number) => `task-${id}`;
const idOf = (key: UniqueIdentifier) => Number(String(key).replace(/^\D+-/, ''));

function itemsOf(columns: Column[], tasks: Task[]): Items {
  const items: Items = Object.fromEntries(columns.map((c) => [colKey(c.id), [] as string[]]));
  for (const t of [...tasks].sort((a, b) => a.position - b.position)) items[colKey(t.column)]?.push(cardKey(t.id));
  return items;
}

/**
 * Arrow keys while a card is picked up: up and down move it within its column (dnd-kit's
 * sortable getter); left and right put it at the top of the next column that way, empty or not.
 * The sortable getter alone goes by the nearest rectangle, which from a short column is often a
 * card of the same column.
 */
const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, args) => {
  const { active, collisionRect, droppableRects, droppableContainers } = args.context;
  if (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft') return sortableKeyboardCoordinates(event, args);
  event.preventDefault();
  if (!active || !collisionRect) return undefined;
  const right = event.code === 'ArrowRight';
  let best: { left: number; top: number; width: number } | undefined;
  for (const c of droppableContainers.getEnabled()) {
    if (c.data.current?.type !== 'column') continue;
    const rect = droppableRects.get(c.id);
    // columns to that side of the card (the card sits inside its own column's rectangle)
    if (!rect || (right ? rect.left <= collisionRect.left + collisionRect.width / 2 : rect.right >= collisionRect.left + collisionRect.width / 2)) continue;
    if (!best || (right ? rect.left < best.left : rect.left > best.left)) best = rect;
  }
  return best ? { x: best.left + (best.width - collisionRect.width) / 2, y: best.top + 4 } : undefined;
};

function containerOf(items: Items, key: UniqueIdentifier): string | undefined {
  const k = String(key);
  return k in items ? k : Object.keys(items).find((c) => items[c]!.includes(k));
}

export function BoardPage() {
  const repo = useRepoContext();
  const owner = repo.owner.login;
  const name = repo.name;
  const canWrite = repo.permissions.push;
  const { task: openId } = useSearch({ from: '/$owner/$repo/tasks' });
  const navigate = useNavigate({ from: '/$owner/$repo/tasks' });
  const columns = useColumns(owner, name);
  const tasks = useTasks(owner, name);
  const dragging = useRef(false);
  const live = useBoardLive(owner, name, () => dragging.current);
  const [newIn, setNewIn] = useState<number | null>(null);
  const [addingColumn, setAddingColumn] = useState(false);
  useTitle(`Tasks · ${repo.full_name}`);

  const open = (id: number | undefined) => void navigate({ search: (prev) => ({ ...prev, task: id }) });

  return (
    <div className={s.page}>
      <div className={s.head}>
        <h2 className={s.heading}>Tasks</h2>
        <span className={cx(s.live, live && s.liveOn)} data-testid="board-live" data-live={live}>
          {live ? 'Live' : 'Updates every 20 s'}
        </span>
        {canWrite && (
          <div className={s.headRight}>
            <Button small onClick={() => setAddingColumn(true)} data-testid="add-column">
              Add column
            </Button>
          </div>
        )}
      </div>
      {columns.isPending || tasks.isPending ? (
        <Loading />
      ) : columns.isError || tasks.isError ? (
        <ErrorState
          error={columns.error ?? tasks.error}
          retry={() => {
            void columns.refetch();
            void tasks.refetch();
          }}
        />
      ) : (
        <Board owner={owner} repo={name} columns={columns.data} tasks={tasks.data} canWrite={canWrite} dragging={dragging} onOpen={open} onAdd={setNewIn} />
      )}
      {openId !== undefined && <TaskDialog owner={owner} repo={name} taskId={openId} canWrite={canWrite} columns={columns.data ?? []} onClose={() => open(undefined)} />}
      {newIn !== null && <TaskDialog owner={owner} repo={name} taskId={null} column={newIn} canWrite={canWrite} columns={columns.data ?? []} onClose={() => setNewIn(null)} />}
      {addingColumn && <ColumnDialog owner={owner} repo={name} onClose={() => setAddingColumn(false)} />}
    </div>
  );
}

function Board({
  owner,
  repo,
  columns,
  tasks,
  canWrite,
  dragging,
  onOpen,
  onAdd,
}: {
  owner: string;
  repo: string;
  columns: Column[];
  tasks: Task[];
  canWrite: boolean;
  dragging: MutableRefObject<boolean>;
  onOpen: (id: number) => void;
  onAdd: (column: number) => void;
}) {
  const server = useMemo(() => itemsOf(columns, tasks), [columns, tasks]);
  // during a drag the board shows its own copy, so a refetch can't pull the card from under the pointer
  const [local, setLocal] = useState<Items | null>(null);
  const items = local ?? server;
  const [active, setActive] = useState<Task | null>(null);
  const byKey = useMemo(() => new Map(tasks.map((t) => [cardKey(t.id), t])), [tasks]);
  const columnByKey = useMemo(() => new Map(columns.map((c) => [colKey(c.id), c])), [columns]);
  const move = useMoveTask(owner, repo);
  // a card dropped in another column is a new element there: keyboard focus follows it, so the
  // next arrow key moves it again
  const [refocus, setRefocus] = useState<number | null>(null);
  useLayoutEffect(() => {
    if (refocus === null) return;
    document.querySelector<HTMLElement>(`[data-task-id="${refocus}"] [data-testid="task-move"]`)?.focus();
    setRefocus(null);
  }, [refocus, items]);
  const sensors = useSensors(
    // a click opens a card; only a pointer that travels starts a drag
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: boardKeyboardCoordinates }),
  );

  const finish = () => {
    setLocal(null);
    setActive(null);
    dragging.current = false;
  };

  const onDragStart = ({ active: a }: DragStartEvent) => {
    dragging.current = true;
    setLocal(server);
    setActive(byKey.get(String(a.id)) ?? null);
  };

  // crossing into another column moves the card there now, so the column makes room for it
  const onDragOver = ({ active: a, over }: DragOverEvent) => {
    if (!over) return;
    setLocal((cur) => {
      const its = cur ?? server;
      const from = containerOf(its, a.id);
      const to = containerOf(its, over.id);
      if (!from || !to || from === to) return cur;
      const target = its[to]!;
      const overIndex = target.indexOf(String(over.id));
      const at = overIndex >= 0 ? overIndex : target.length;
      return { ...its, [from]: its[from]!.filter((k) => k !== String(a.id)), [to]: [...target.slice(0, at), String(a.id), ...target.slice(at)] };
    });
  };

  const onDragEnd = ({ active: a, over, activatorEvent }: DragEndEvent) => {
    const its = local ?? server;
    const card = byKey.get(String(a.id));
    const col = containerOf(its, a.id);
    if (!card || !col || !over) return finish();
    let list = its[col]!;
    const overIndex = list.indexOf(String(over.id));
    const from = list.indexOf(String(a.id));
    if (overIndex >= 0 && overIndex !== from) list = arrayMove(list, from, overIndex);
    const position = list.indexOf(String(a.id));
    const column = idOf(col);
    const changed = column !== card.column || position !== card.position;
    if (changed) move(card.id, column, position);
    if (activatorEvent instanceof KeyboardEvent) setRefocus(card.id);
    finish();
    // the dropped order stays on screen until the cached list has it (a tick later), so the
    // card doesn't jump back for a frame
    if (changed) setLocal({ ...its, [col]: list });
  };
  useEffect(() => {
    if (!dragging.current) setLocal(null);
  }, [server, dragging]);

  const title = (key: UniqueIdentifier | undefined) => (key === undefined ? '' : (byKey.get(String(key))?.title ?? columnByKey.get(String(key))?.name ?? ''));
  const where = (key: UniqueIdentifier | undefined) => {
    const its = local ?? server;
    const col = key === undefined ? undefined : containerOf(its, key);
    const c = col ? columnByKey.get(col) : undefined;
    if (!c || !col) return '';
    const i = its[col]!.indexOf(String(active ? cardKey(active.id) : ''));
    return i >= 0 ? `${c.name}, position ${i + 1} of ${its[col]!.length}` : c.name;
  };
  const announcements: Announcements = {
    onDragStart: ({ active: a }) => `Picked up card ${title(a.id)}. Arrow keys move it, Space drops it, Escape cancels.`,
    onDragOver: ({ active: a, over }) => (over ? `Card ${title(a.id)} is over ${where(over.id)}.` : `Card ${title(a.id)} is not over a column.`),
    onDragEnd: ({ active: a, over }) => (over ? `Card ${title(a.id)} dropped in ${where(over.id)}.` : `Card ${title(a.id)} put back.`),
    onDragCancel: ({ active: a }) => `Moving cancelled. Card ${title(a.id)} put back.`,
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCorners}
      onDragStart={onDragStart}
      onDragOver={onDragOver}
      onDragEnd={onDragEnd}
      onDragCancel={finish}
      accessibility={{
        announcements,
        screenReaderInstructions: { draggable: 'To move this card, press Space, then the arrow keys to choose its place, and Space again to drop it. Escape cancels.' },
      }}
    >
      <div className={s.board} data-testid="task-board">
        {columns.map((c, i) => (
          <ColumnView
            key={c.id}
            owner={owner}
            repo={repo}
            column={c}
            index={i}
            last={i === columns.length - 1}
            cards={(items[colKey(c.id)] ?? []).map((k) => byKey.get(k)).filter((t): t is Task => !!t)}
            canWrite={canWrite}
            onOpen={onOpen}
            onAdd={onAdd}
          />
        ))}
      </div>
      <DragOverlay>{active ? <CardFace task={active} owner={owner} repo={repo} overlay /> : null}</DragOverlay>
    </DndContext>
  );
}

function ColumnView({
  owner,
  repo,
  column,
  index,
  last,
  cards,
  canWrite,
  onOpen,
  onAdd,
}: {
  owner: string;
  repo: string;
  column: Column;
  index: number;
  last: boolean;
  cards: Task[];
  canWrite: boolean;
  onOpen: (id: number) => void;
  onAdd: (column: number) => void;
}) {
  const { setNodeRef, isOver } = useDroppable({ id: colKey(column.id), data: { type: 'column' }, disabled: !canWrite });
  const mutations = useColumnMutations(owner, repo);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const headingId = `task-column-${column.id}`;
  return (
    <section className={cx(s.column, isOver && s.columnOver)} aria-labelledby={headingId} data-testid="task-column" data-column-id={column.id} data-state={column.state}>
      <header className={s.columnHead}>
        <span className={cx(s.stateDot, STATE_DOT[column.state])} title={STATE_LABELS[column.state]} aria-hidden />
        <h3 id={headingId} className={s.columnName} data-testid="column-name">
          {column.name}
        </h3>
        <span className={s.columnCount} aria-label={`${cards.length} cards`}>
          {cards.length}
        </span>
        {canWrite && (
          <Menu
            label={column.name}
            trigger={
              <button type="button" className={s.iconButton} aria-label={`Column ${column.name}: actions`} data-testid="column-menu">
                ⋯
              </button>
            }
            items={[
              { label: 'Rename…', onSelect: () => setRenaming(true) },
              { label: 'Move left', disabled: index === 0, onSelect: () => mutations.update.mutate({ id: column.id, position: index - 1 }) },
              { label: 'Move right', disabled: last, onSelect: () => mutations.update.mutate({ id: column.id, position: index + 1 }) },
              { separator: true, label: '' },
              { label: 'Delete…', onSelect: () => setDeleting(true) },
            ]}
          />
        )}
      </header>
      <FormError error={mutations.update.error} />
      <SortableContext id={colKey(column.id)} items={cards.map((t) => cardKey(t.id))} strategy={verticalListSortingStrategy}>
        <ul ref={setNodeRef} className={s.cards} data-testid="column-cards">
          {cards.map((t) => (
            <SortableCard key={t.id} task={t} owner={owner} repo={repo} canWrite={canWrite} onOpen={onOpen} />
          ))}
          {cards.length === 0 && <li className={s.emptyColumn}>{canWrite ? 'Drop cards here' : 'No cards'}</li>}
        </ul>
      </SortableContext>
      {canWrite && (
        <button type="button" className={s.addCard} onClick={() => onAdd(column.id)} data-testid="add-task">
          + Add a card
        </button>
      )}
      {renaming && <ColumnDialog owner={owner} repo={repo} column={column} onClose={() => setRenaming(false)} />}
      <ConfirmModal
        open={deleting}
        title={`Delete column “${column.name}”?`}
        confirmLabel="Delete column"
        busy={mutations.remove.isPending}
        error={mutations.remove.error}
        onCancel={() => {
          setDeleting(false);
          mutations.remove.reset();
        }}
        onConfirm={() => mutations.remove.mutate(column.id, { onSuccess: () => setDeleting(false) })}
      >
        <p>Only an empty column can be deleted, and every state keeps at least one column.</p>
      </ConfirmModal>
    </section>
  );
}

function SortableCard({ task, owner, repo, canWrite, onOpen }: { task: Task; owner: string; repo: string; canWrite: boolean; onOpen: (id: number) => void }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: cardKey(task.id), disabled: !canWrite });
  // the pointer drags the whole card; the keyboard works from the grip, so Enter on the title
  // still opens the card and Tab order stays grip → title
  const { onKeyDown, ...pointer } = (listeners ?? {}) as Record<string, (e: unknown) => void>;
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      className={cx(s.cardSlot, isDragging && s.cardPlaceholder)}
      data-testid="task-card"
      data-task-id={task.id}
      {...(canWrite ? pointer : {})}
    >
      <CardFace
        task={task}
        owner={owner}
        repo={repo}
        onOpen={() => onOpen(task.id)}
        grip={
          canWrite ? (
            <button type="button" ref={setActivatorNodeRef} className={s.grip} {...attributes} onKeyDown={onKeyDown} aria-label={`Move card ${task.title}`} data-testid="task-move">
              <svg width="10" height="16" viewBox="0 0 10 16" aria-hidden>
                {[3, 8, 13].flatMap((y) => [2, 8].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.4" fill="currentColor" />))}
              </svg>
            </button>
          ) : null
        }
      />
    </li>
  );
}

/** Adds a column, or renames one and changes its state. */
function ColumnDialog({ owner, repo, column, onClose }: { owner: string; repo: string; column?: Column; onClose: () => void }) {
  const mutations = useColumnMutations(owner, repo);
  const [name, setName] = useState(column?.name ?? '');
  const [state, setState] = useState<TaskState>(column?.state ?? 'doing');
  const m = column ? mutations.update : mutations.create;
  const submit = () => {
    if (column) mutations.update.mutate({ id: column.id, name, state }, { onSuccess: onClose });
    else mutations.create.mutate({ name, state }, { onSuccess: onClose });
  };
  return (
    <Modal
      open
      onOpenChange={(o) => !o && onClose()}
      title={column ? `Edit column “${column.name}”` : 'Add a column'}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={m.isPending} disabled={!name.trim()} onClick={submit} data-testid="column-save">
            {column ? 'Save' : 'Add column'}
          </Button>
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) submit();
        }}
      >
        <label htmlFor="column-name">Name</label>
        <input id="column-name" type="text" value={name} maxLength={100} autoFocus onChange={(e) => setName(e.target.value)} data-testid="column-name-input" />
        <label htmlFor="column-state">Cards in it are</label>
        <select id="column-state" value={state} onChange={(e) => setState(e.target.value as TaskState)}>
          {TASK_STATES.map((st) => (
            <option key={st} value={st}>
              {STATE_LABELS[st]}
            </option>
          ))}
        </select>
      </form>
      <FormError error={m.error} />
    </Modal>
  );
}
