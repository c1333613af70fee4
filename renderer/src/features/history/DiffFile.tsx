// One changed file of a commit: its header (status, old → new for renames, line counts) and
// its patch as a unified or split table. Lines are React text, never HTML. Big files start
// collapsed behind a "Load diff" button so a huge commit stays quick to open.
//
// A review (the pull request's Files tab) adds to the same tables through `decor`: a "+" button
// on each line's number (old side and new side), a highlighted selection, and rows under a line
// (threads, a comment form). Without `decor` the tables are exactly the commit page's.
import { Link } from '@tanstack/react-router';
import { Fragment, memo, useMemo, useState, type MouseEvent, type ReactNode } from 'react';
import { Panel, buttonClass } from '../../components/ui';
import { countLines, parsePatch, splitRows, type DiffLine, type Hunk, type SplitRow } from './diff-lines';
import type { FileDiff } from './types';
import s from './History.module.css';

export type DiffStyle = 'unified' | 'split';
/** Why a file starts collapsed: it is big, or the page already shows many lines. */
export type Collapsed = 'large' | 'budget';

const STATUS_MARK: Record<string, string> = { added: 'A', removed: 'D', modified: 'M', renamed: 'R', copied: 'C', changed: 'T' };
export const statusMark = (status: string) => STATUS_MARK[status] ?? '?';
export const statusClass = (status: string) =>
  `${s.statusDot} ${status === 'added' ? s.statusAdded : status === 'removed' ? s.statusRemoved : status === 'modified' ? s.statusModified : s.statusMoved}`;

/** Lines added and removed, or "binary". */
export function FileCounts({ f }: { f: FileDiff }) {
  return (
    <span className={s.counts}>
      {f.binary ? (
        <span className="faint">binary</span>
      ) : (
        <>
          <span className={s.add}>+{f.additions}</span>
          <span className={s.del}>−{f.deletions}</span>
        </>
      )}
    </span>
  );
}

export function FileName({ f }: { f: FileDiff }) {
  if (f.previous_filename && f.previous_filename !== f.filename) {
    return (
      <span className={s.fileName} data-testid="renamed-file">
        <span className={s.old}>{f.previous_filename}</span> → {f.filename}
      </span>
    );
  }
  return <span className={s.fileName}>{f.filename}</span>;
}

/** A line's side: LEFT is the old file, RIGHT the new one (GitHub's names). */
export type DiffSide = 'LEFT' | 'RIGHT';

/** What a review adds around the lines of a file's diff. */
export interface LineDecor {
  /** A "+" on each line number; `shift` when shift was held (extend a selection to a range). */
  onAdd?: (side: DiffSide, line: number, shift: boolean) => void;
  /** Whether a line is in the current selection. */
  selected?: (side: DiffSide, line: number) => boolean;
  /** What to show under a line of one side (threads, a form), or null. */
  below?: (side: DiffSide, line: number) => ReactNode;
}

interface Props {
  f: FileDiff;
  index: number;
  style: DiffStyle;
  /** Start collapsed, and why (null: open). */
  collapsed: Collapsed | null;
  owner: string;
  repo: string;
  sha: string;
  parent: string | null;
  rawDiff: string;
  /** Controlled open state (a review collapses the files marked viewed); uncontrolled without it. */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** Extra controls at the end of the file's header (a "Viewed" checkbox). */
  actions?: ReactNode;
  decor?: LineDecor;
  /** The file's expected height (a CSS length) while it is off screen and not yet laid out. */
  sizeHint?: string;
}

