// A shell's terminal: xterm.js in the page, coloured from the theme's tokens, sized to its box
// (a ResizeObserver fits it and tells the shell the new size), links clickable, copy and paste
// through the browser's clipboard. It attaches over the tab's socket while connected and again
// after every reconnect (see terminal-stream.ts); keystrokes go out as xterm reports them.
// Read-only once the shell has ended. Several tabs may show one shell: each simply attaches.
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useRealtime, useRealtimeConnected, useSocketEvent } from '../../lib/realtime';
import { TerminalStream } from './terminal-stream';
import s from './Shells.module.css';

/** A colour token (`--text`) as the rgb()/rgba() string xterm parses. */
function tokenColor(probe: HTMLElement, token: string, fallback: string): string {
  probe.style.color = fallback;
  probe.style.color = `var(${token}, ${fallback})`;
  return getComputedStyle(probe).color || fallback;
}

/** The terminal's colours from the app's theme tokens; the 16 ANSI colours match the CI log's. */
function themeFrom(host: HTMLElement): ITheme {
  const probe = document.createElement('span');
  probe.hidden = true;
  host.append(probe);
  try {
    return {
      background: tokenColor(probe, '--bg', '#0b0a10'),
      foreground: tokenColor(probe, '--text', '#ecebf2'),
      cursor: tokenColor(probe, '--accent', '#a78bfa'),
      cursorAccent: tokenColor(probe, '--bg', '#0b0a10'),
      selectionBackground: tokenColor(probe, '--accent-glow', 'rgba(167, 139, 250, 0.35)'),
      black: '#3b3f4a',
      red: '#f2666f',
      green: '#5fd38a',
      yellow: '#e8c25a',
      blue: '#6ea8ff',
      magenta: '#d18cf0',
      cyan: '#4fd1d9',
      white: '#cfd3dc',
      brightBlack: '#7d8390',
      brightRed: '#ff8c93',
      brightGreen: '#8af0b0',
      brightYellow: '#ffe08a',
      brightBlue: '#9cc4ff',
      brightMagenta: '#e8b3ff',
      brightCyan: '#8df0f5',
      brightWhite: '#ffffff',
    };
  } finally {
    probe.remove();
  }
}

function codeFont(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--font-code').trim() || 'ui-monospace, monospace';
}

/** Waits (briefly) for the code font, so xterm measures its cells in the font it will draw. */
async function fontReady(family: string): Promise<void> {
  const first = family.split(',')[0]?.trim();
  if (!first || !document.fonts) return;
  await Promise.race([document.fonts.load(`400 14px ${first}`).catch(() => []), new Promise((r) => setTimeout(r, 1_500))]);
}

export interface AttachState {
  /** Attached now: keystrokes reach the shell. */
  attached: boolean;
  /** Why the last attach was refused, or null. */
  error: string | null;
}

