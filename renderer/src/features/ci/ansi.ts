// A job log's terminal output as lines of styled spans: ANSI SGR (colours, bold, dim, italic,
// underline, strike, inverse; 16, 256 and 24-bit colours) becomes style data that the page
// renders as classes and computed colours, never as markup. Every other escape (cursor moves,
// erase, OSC titles and links) is dropped; a lone carriage return starts its line again, as a
// terminal shows a progress bar. Fed chunk by chunk: an escape split across chunks is kept
// until its end arrives.

/** 0–255: the xterm palette; a string: `rgb(r, g, b)` from a 24-bit colour. */
export type Color = number | string;

export interface Style {
  fg: Color | null;
  bg: Color | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  inverse: boolean;
}

export interface Span {
  text: string;
  /** Shared between spans and never changed after it was made. */
  style: Style;
}

export type Line = Span[];

export const PLAIN: Style = Object.freeze({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, strike: false, inverse: false });

const ESC = '\x1b';
/** An escape left open longer than this is not one: it is printed as text would be (dropped). */
const MAX_ESCAPE = 256;

/** The 6×6×6 cube and the grey ramp of the 256-colour palette, as CSS. */
export function paletteColor(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return `rgb(${step(Math.floor(i / 36))}, ${step(Math.floor(i / 6) % 6)}, ${step(i % 6)})`;
}

/** Applies one SGR sequence's parameters (`1;31`, `38;5;208`, `` for reset) to a style. */
export function applySgr(style: Style, params: string): Style {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  const next: Style = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isFinite(c)) continue;
    if (c === 0) Object.assign(next, PLAIN);
    else if (c === 1) next.bold = true;
    else if (c === 2) next.dim = true;
    else if (c === 3) next.italic = true;
    else if (c === 4) next.underline = true;
    else if (c === 7) next.inverse = true;
    else if (c === 9) next.strike = true;
    else if (c === 21 || c === 22) next.bold = next.dim = false;
    else if (c === 23) next.italic = false;
    else if (c === 24) next.underline = false;
    else if (c === 27) next.inverse = false;
    else if (c === 29) next.strike = false;
    else if (c >= 30 && c <= 37) next.fg = c - 30;
    else if (c === 39) next.fg = null;
    else if (c >= 40 && c <= 47) next.bg = c - 40;
    else if (c === 49) next.bg = null;
    else if (c >= 90 && c <= 97) next.fg = c - 90 + 8;
    else if (c >= 100 && c <= 107) next.bg = c - 100 + 8;
    else if (c === 38 || c === 48) {
      const mode = codes[i + 1];
      let color: Color | null = null;
      if (mode === 5) {
        const n = codes[i + 2];
        if (n !== undefined && Number.isInteger(n) && n >= 0 && n <= 255) color = n;
        i += 2;
      } else if (mode === 2) {
        const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]].map((v) => Math.max(0, Math.min(255, Math.trunc(v ?? 0))));
        color = `rgb(${r}, ${g}, ${b})`;
        i += 4;
      } else break;
      if (color !== null) {
        if (c === 38) next.fg = color;
        else next.bg = color;
      }
    }
  }
  return sameStyle(next, style) ? style : next;
}

function sameStyle(a: Style, b: Style): boolean {
  return a.fg === b.fg && a.bg === b.bg && a.bold === b.bold && a.dim === b.dim && a.italic === b.italic && a.underline === b.underline && a.strike === b.strike && a.inverse === b.inverse;
}

/** A log being read: push text as it arrives, read the finished lines and the open one. */
export class AnsiLog {
  /** Finished lines (each ended by a newline); never changed once here. */
  readonly lines: Line[] = [];
  private open: Span[] = [];
  private style: Style = PLAIN;
  /** The start of an escape the last chunk cut off. */
  private held = '';
  /** A carriage return was seen: the next text starts the line again. */
  private returned = false;
  /** Bumped on every change (for React to notice). */
  version = 0;

  /** The line being written (null when nothing is on it yet). */
  get openLine(): Line | null {
    return this.open.length ? [...this.open] : null;
  }

  push(chunk: string): void {
    if (chunk === '') return;
    this.version++;
    const text = this.held + chunk;
    this.held = '';
    let run = '';
    const flush = () => {
      if (run === '') return;
      if (this.returned) {
        this.open = [];
        this.returned = false;
      }
      const last = this.open[this.open.length - 1];
      if (last && last.style === this.style) this.open[this.open.length - 1] = { text: last.text + run, style: this.style };
      else this.open.push({ text: run, style: this.style });
      run = '';
    };
    let i = 0;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\n') {
        flush();
        this.lines.push(this.open);
        this.open = [];
        this.returned = false;
        i++;
      } else if (ch === '\r') {
        flush();
        this.returned = true;
        i++;
      } else if (ch === ESC) {
        flush();
        const end = escapeEnd(text, i);
        if (end === -1) {
          // cut off by the chunk's end: wait for the rest (unless it is no escape at all)
          if (text.length - i < MAX_ESCAPE) this.held = text.slice(i);
          break;
        }
        const seq = text.slice(i, end);
        if (seq[1] === '[' && seq.endsWith('m')) this.style = applySgr(this.style, seq.slice(2, -1));
        i = end;
      } else if (ch === '\t' || ch >= ' ') {
        run += ch;
        i++;
      } else {
        // other control characters (bells, backspaces) print nothing
        i++;
      }
    }
    flush();
  }
}

/** Where the escape at `i` ends (exclusive), or -1 when the text ends first. */
function escapeEnd(text: string, i: number): number {
  const kind = text[i + 1];
  if (kind === undefined) return -1;
  if (kind === '[') {
    // CSI: parameter and intermediate bytes, then one final byte in @–~
    for (let j = i + 2; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      if (c < 0x20 || c > 0x3f) return j; // malformed: drop what came so far
    }
    return -1;
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    // OSC and other strings: up to BEL or ESC \
    for (let j = i + 2; j < text.length; j++) {
      if (text[j] === '\x07') return j + 1;
      if (text[j] === ESC) {
        if (j + 1 >= text.length) return -1;
        return text[j + 1] === '\\' ? j + 2 : j;
      }
    }
    return -1;
  }
  // a two-character escape (ESC 7, ESC =, …); charset selections take one more
  if (kind === '(' || kind === ')') return i + 3 <= text.length ? i + 3 : -1;
  return i + 2;
}
