// One file: line numbers with anchors (#L10, shift-click for #L10-L20), the server's
// highlighted source (plain text when there is none: unknown language or a huge file),
// markdown rendered with a Source/Preview toggle, images inline, binary and oversized files
// as a download, and Raw / Download / permalink buttons.
import { Link, useLocation, useRouter } from '@tanstack/react-router';
import { memo, useEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { buttonClass, Panel, PanelHeader } from '../../components/ui';
import { FileEditActions } from '../edit/actions';
import { mediaUrl, rawUrl, type TreeView } from './api';
import { CopyButton } from './CopyButton';
import { RenderedHtml } from './RenderedHtml';
import { formatBytes, isImageName, isMarkdownName, lineHash, parseLineHash, parentDir, resolveLinkTarget, shortSha, srcSplat, type LineRange } from './paths';
import s from './Code.module.css';
import m from './Markup.module.css';

/** Lines per block; blocks of big files mount when they come near the viewport. */
const CHUNK = 500;

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function FileView({ owner, repo, view }: { owner: string; repo: string; view: TreeView }) {
  const { entry, file, ref } = view;
  const refName = ref.kind === 'commit' ? ref.commit : ref.name;
  const hash = useLocation({ select: (l) => l.hash });
  const range = parseLineHash(hash);
  const permalink = `${window.location.origin}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/src/commit/${ref.commit}/${entry.path.split('/').map(encodeURIComponent).join('/')}${range ? `#${lineHash(range)}` : ''}`;
  const raw = rawUrl(owner, repo, entry.path, refName);
  const markdown = isMarkdownName(entry.name) && !!file?.rendered_html;
  const [mode, setMode] = useState<'preview' | 'source'>('preview');
  const showSource = !markdown || mode === 'source';
  const lines = useMemo(() => (file?.content != null ? splitLines(file.content) : null), [file?.content]);
  const image = entry.type === 'file' && isImageName(entry.name) && !file?.lfs;

  let body;
  if (entry.type === 'symlink') {
    const target = entry.target ? resolveLinkTarget(parentDir(entry.path), entry.target) : null;
    body = (
      <div className={s.symlink} data-testid="symlink">
        Symbolic link to{' '}
        {target !== null ? (
          <Link to="/$owner/$repo/src/$" params={{ owner, repo, _splat: srcSplat(ref.kind, refName, target) }}>
            <code>{entry.target}</code>
          </Link>
        ) : (
          <code>{entry.target ?? '(unreadable)'}</code>
        )}
        {target === null && entry.target && <span className="faint"> (outside the repository)</span>}
      </div>
    );
  } else if (entry.type === 'submodule') {
    body = (
      <div className={s.symlink}>
        Submodule at commit <code>{entry.sha}</code>
      </div>
    );
  } else if (!file) {
    body = <div className={s.notShown}>This file can't be shown.</div>;
  } else if (image) {
    body = (
      <div className={s.imageBox}>
        <img src={mediaUrl(owner, repo, entry.path, ref.commit)} alt={entry.name} />
      </div>
    );
  } else if (file.lfs) {
    body = (
      <NotShown why={`Stored with Git LFS (${formatBytes(file.lfs.size)}).`}>
        <a className={buttonClass('default', true)} href={mediaUrl(owner, repo, entry.path, refName)} download={entry.name}>
          Download
        </a>
      </NotShown>
    );
  } else if (file.binary) {
    body = (
      <NotShown why="This is a binary file; it can't be shown.">
        <a className={buttonClass('default', true)} href={raw} download={entry.name}>
          Download ({formatBytes(file.size)})
        </a>
      </NotShown>
    );
  } else if (!lines) {
    body = (
      <NotShown why={`This file is too large to show here (${formatBytes(file.size)}).`}>
        <a className={buttonClass('default', true)} href={raw}>
          View raw
        </a>
      </NotShown>
    );
  } else if (!showSource) {
    body = (
      <div className={s.readmeBody}>
        <RenderedHtml html={file.rendered_html!} testId="rendered-file" />
      </div>
    );
  } else if (lines.length === 0 || (lines.length === 1 && lines[0] === '')) {
    body = <div className={s.notShown}>This file is empty.</div>;
  } else {
    body = <CodeLines lines={lines} highlighted={file.highlighted_html ?? null} range={range} path={entry.path} />;
  }

  const lineCount = lines && !(lines.length === 1 && lines[0] === '') ? lines.length : 0;
  return (
    <Panel>
      <PanelHeader className={s.fileHeader}>
        <span className={s.fileMeta}>
          {lines && !file?.binary && (
            <span>
              {lineCount.toLocaleString()} {lineCount === 1 ? 'line' : 'lines'}
            </span>
          )}
          {file && <span>{formatBytes(file.size)}</span>}
          {file?.language && <span>{file.language}</span>}
          {entry.type === 'symlink' && <span>symbolic link</span>}
        </span>
        <span className={s.fileActions}>
          {markdown && (
            <span className={s.segmented} role="group" aria-label="Show">
              <button type="button" aria-pressed={mode === 'preview'} onClick={() => setMode('preview')}>
                Preview
              </button>
              <button type="button" aria-pressed={mode === 'source'} onClick={() => setMode('source')}>
                Source
              </button>
            </span>
          )}
          {entry.type !== 'submodule' && (
            <>
              <a className={buttonClass('default', true)} href={raw} data-testid="raw-link">
                Raw
              </a>
              <a className={buttonClass('default', true)} href={raw} download={entry.name}>
                Download
              </a>
            </>
          )}
          <CopyButton text={permalink} label="Copy permalink" what={`permalink to ${shortSha(ref.commit)}`} />
          <Link to="/$owner/$repo/commits/$" params={{ owner, repo, _splat: srcSplat(ref.kind, refName, entry.path) }} className={buttonClass('ghost', true)}>
            History
          </Link>
          <FileEditActions owner={owner} repo={repo} view={view} />
        </span>
      </PanelHeader>
      {body}
    </Panel>
  );
}

function NotShown({ why, children }: { why: string; children: ReactNode }) {
  return (
    <div className={s.notShown}>
      <p>{why}</p>
      {children}
    </div>
  );
}

/** Source lines with numbers; the selected range highlighted and scrolled to when the page opens with it. */
function CodeLines({ lines, highlighted, range, path }: { lines: string[]; highlighted: string | null; range: LineRange | null; path: string }) {
  const router = useRouter();
  const anchor = useRef<number | null>(range?.start ?? null);
  const clicked = useRef(false);
  const html = useMemo(() => {
    if (highlighted === null) return null;
    const split = highlighted.split('\n');
    // a file ending in a newline has one piece more than it has lines
    return split.length >= lines.length ? split : null;
  }, [highlighted, lines.length]);

  // scroll the range into view when the page opens with it (or the hash is edited), not after a click
  useEffect(() => {
    if (!range) return;
    if (clicked.current) {
      clicked.current = false;
      return;
    }
    document.getElementById(`L${range.start}`)?.scrollIntoView({ block: 'center' });
  }, [range?.start, range?.end, path]); // eslint-disable-line react-hooks/exhaustive-deps

  const onLineClick = (e: MouseEvent<HTMLDivElement>) => {
    const a = (e.target as Element).closest?.('a[data-line]');
    if (!a) return;
    e.preventDefault();
    const n = Number(a.getAttribute('data-line'));
    let next: LineRange = { start: n, end: n };
    if (e.shiftKey && anchor.current !== null) next = { start: Math.min(anchor.current, n), end: Math.max(anchor.current, n) };
    else anchor.current = n;
    if (e.shiftKey) window.getSelection()?.removeAllRanges();
    clicked.current = true;
    void router.navigate({ href: `${window.location.pathname}${window.location.search}#${lineHash(next)}`, replace: true, resetScroll: false, hashScrollIntoView: false });
  };

  const chunks: number[] = [];
  for (let i = 0; i < lines.length; i += CHUNK) chunks.push(i);
  const gutter = `${String(lines.length).length + 1}ch`;
  return (
    <div className={`${s.code} ${m.hl}`} onClick={onLineClick} data-testid="code" style={{ ['--gutter' as string]: gutter }}>
      <div className={s.lines}>
        {chunks.map((start) => (
          <Chunk key={start} start={start} lines={lines} html={html} range={range} eager={start === 0 || (!!range && range.start > start && range.start <= start + CHUNK)} />
        ))}
      </div>
    </div>
  );
}

/**
 * A block of lines. Big files mount blocks as they come near the viewport (a placeholder of the
 * same height until then, and the rest in idle time), so a 50,000-line file opens as fast as a
 * short one; the block holding the selected lines mounts at once so the page can scroll to them.
 */
const Chunk = memo(
  function Chunk({ start, lines, html, range, eager }: { start: number; lines: string[]; html: string[] | null; range: LineRange | null; eager: boolean }) {
    const end = Math.min(start + CHUNK, lines.length);
    const [mounted, setMounted] = useState(eager);
    const placeholder = useRef<HTMLDivElement>(null);
    useEffect(() => {
      if (mounted || eager) return;
      const el = placeholder.current;
      if (!el || typeof IntersectionObserver === 'undefined') return setMounted(true);
      const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setMounted(true), { rootMargin: '1500px 0px' });
      io.observe(el);
      // and in idle time anyway, so the browser's find-in-page sees every line in the end
      const idle = typeof requestIdleCallback === 'function' ? requestIdleCallback(() => setMounted(true), { timeout: 10_000 }) : null;
      return () => {
        io.disconnect();
        if (idle !== null) cancelIdleCallback(idle);
      };
    }, [mounted, eager]);
    if (!mounted && !eager) return <div ref={placeholder} className={s.chunkPlaceholder} style={{ height: `${(end - start) * 1.6}em` }} aria-hidden />;
    const rows = [];
    for (let i = start; i < end; i++) {
      const n = i + 1;
      const selected = !!range && n >= range.start && n <= range.end;
      rows.push(
        <div key={n} id={`L${n}`} className={s.line} data-selected={selected || undefined}>
          <a className={s.lineNo} href={`#L${n}`} data-line={n} aria-label={`Line ${n}`}>
            {n}
          </a>
          {html ? <span className={s.lineCode} dangerouslySetInnerHTML={{ __html: html[i] ?? '' }} /> : <span className={s.lineCode}>{lines[i]}</span>}
        </div>,
      );
    }
    return <div>{rows}</div>;
  },
  // a chunk re-renders only when its own lines' selection changes (or it must mount now)
  (a, b) => a.lines === b.lines && a.html === b.html && a.eager === b.eager && overlap(a.start, a.range) === overlap(b.start, b.range),
);

function overlap(start: number, r: LineRange | null): string {
  if (!r) return '';
  const lo = Math.max(start + 1, r.start);
  const hi = Math.min(start + CHUNK, r.end);
  return lo <= hi ? `${lo}-${hi}` : '';
}