export function ShellTerminal({
  id,
  readOnly,
  retryKey,
  onAttach,
  onInput,
}: {
  id: number;
  /** The shell has ended: show what it printed, send nothing. */
  readOnly: boolean;
  /** A change asks again after a refused attach (the shell's state, say). */
  retryKey?: string;
  onAttach?: (state: AttachState) => void;
  /** Called on each keystroke sent (the page's idle clock). */
  onInput?: () => void;
}) {
  const client = useRealtime();
  const connected = useRealtimeConnected();
  const hostRef = useRef<HTMLDivElement>(null);
  const [term, setTerm] = useState<Terminal | null>(null);
  const [stream, setStream] = useState<TerminalStream | null>(null);
  const readOnlyRef = useRef(readOnly);
  const onAttachRef = useRef(onAttach);
  const onInputRef = useRef(onInput);
  useLayoutEffect(() => {
    readOnlyRef.current = readOnly;
    onAttachRef.current = onAttach;
    onInputRef.current = onInput;
  });

  // the terminal itself, once the code font is there
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let disposed = false;
    let t: Terminal | null = null;
    let observer: ResizeObserver | null = null;
    let frame = 0;
    const family = codeFont();
    void fontReady(family).then(() => {
      if (disposed) return;
      t = new Terminal({
        fontFamily: family,
        fontSize: 14,
        lineHeight: 1.15,
        scrollback: 5_000,
        cursorBlink: true,
        allowProposedApi: false,
        theme: themeFrom(host),
        disableStdin: readOnlyRef.current,
      });
      const fit = new FitAddon();
      t.loadAddon(fit);
      t.loadAddon(
        new WebLinksAddon((event, uri) => {
          event.preventDefault();
          window.open(uri, '_blank', 'noopener,noreferrer');
        }),
      );
      const term = t;
      // Ctrl+C copies while text is selected (else it is the shell's ^C); Ctrl+Shift+C/V and
      // Ctrl+V are the browser's copy and paste, which xterm turns into input (bracketed if asked)
      term.attachCustomKeyEventHandler((e) => {
        if (e.type !== 'keydown' || !(e.ctrlKey || e.metaKey) || e.altKey) return true;
        const key = e.key.toLowerCase();
        if (key === 'c' && (e.shiftKey || term.hasSelection())) return false;
        if (key === 'v') return false;
        return true;
      });
      term.open(host);
      const fitNow = () => {
        if (host.clientWidth > 0 && host.clientHeight > 0) fit.fit();
      };
      fitNow();
      observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(fitNow);
      });
      observer.observe(host);
      setTerm(term);
      setStream(
        new TerminalStream(id, client, {
          write: (data) => term.write(data),
          // RIS through the write queue: a reset that waits for the writes before it
          reset: () => term.write('\x1bc'),
        }),
      );
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      cancelAnimationFrame(frame);
      t?.dispose();
      setTerm(null);
      setStream(null);
    };
  }, [id, client]);

  // a new preset (the Appearance page sets it on <html>) recolours the terminal
  useEffect(() => {
    const host = hostRef.current;
    if (!term || !host) return;
    const observer = new MutationObserver(() => {
      term.options.theme = themeFrom(host);
    });
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-preset'] });
    return () => observer.disconnect();
  }, [term]);

  useEffect(() => {
    if (!term) return;
    term.options.disableStdin = readOnly;
    term.options.cursorBlink = !readOnly;
  }, [term, readOnly]);

  // keystrokes and size out
  useEffect(() => {
    if (!term || !stream) return;
    const data = term.onData((d) => {
      if (!readOnlyRef.current && stream.input(d)) onInputRef.current?.();
    });
    const size = term.onResize(({ cols, rows }) => stream.resize(cols, rows));
    return () => {
      data.dispose();
      size.dispose();
    };
  }, [term, stream]);

  useSocketEvent('shell:output', (e) => {
    if (e?.id === id) stream?.receive(e.data, e.end);
  });

  // attached while connected; again after a reconnect, from the last output seen
  useEffect(() => {
    if (!term || !stream) return;
    if (!connected) {
      stream.disconnected();
      onAttachRef.current?.({ attached: false, error: null });
      return;
    }
    let live = true;
    stream
      .attach()
      .then((reply) => {
        if (!live) return;
        if (reply.ok) {
          // the shell's pty takes this tab's size (the last tab to attach or resize wins)
          stream.resize(term.cols, term.rows);
          // ready to type into at once, unless the viewer is busy elsewhere on the page
          if (!readOnlyRef.current && (document.activeElement === document.body || document.activeElement === null)) term.focus();
          onAttachRef.current?.({ attached: true, error: null });
        } else {
          onAttachRef.current?.({ attached: false, error: reply.message || 'the shell refused to attach' });
        }
      })
      .catch((err: unknown) => {
        if (live) onAttachRef.current?.({ attached: false, error: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      live = false;
      stream.detach();
    };
  }, [term, stream, connected, retryKey]);

  return <div ref={hostRef} className={s.terminal} data-testid="shell-terminal" data-read-only={readOnly} />;
}
