// Small pieces the CI pages share: a state's icon and words, a job's duration (ticking while it
// runs), and the link from a status's target_url (in-app when it points at this forge).
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';
import type { CiJob, CombinedState, CommitStatus, JobState } from './types';
import s from './Ci.module.css';

export type Glyph = 'success' | 'failure' | 'error' | 'pending' | 'running' | 'cancelled' | 'skipped' | 'warning';

const GLYPH_CLASS: Record<Glyph, string> = {
  success: s.ok!,
  warning: s.pending!,
  failure: s.fail!,
  error: s.fail!,
  pending: s.pending!,
  running: s.pending!,
  cancelled: s.neutral!,
  skipped: s.neutral!,
};

/** A state as a 16px icon: ✓, ✗, !, a dot, a spinner, a slash, an arrow. Decorative unless `label`. */
export function StateGlyph({ glyph, size = 16, label }: { glyph: Glyph; size?: number; label?: string }) {
  const a11y = label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true };
  const common = { width: size, height: size, viewBox: '0 0 16 16', className: `${s.glyph} ${GLYPH_CLASS[glyph]}`, ...a11y };
  const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 1.8, strokeLinecap: 'round' as const, strokeLinejoin: 'round' as const };
  switch (glyph) {
    case 'success':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="7" {...stroke} strokeWidth={1.4} />
          <path d="M4.8 8.3l2.1 2.1 4.3-4.6" {...stroke} />
        </svg>
      );
    case 'failure':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="7" {...stroke} strokeWidth={1.4} />
          <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" {...stroke} />
        </svg>
      );
    case 'error':
    case 'warning':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="7" {...stroke} strokeWidth={1.4} />
          <path d="M8 4.6v4.2" {...stroke} />
          <circle cx="8" cy="11.3" r="0.95" fill="currentColor" />
        </svg>
      );
    case 'pending':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="3.6" fill="currentColor" />
        </svg>
      );
    case 'running':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="6.2" {...stroke} strokeOpacity={0.3} />
          <path d="M8 1.8a6.2 6.2 0 0 1 6.2 6.2" {...stroke} className={s.spin} />
        </svg>
      );
    case 'cancelled':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="7" {...stroke} strokeWidth={1.4} />
          <path d="M3.3 12.7l9.4-9.4" {...stroke} strokeWidth={1.4} />
        </svg>
      );
    case 'skipped':
      return (
        <svg {...common}>
          <circle cx="8" cy="8" r="7" {...stroke} strokeWidth={1.4} />
          <path d="M5 8h5.5M8.5 5.5L11 8l-2.5 2.5" {...stroke} />
        </svg>
      );
  }
}

const JOB_WORDS: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  success: 'Passed',
  failure: 'Failed',
  error: 'Error',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

export const jobStateWord = (state: JobState) => JOB_WORDS[state] ?? state;

export function jobGlyph(state: JobState): Glyph {
  switch (state) {
    case 'queued':
      return 'pending';
    case 'timed_out':
      return 'failure';
    default:
      return state;
  }
}

export function JobStateIcon({ state, size }: { state: JobState; size?: number }) {
  return <StateGlyph glyph={jobGlyph(state)} size={size} label={jobStateWord(state)} />;
}

/** A job's state as icon and word, marked for tests with data-state. */
export function JobStateBadge({ job }: { job: CiJob }) {
  return (
    <span className={s.stateLabel} data-testid="job-state" data-state={job.state} style={{ display: 'inline-flex', alignItems: 'center', gap: '0.35rem' }}>
      <StateGlyph glyph={jobGlyph(job.state)} />
      {jobStateWord(job.state)}
    </span>
  );
}

export function combinedGlyph(state: CombinedState | CommitStatus['state']): Glyph {
  return state === '' ? 'pending' : state;
}

/** `1.2 s`, `45 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const secs = Math.round(ms / 1000);
  if (secs < 60) return `${secs} s`;
  const m = Math.floor(secs / 60);
  if (m < 60) return `${m} min ${secs % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Re-renders every `ms` while `on` (a running job's clock). */
export function useTicker(on: boolean, ms = 1_000): void {
  const [, set] = useState(0);
  useEffect(() => {
    if (!on) return;
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [on, ms]);
}

/** How long the job took, or has been running (ticks), or has waited in the queue. */
export function JobDuration({ job }: { job: CiJob }) {
  const running = job.state === 'running' && !!job.started_at;
  useTicker(running);
  const ms = job.duration_ms ?? (running ? Date.now() - Date.parse(job.started_at!) : null);
  return <span data-testid="job-duration">{formatDuration(ms)}</span>;
}

/**
 * A status's details link: followed inside the app when it points at this forge (a job page),
 * else opened as an ordinary link. Only http(s) URLs are links at all.
 */
export function TargetLink({ url, children, onFollow }: { url: string; children: ReactNode; onFollow?: () => void }) {
  const navigate = useNavigate();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url, window.location.origin);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  const local = parsed.origin === window.location.origin;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onFollow?.();
    if (!local || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    void navigate({ to: parsed.pathname + parsed.search + parsed.hash } as never);
  };
  return (
    <a href={parsed.href} onClick={click} {...(local ? {} : { target: '_blank', rel: 'noopener noreferrer nofollow' })}>
      {children}
    </a>
  );
}
