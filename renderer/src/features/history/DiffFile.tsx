// One changed file of a commit: its header (status, old → new for renames, line counts) and
// its patch as a unified or split table. Lines are React text, never HTML. Big files start
// collapsed behind a "Load diff" button so a huge commit stays quick to open.
import { Link } from '@tanstack/react-router';
import { memo, useMemo, useState } from 'react';
import { Panel, buttonClass } from '../../components/ui';
import { countLines, parsePatch, splitRows, type DiffLine, type Hunk } from './diff-lines';
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
}

export const DiffFile = memo(function DiffFile({ f, index, style, collapsed: startCollapsed, owner, repo, sha, parent, rawDiff }: Props) {
  const [collapsed, setCollapsed] = useState(startCollapsed !== null);
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
        <a href={rawDiff}>Open the whole .diff</a>
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
    content = <div className={s.diffScroll}>{style === 'split' ? <SplitTable hunks={hunks} /> : <UnifiedTable hunks={hunks} />}</div>;
  }

  return (
    <Panel className={s.file} id={`diff-${index}`} data-testid="diff-file" aria-label={f.filename}>
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
      </header>
      {content}
      {f.patch !== null && f.patch_truncated && (
        <div className={s.fileNote} role="note">
          The rest of this file's diff is cut off (it is very long).
          <a href={rawDiff}>Open the whole .diff</a>
        </div>
      )}
    </Panel>
  );
});

const rowClass = (l: DiffLine) => (l.kind === 'add' ? s.lineAdd : l.kind === 'del' ? s.lineDel : l.kind === 'note' ? s.lineNote : s.lineCtx);

function UnifiedTable({ hunks }: { hunks: Hunk[] }) {
  return (
    <table className={s.diff} data-testid="diff-unified">
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
          ...h.lines.map((l, i) => (
            <tr key={`${hi}:${i}`} className={rowClass(l)}>
              <td className={`${s.num} ${l.kind === 'del' ? s.numDel : l.kind === 'add' ? s.numAdd : ''}`} data-n={l.oldNo ?? ''} />
              <td className={`${s.num} ${l.kind === 'del' ? s.numDel : l.kind === 'add' ? s.numAdd : ''}`} data-n={l.newNo ?? ''} />
              <td className={s.code}>{l.kind === 'note' ? `\\ ${l.text}` : l.text}</td>
            </tr>
          )),
        ])}
      </tbody>
    </table>
  );
}

function Side({ l, right }: { l: DiffLine | null; right: boolean }) {
  if (!l) {
    return (
      <>
        <td className={`${s.num} ${s.empty} ${right ? s.splitSep : ''}`} />
        <td className={`${s.code} ${s.empty}`} />
      </>
    );
  }
  const cls = l.kind === 'add' ? s.lineAdd : l.kind === 'del' ? s.lineDel : l.kind === 'note' ? s.lineNote : s.lineCtx;
  return (
    <>
      <td className={`${s.num} ${cls} ${right ? s.splitSep : ''}`} data-n={(right ? l.newNo : l.oldNo) ?? ''} />
      <td className={`${s.code} ${cls}`}>{l.kind === 'note' ? `\\ ${l.text}` : l.text}</td>
    </>
  );
}

function SplitTable({ hunks }: { hunks: Hunk[] }) {
  return (
    <table className={s.diff} data-testid="diff-split">
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
          ...splitRows(h).map((r, i) => (
            <tr key={`${hi}:${i}`}>
              <Side l={r.left} right={false} />
              <Side l={r.right} right />
            </tr>
          )),
        ])}
      </tbody>
    </table>
  );
}
