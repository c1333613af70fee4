// A job's log: numbered lines (each one links to itself, #L12), ANSI colours as classes and
// computed colours — text only ever goes in as text. It follows the end while the reader is at
// the bottom, and stops following when they scroll up. Very long logs show their last lines;
// the raw log has everything.
import { memo, useLayoutEffect, useRef, type CSSProperties } from 'react';
import { paletteColor, type Color, type Line, type Span, type Style } from './ansi';
import s from './Ci.module.css';

/** Lines rendered at most; past it the first ones are left out (the raw log has them). */
export const MAX_LINES = 10_000;

function colorClass(prefix: 'f' | 'k', c: Color | null): string | undefined {
  return typeof c === 'number' && c < 16 ? s[`${prefix}${c}`] : undefined;
}

function colorValue(c: Color | null): string | undefined {
  if (c === null) return undefined;
  if (typeof c === 'number') return c < 16 ? undefined : paletteColor(c);
  return c;
}

function spanProps(style: Style): { className?: string; style?: CSSProperties } {
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) [fg, bg] = [bg ?? 0, fg ?? 7];
  const classes = [colorClass('f', fg), colorClass('k', bg), style.bold && s.b, style.dim && s.d, style.italic && s.i, style.underline && s.u, style.strike && s.s].filter(Boolean);
  const css: CSSProperties = {};
  const fgv = colorValue(fg);
  const bgv = colorValue(bg);
  if (fgv) css.color = fgv;
  if (bgv) css.backgroundColor = bgv;
  return { className: classes.length ? classes.join(' ') : undefined, style: fgv || bgv ? css : undefined };
}

function SpanText({ span }: { span: Span }) {
  if (span.style.fg === null && span.style.bg === null && !span.style.bold && !span.style.dim && !span.style.italic && !span.style.underline && !span.style.strike && !span.style.inverse) {
    return <>{span.text}</>;
  }
  return <span {...spanProps(span.style)}>{span.text}</span>;
}

const LogLine = memo(function LogLine({ line, n, on }: { line: Line; n: number; on: boolean }) {
  return (
    <div className={on ? `${s.line} ${s.lineOn}` : s.line} id={`L${n}`} data-testid="log-line">
      <a className={s.lineNo} href={`#L${n}`} aria-label={`Line ${n}`}>
        {n}
      </a>
      <span className={s.lineText}>
        {line.map((span, i) => (
          <SpanText key={i} span={span} />
        ))}
      </span>
    </div>
  );
});

export function LogView({ lines, open, version, running, footer }: { lines: readonly Line[]; open: Line | null; version: number; running: boolean; footer?: React.ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const hash = typeof window !== 'undefined' ? window.location.hash : '';
  const marked = /^#L\d+$/.test(hash) ? Number(hash.slice(2)) : 0;
  const total = lines.length + (open ? 1 : 0);
  const from = Math.max(0, lines.length - MAX_LINES);

  // keep the end in view while the reader is there
  useLayoutEffect(() => {
    const el = box.current;
    if (el && following.current && !marked) el.scrollTop = el.scrollHeight;
  }, [version, marked]);
  // a link to a line scrolls there once it exists
  const scrolledTo = useRef(0);
  useLayoutEffect(() => {
    if (!marked || scrolledTo.current === marked || marked > total) return;
    document.getElementById(`L${marked}`)?.scrollIntoView({ block: 'center' });
    scrolledTo.current = marked;
  }, [marked, total]);

  const onScroll = () => {
    const el = box.current;
    if (el) following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  };

  return (
    <div className={s.log} ref={box} onScroll={onScroll} data-testid="job-log" role="log" aria-live="off" tabIndex={0}>
      {from > 0 && <div className={s.logNote}>The first {from.toLocaleString()} lines are not shown here; the raw log has them.</div>}
      {total === 0 && !running && <div className={s.logEmpty}>No output.</div>}
      {lines.slice(from).map((line, i) => (
        <LogLine key={from + i} line={line} n={from + i + 1} on={marked === from + i + 1} />
      ))}
      {open && <LogLine key={`open-${version}`} line={open} n={lines.length + 1} on={marked === lines.length + 1} />}
      {footer}
    </div>
  );
}