export const DiffFile = memo(function DiffFile({ f, index, style, collapsed: startCollapsed, owner, repo, sha, parent, rawDiff, open, onOpenChange, actions, decor, sizeHint }: Props) {
  const [collapsedState, setCollapsedState] = useState(startCollapsed !== null);
  const collapsed = open !== undefined ? !open : collapsedState;
  const setCollapsed = (c: boolean) => (onOpenChange ? onOpenChange(!c) : setCollapsedState(c));
  const hunks = useMemo(() => (f.patch ? parsePatch(f.patch) : []), [f.patch]);
  const lines = countLines(hunks);
  const removed = f.status === 'removed';
  const viewAt = removed ? parent : sha;
  const viewPath = removed ? (f.previous_filename ?? f.filename) : f.filename;
  const modeChanged = f.old_mode !== f.new_mode && f.old_mode !== '000000' && f.new_mode !== '000000';

  let content: React.ReactNode;
  if (f.patch === null) {
    content = (
      <div className={s.fileNote}>
        This file's diff is not shown: the commit changes too many files to show them all.
        {rawDiff && <a href={rawDiff}>Open the whole .diff</a>}
      </div>
    );
  } else if (f.binary) {
    content = <div className={s.fileNote}>Binary file not shown.</div>;
  } else if (hunks.length === 0) {
    content = <div className={s.fileNote}>{f.status === 'renamed' ? 'File renamed without changes.' : modeChanged ? 'Only the file mode changed.' : 'No lines changed (an empty file).'}</div>;
  } else if (collapsed) {
    content = (
      <div className={s.fileNote}>
        {startCollapsed === 'large'
          ? `A large diff (${lines.toLocaleString()} lines) is hidden to keep the page quick.`
          : startCollapsed === 'budget'
            ? `Hidden (${lines.toLocaleString()} lines): this commit already shows many lines above.`
            : `Hidden (${lines.toLocaleString()} lines).`}
        <button type="button" className={buttonClass('default', true)} onClick={() => setCollapsed(false)}>
          Load diff
        </button>
      </div>
    );
  } else {
    content = <div className={s.diffScroll}>{style === 'split' ? <SplitTable hunks={hunks} decor={decor} /> : <UnifiedTable hunks={hunks} decor={decor} />}</div>;
  }

  return (
    <Panel className={s.file} id={`diff-${index}`} data-testid="diff-file" aria-label={f.filename} style={sizeHint ? { containIntrinsicSize: `auto ${sizeHint}` } : undefined}>
      <header className={s.fileHead}>
        {hunks.length > 0 && (
          <button type="button" className={s.collapse} aria-expanded={!collapsed} aria-label={collapsed ? `Show ${f.filename}` : `Hide ${f.filename}`} onClick={() => setCollapsed(!collapsed)}>
            {collapsed ? '▸' : '▾'}
          </button>
        )}
        <span className={statusClass(f.status)} title={f.status}>
          {statusMark(f.status)}
        </span>
        <FileName f={f} />
        {f.similarity !== null && f.status === 'renamed' && f.similarity < 100 && <span className="faint">{f.similarity}% similar</span>}
        {modeChanged && (
          <span className="faint">
            mode {f.old_mode} → {f.new_mode}
          </span>
        )}
        <FileCounts f={f} />
        {viewAt && (
          <Link className={buttonClass('ghost', true)} to="/$owner/$repo/src/$" params={{ owner, repo, _splat: `commit/${viewAt}/${viewPath}` }}>
            View file
          </Link>
        )}
        {actions}
      </header>
      {content}
      {f.patch !== null && f.patch_truncated && (
        <div className={s.fileNote} role="note">
          The rest of this file's diff is cut off (it is very long).
          {rawDiff && <a href={rawDiff}>Open the whole .diff</a>}
        </div>
      )}
    </Panel>
  );
});

const rowClass = (l: DiffLine) => (l.kind === 'add' ? s.lineAdd : l.kind === 'del' ? s.lineDel : l.kind === 'note' ? s.lineNote : s.lineCtx);

/** The side and line number a "+" on this line comments on: deletions the old side, the rest the new. */
function unifiedTarget(l: DiffLine): [DiffSide, number] | null {
  if (l.kind === 'note') return null;
  if (l.kind === 'del') return l.oldNo === null ? null : ['LEFT', l.oldNo];
  return l.newNo === null ? null : ['RIGHT', l.newNo];
}

