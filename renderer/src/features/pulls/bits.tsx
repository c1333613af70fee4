// Small pieces the pull request pages share: the state badge, a user's name as a link, a branch
// label, the unified/split toggle, and the markdown box (write, or preview through the server's
// one sanitizer).
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { apiSend } from '../../api/client';
import { Avatar, cx } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import type { DiffStyle } from '../history/DiffFile';
import h from '../history/History.module.css';
import type { User } from '../users/types';
import type { PullRequest } from './types';
import s from './Pulls.module.css';

export type PullStateName = 'open' | 'draft' | 'merged' | 'closed';

export function pullState(pr: Pick<PullRequest, 'merged' | 'state' | 'draft'>): PullStateName {
  return pr.merged ? 'merged' : pr.state === 'closed' ? 'closed' : pr.draft ? 'draft' : 'open';
}

const STATE_LABEL: Record<PullStateName, string> = { open: 'Open', draft: 'Draft', merged: 'Merged', closed: 'Closed' };
const STATE_CLASS: Record<PullStateName, string | undefined> = { open: s.stateOpen, draft: s.stateDraft, merged: s.stateMerged, closed: s.stateClosed };

export function StateBadge({ pr, big }: { pr: Pick<PullRequest, 'merged' | 'state' | 'draft'>; big?: boolean }) {
  const st = pullState(pr);
  return (
    <span className={cx(s.state, STATE_CLASS[st], big && s.stateBig)} data-testid="pull-state" data-state={st}>
      {STATE_LABEL[st]}
    </span>
  );
}

export function UserName({ user, avatar }: { user: User | null; avatar?: number }) {
  if (!user) return <strong>someone</strong>;
  return (
    <span className={s.user}>
      {avatar ? <Avatar name={user.login} size={avatar} /> : null}
      <Link to="/$owner" params={{ owner: user.login }}>
        <strong>{user.login}</strong>
      </Link>
    </span>
  );
}

export function BranchLabel({ children }: { children: ReactNode }) {
  return <code className={s.branch}>{children}</code>;
}

/** A markdown text area with a Preview tab (rendered by the server, as comments are). */
export function MarkdownBox({
  id,
  label,
  value,
  onChange,
  context,
  placeholder,
  rows = 6,
  autoFocus,
  testId,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  /** owner/repo: relative links resolve there */
  context: string;
  placeholder?: string;
  rows?: number;
  autoFocus?: boolean;
  testId?: string;
}) {
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [preview, setPreview] = useState<{ text: string; html: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const showPreview = () => {
    setTab('preview');
    if (preview?.text === value) return;
    setError(null);
    apiSend<string>('POST', '/markdown', { text: value, mode: 'comment', context }).then(
      (html) => setPreview({ text: value, html: typeof html === 'string' ? html : '' }),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  };
  return (
    <div className={s.mdBox}>
      <div className={s.mdTabs} role="tablist" aria-label={label}>
        <button type="button" role="tab" aria-selected={tab === 'write'} onClick={() => setTab('write')}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={tab === 'preview'} onClick={showPreview}>
          Preview
        </button>
      </div>
      {tab === 'write' ? (
        <textarea id={id} aria-label={label} rows={rows} value={value} placeholder={placeholder} autoFocus={autoFocus} onChange={(e) => onChange(e.target.value)} data-testid={testId} />
      ) : (
        <div className={s.mdPreview}>
          {error ? (
            <span className="faint">Preview failed: {error}</span>
          ) : preview?.text === value ? (
            preview.html ? (
              <RenderedHtml html={preview.html} />
            ) : (
              <span className="faint">Nothing to preview.</span>
            )
          ) : (
            <span className="faint">Rendering…</span>
          )}
        </div>
      )}
      <div className={s.mdHint}>Markdown is supported.</div>
    </div>
  );
}

/** Unified or split, as on the commit page. */
export function StyleToggle({ style, setStyle }: { style: DiffStyle; setStyle: (s: DiffStyle) => void }) {
  return (
    <div className={h.segmented} role="group" aria-label="Diff view">
      <button type="button" aria-pressed={style === 'unified'} onClick={() => setStyle('unified')}>
        Unified
      </button>
      <button type="button" aria-pressed={style === 'split'} onClick={() => setStyle('split')}>
        Split
      </button>
    </div>
  );
}

/** A speech bubble, drawn (emoji fonts are not everywhere). */
export function CommentIcon({ size = 14 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" aria-hidden>
      <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" />
    </svg>
  );
}

/** An eye: a review was asked for. */
export function EyeIcon({ size = 14 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" aria-hidden>
      <path d="M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8s-2.4 4.5-6.5 4.5S1.5 8 1.5 8z" />
      <circle cx="8" cy="8" r="2" />
    </svg>
  );
}
