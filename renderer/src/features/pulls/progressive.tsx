// Progressive rendering of a long list of diffs (a pull request's Files tab, a comparison): the
// first files render at once, the others as placeholders of their estimated height (their name and
// anchor) that fill in when they come near the viewport, or a few at a time while the browser is idle.
// A 300-file pull request is on screen before its 20,000 lines are, as on GitHub.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type ComponentProps } from 'react';
import { DiffFile, type DiffStyle } from '../history/DiffFile';
import type { FileDiff } from '../history/types';
import s from './Pulls.module.css';

/** Lines rendered before the first paint (at least one file's). */
const FIRST_LINES = 250;
/** Lines rendered in each idle-time batch after that. */
const BATCH_LINES = 250;
/** How far outside the viewport a placeholder starts rendering its file. */
const NEAR_MARGIN = '1500px 0px';

// the diff table's rows (History.module.css: 0.84rem type at line-height 1.5; a hunk header has
// 0.2rem padding above and below), a file's header and a note instead of lines, in rem
const ROW_REM = 1.26;
const HUNK_REM = 1.66;
const HEAD_REM = 2.7;
const NOTE_REM = 4.2;

/** Rows and hunks of a patch, counted without parsing it. */
function shape(patch: string): { rows: number; hunks: number } {
  let rows = 0;
  let hunks = 0;
  let started = false;
  for (let i = 0; i < patch.length;) {
    const end = patch.indexOf('\n', i);
    if (patch.startsWith('@@', i)) {
      hunks++;
      started = true;
    } else if (patch.startsWith('diff --git ', i)) started = false;
    else if (started) rows++;
    if (end < 0) break;
    i = end + 1;
  }
  return { rows, hunks };
}

/** How many lines a file shows when open: what rendering it costs (0 for a note). */
export function renderedLines(f: FileDiff): number {
  if (!f.patch || f.binary) return 0;
  const { rows, hunks } = shape(f.patch);
  return rows + hunks;
}

/** The height of a file's lines in rem (the split view pairs deletions with additions). */
function linesHeight(f: FileDiff, style: DiffStyle): number {
  const { rows, hunks } = shape(f.patch ?? '');
  const paired = style === 'split' ? Math.min(f.additions, f.deletions) : 0;
  return Math.max(0, rows - paired) * ROW_REM + hunks * HUNK_REM;
}

/** The index past the files that fit in `budget` lines from `from` (always at least one file with lines). */
function advance(weights: readonly number[], from: number, budget: number): number {
  let i = from;
  let sum = 0;
  while (i < weights.length && (sum === 0 || sum + weights[i]! <= budget)) sum += weights[i++]!;
  return i;
}

function whenIdle(fn: () => void): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: 1000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 30);
  return () => clearTimeout(id);
}

/**
 * How many files, in order, render their lines now: enough for the first screen, then more in
 * idle-time batches until all have. `weights` (memoized by the caller) are the lines each file
 * would show — 0 for one that starts collapsed.
 */
export function useRenderedCount(weights: readonly number[]): number {
  const first = useMemo(() => advance(weights, 0, FIRST_LINES), [weights]);
  const [count, setCount] = useState(0);
  const n = Math.max(count, first);
  useEffect(() => {
    if (n >= weights.length) return;
    return whenIdle(() => setCount((c) => advance(weights, Math.max(c, first), BATCH_LINES)));
  }, [n, first, weights]);
  return n;
}

// One observer for every placeholder on the page (not one each): what each waits for, by element.
let observer: IntersectionObserver | null = null;
const waiting = new Map<Element, () => void>();

function onceNear(el: Element, fn: () => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    fn();
    return () => undefined;
  }
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const done = waiting.get(e.target);
        waiting.delete(e.target);
        observer?.unobserve(e.target);
        done?.();
      }
    },
    { rootMargin: NEAR_MARGIN },
  );
  waiting.set(el, fn);
  observer.observe(el);
  return () => {
    waiting.delete(el);
    observer?.unobserve(el);
  };
}

/**
 * Stands in for a file until it renders: a box of its estimated height with its name, the file's
 * anchor (`#diff-<i>`), and `onNear` once it comes near the viewport.
 */
export function FilePlaceholder({ f, index, style, open, onNear }: { f: FileDiff; index: number; style: DiffStyle; open: boolean; onNear: () => void }) {
  const ref = useRef<HTMLElement>(null);
  const latest = useRef(onNear);
  useEffect(() => {
    latest.current = onNear;
  });
  useEffect(() => {
    const el = ref.current;
    return el ? onceNear(el, () => latest.current()) : undefined;
  }, []);
  return (
    <section ref={ref} id={`diff-${index}`} className={s.filePlaceholder} style={{ height: fileHeight(f, style, open) }} aria-label={f.filename} aria-busy="true" data-testid="diff-placeholder">
      <div className={s.placeholderHead}>{f.filename}</div>
    </section>
  );
}

/** A file's expected height, a CSS length: for a placeholder, and for DiffFile's `sizeHint`. */
export function fileHeight(f: FileDiff, style: DiffStyle, open: boolean): string {
  const lines = open ? linesHeight(f, style) : 0;
  return `${(HEAD_REM + (lines > 0 ? lines : NOTE_REM)).toFixed(2)}rem`;
}

/** Whether a file waits as a placeholder: while `deferred` and until it first comes near (never again after). */
export function useHeldBack(deferred: boolean): [held: boolean, reveal: () => void] {
  const [near, setNear] = useState(false);
  return [deferred && !near, useCallback(() => setNear(true), [])];
}

type CompareFileProps = Omit<ComponentProps<typeof DiffFile>, 'sizeHint'> & { deferred: boolean };

/** A comparison's file (no review): DiffFile, or its placeholder while `deferred`. */
export const ProgressiveDiffFile = memo(function ProgressiveDiffFile({ deferred, ...props }: CompareFileProps) {
  const [held, reveal] = useHeldBack(deferred);
  const open = props.collapsed === null;
  if (held) return <FilePlaceholder f={props.f} index={props.index} style={props.style} open={open} onNear={reveal} />;
  return <DiffFile {...props} sizeHint={fileHeight(props.f, props.style, open)} />;
});