/** The "+" on a line number; the table's one click handler reads its side and line (no handler per line). */
function AddButton({ side, line }: { side: DiffSide; line: number }) {
  return (
    <button
      type="button"
      className={s.addLine}
      aria-label={`Comment on ${side === 'LEFT' ? 'old' : 'new'} line ${line}`}
      title="Comment on this line (shift-click another line for a range)"
      data-testid="add-line-comment"
      data-side={side}
      data-line={line}
    >
      +
    </button>
  );
}

/** One click handler for a table's "+" buttons. */
function useAddClick(decor: LineDecor | undefined) {
  const onAdd = decor?.onAdd;
  return useMemo(() => {
    if (!onAdd) return undefined;
    return (e: MouseEvent<HTMLTableElement>) => {
      const button = (e.target as Element).closest?.<HTMLButtonElement>('button[data-testid="add-line-comment"]');
      if (!button || !e.currentTarget.contains(button)) return;
      const line = Number(button.dataset.line);
      const side = button.dataset.side === 'LEFT' ? 'LEFT' : 'RIGHT';
      if (Number.isSafeInteger(line)) onAdd(side, line, e.shiftKey);
    };
  }, [onAdd]);
}

/** What goes under a line: the old side's (for context and deletions), then the new side's. */
function belowUnified(decor: LineDecor | undefined, l: DiffLine): ReactNode[] | null {
  if (!decor?.below || l.kind === 'note') return null;
  const out: ReactNode[] = [];
  const left = l.kind !== 'add' && l.oldNo !== null ? decor.below('LEFT', l.oldNo) : null;
  const right = l.kind !== 'del' && l.newNo !== null ? decor.below('RIGHT', l.newNo) : null;
  if (left !== null && left !== undefined && left !== false) out.push(<Fragment key="LEFT">{left}</Fragment>);
  if (right !== null && right !== undefined && right !== false) out.push(<Fragment key="RIGHT">{right}</Fragment>);
  return out.length ? out : null;
}

/**
 * One line of the unified view. Memoized on plain values: a new selection or a new thread
 * re-renders the lines it touches, not the whole file.
 */
const UnifiedRow = memo(function UnifiedRow({ l, add, chosen, under }: { l: DiffLine; add: DiffSide | null; chosen: boolean; under: ReactNode[] | null }) {
  const target = add ? unifiedTarget(l) : null;
  const numCls = `${s.num} ${l.kind === 'del' ? s.numDel : l.kind === 'add' ? s.numAdd : ''}`;
  const row = (
    <tr className={`${rowClass(l)} ${chosen ? s.lineSelected : ''}`} data-old={l.oldNo ?? undefined} data-new={l.newNo ?? undefined}>
      <td className={numCls} data-n={l.oldNo ?? ''}>
        {target?.[0] === 'LEFT' && <AddButton side="LEFT" line={target[1]} />}
      </td>
      <td className={numCls} data-n={l.newNo ?? ''}>
        {target?.[0] === 'RIGHT' && <AddButton side="RIGHT" line={target[1]} />}
      </td>
      <td className={s.code}>{l.kind === 'note' ? `\\ ${l.text}` : l.text}</td>
    </tr>
  );
  if (!under) return row;
  return (
    <>
      {row}
      <tr className={s.belowRow}>
        <td colSpan={3}>{under}</td>
      </tr>
    </>
  );
});

function UnifiedTable({ hunks, decor }: { hunks: Hunk[]; decor?: LineDecor }) {
  const onClick = useAddClick(decor);
  return (
    <table className={`${s.diff} ${decor ? s.reviewable : ''}`} data-testid="diff-unified" onClick={onClick}>
      <colgroup>
        <col style={{ width: '3.6rem' }} />
        <col style={{ width: '3.6rem' }} />
        <col />
      </colgroup>
      <tbody>
        {hunks.map((h, hi) => [
          <tr key={`h${hi}`} className={s.hunk}>
            <td colSpan={3}>{h.header}</td>
          </tr>,
          ...h.lines.map((l, i) => {
            const target = decor ? unifiedTarget(l) : null;
            const chosen = !!target && !!decor?.selected?.(target[0], target[1]);
            return <UnifiedRow key={`${hi}:${i}`} l={l} add={target && decor?.onAdd ? target[0] : null} chosen={chosen} under={belowUnified(decor, l)} />;
          }),
        ])}
      </tbody>
    </table>
  );
}

function Side({ l, right, add, chosen }: { l: DiffLine | null; right: boolean; add: boolean; chosen: boolean }) {
  if (!l) {
    return (
      <>
        <td className={`${s.num} ${s.empty} ${right ? s.splitSep : ''}`} />
        <td className={`${s.code} ${s.empty}`} />
      </>
    );
  }
  const cls = rowClass(l);
  const n = right ? l.newNo : l.oldNo;
  const side: DiffSide = right ? 'RIGHT' : 'LEFT';
  return (
    <>
      <td className={`${s.num} ${cls} ${right ? s.splitSep : ''} ${chosen ? s.sideSelected : ''}`} data-n={n ?? ''}>
        {add && l.kind !== 'note' && n !== null && <AddButton side={side} line={n} />}
      </td>
      <td className={`${s.code} ${cls} ${chosen ? s.sideSelected : ''}`}>{l.kind === 'note' ? `\\ ${l.text}` : l.text}</td>
    </>
  );
}

/** The line number a side of a split row comments on, or null. */
function sideTarget(l: DiffLine | null, right: boolean): number | null {
  if (!l || l.kind === 'note') return null;
  return right ? l.newNo : l.oldNo;
}

function belowSide(decor: LineDecor | undefined, l: DiffLine | null, right: boolean): ReactNode {
  if (!decor?.below) return null;
  const n = sideTarget(l, right);
  return n === null ? null : (decor.below(right ? 'RIGHT' : 'LEFT', n) ?? null);
}

/** One row of the split view, memoized like UnifiedRow. */
const SplitLine = memo(function SplitLine({
  r,
  add,
  leftChosen,
  rightChosen,
  left,
  right,
}: {
  r: SplitRow;
  add: boolean;
  leftChosen: boolean;
  rightChosen: boolean;
  left: ReactNode;
  right: ReactNode;
}) {
  const row = (
    <tr>
      <Side l={r.left} right={false} add={add} chosen={leftChosen} />
      <Side l={r.right} right add={add} chosen={rightChosen} />
    </tr>
  );
  if ((left === null || left === undefined) && (right === null || right === undefined)) return row;
  return (
    <>
      {row}
      <tr className={s.belowRow}>
        <td colSpan={2}>{left}</td>
        <td colSpan={2} className={s.splitSep}>
          {right}
        </td>
      </tr>
    </>
  );
});

function SplitTable({ hunks, decor }: { hunks: Hunk[]; decor?: LineDecor }) {
  const onClick = useAddClick(decor);
  const rows = useMemo(() => hunks.map(splitRows), [hunks]);
  const chosen = (l: DiffLine | null, right: boolean) => {
    const n = decor?.selected ? sideTarget(l, right) : null;
    return n !== null && !!decor?.selected?.(right ? 'RIGHT' : 'LEFT', n);
  };
  return (
    <table className={`${s.diff} ${decor ? s.reviewable : ''}`} data-testid="diff-split" onClick={onClick}>
      <colgroup>
        <col style={{ width: '3.6rem' }} />
        <col />
        <col style={{ width: '3.6rem' }} />
        <col />
      </colgroup>
      <tbody>
        {hunks.map((h, hi) => [
          <tr key={`h${hi}`} className={s.hunk}>
            <td colSpan={4}>{h.header}</td>
          </tr>,
          ...rows[hi]!.map((r, i) => (
            <SplitLine
              key={`${hi}:${i}`}
              r={r}
              add={!!decor?.onAdd}
              leftChosen={chosen(r.left, false)}
              rightChosen={chosen(r.right, true)}
              left={belowSide(decor, r.left, false)}
              right={belowSide(decor, r.right, true)}
            />
          )),
        ])}
      </tbody>
    </table>
  );
}
