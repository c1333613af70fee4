// The CI job page's log reader: ANSI SGR to styled spans (nothing else of the escapes survives),
// and the follower that merges the stored log with live chunks by byte offset.
import { describe, expect, it } from 'vitest';
import { AnsiLog, applySgr, paletteColor, PLAIN, type Line } from '../../renderer/src/features/ci/ansi.js';
import { LogFollower } from '../../renderer/src/features/ci/log-follower.js';

const text = (line: Line) => line.map((s) => s.text).join('');
const read = (chunks: string[]) => {
  const log = new AnsiLog();
  for (const c of chunks) log.push(c);
  return log;
};

describe('ANSI log lines', () => {
  it('turns colour and bold codes into styles on plain text', () => {
    const log = read(['\x1b[32mok\x1b[0m plain \x1b[1;31mbad\x1b[m\n']);
    expect(log.lines).toHaveLength(1);
    const [ok, plain, bad] = log.lines[0]!;
    expect(ok).toMatchObject({ text: 'ok', style: { fg: 2, bold: false } });
    expect(plain).toMatchObject({ text: ' plain ', style: PLAIN });
    expect(bad).toMatchObject({ text: 'bad', style: { fg: 1, bold: true } });
  });

  it('reads bright, 256-colour and 24-bit colours, backgrounds and resets of single attributes', () => {
    expect(applySgr(PLAIN, '94').fg).toBe(12);
    expect(applySgr(PLAIN, '103').bg).toBe(11);
    expect(applySgr(PLAIN, '38;5;208').fg).toBe(208);
    expect(applySgr(PLAIN, '48;2;10;20;300').bg).toBe('rgb(10, 20, 255)');
    expect(applySgr(applySgr(PLAIN, '1;4'), '22').bold).toBe(false);
    expect(applySgr(applySgr(PLAIN, '31'), '39').fg).toBeNull();
    expect(paletteColor(16)).toBe('rgb(0, 0, 0)');
    expect(paletteColor(231)).toBe('rgb(255, 255, 255)');
    expect(paletteColor(232)).toBe('rgb(8, 8, 8)');
  });

  it('keeps an escape that a chunk cut in two, and the style across lines and chunks', () => {
    const log = read(['a\x1b[3', '3mb\nc', '\x1b[0', 'md\n']);
    expect(log.lines.map(text)).toEqual(['ab', 'cd']);
    expect(log.lines[1]![0]).toMatchObject({ text: 'c', style: { fg: 3 } });
    expect(log.lines[1]![1]).toMatchObject({ text: 'd', style: PLAIN });
  });

  it('drops cursor moves, erases, OSC titles and links, and control characters; markup stays text', () => {
    const log = read(['\x1b]0;title\x07\x1b[2K\x1b[1A<b>x</b>\x07\x08 \x1b]8;;http://e.test\x1b\\link\x1b]8;;\x1b\\\n']);
    expect(log.lines.map(text)).toEqual(['<b>x</b> link']);
  });

  it('starts a line again after a lone carriage return, and takes \\r\\n as a newline', () => {
    const log = read(['10%\r50%\r100%\r\n', 'next\r\n']);
    expect(log.lines.map(text)).toEqual(['100%', 'next']);
  });

  it('shows the unfinished last line as the open one', () => {
    const log = read(['one\ntw', 'o']);
    expect(log.lines.map(text)).toEqual(['one']);
    expect(text(log.openLine!)).toBe('two');
  });
});

/** A stored log that grows, read as the server's `…/log?offset=N` answers. */
function storedLog() {
  let bytes = new Uint8Array(0);
  const reads: number[] = [];
  return {
    reads,
    append(s: string): { offset: number; text: string } {
      const add = new TextEncoder().encode(s);
      const offset = bytes.length;
      const next = new Uint8Array(bytes.length + add.length);
      next.set(bytes);
      next.set(add, bytes.length);
      bytes = next;
      return { offset, text: s };
    },
    fetchFrom: async (offset: number) => {
      reads.push(offset);
      return bytes.slice(offset);
    },
  };
}

describe('following a log', () => {
  it('shows every byte once when live chunks overlap what was read', async () => {
    const store = storedLog();
    let shown = '';
    const f = new LogFollower(store.fetchFrom, (t) => (shown += t));
    store.append('one\n');
    const two = store.append('two\n');
    await f.sync();
    // the chunk was stored before the read, and arrives live after it
    f.receive(two.offset, two.text);
    const three = store.append('three\n');
    f.receive(three.offset, three.text);
    expect(shown).toBe('one\ntwo\nthree\n');
  });

  it('fetches a gap before showing a chunk that starts past what it has', async () => {
    const store = storedLog();
    let shown = '';
    const f = new LogFollower(store.fetchFrom, (t) => (shown += t));
    store.append('a\n');
    store.append('b\n');
    const c = store.append('c\n');
    f.receive(c.offset, c.text);
    await f.sync();
    expect(shown).toBe('a\nb\nc\n');
    expect(store.reads[0]).toBe(0);
  });

  it('reads again shortly when a chunk was announced before the stored log has it', async () => {
    const store = storedLog();
    let shown = '';
    const f = new LogFollower(store.fetchFrom, (t) => (shown += t));
    await f.sync();
    // announced at offset 2, but the bytes before it reach the disk only a moment later
    f.receive(2, 'b\n');
    await f.sync();
    expect(shown).toBe('');
    store.append('a\n');
    store.append('b\n');
    await expect.poll(() => shown, { timeout: 2_000 }).toBe('a\nb\n');
    f.close();
  });

  it('keeps a character whole when its bytes arrive in two reads', async () => {
    const bytes = new TextEncoder().encode('é✓\n');
    let shown = '';
    let cut = 1;
    const f = new LogFollower(
      async (offset) => bytes.slice(offset, cut),
      (t) => (shown += t),
    );
    await f.sync();
    cut = 3;
    await f.sync();
    cut = bytes.length;
    await f.sync();
    expect(shown).toBe('é✓\n');
  });

  it('reports a failed read and reads again on the next sync', async () => {
    let fail = true;
    const errors: unknown[] = [];
    let shown = '';
    const f = new LogFollower(
      async () => {
        if (fail) throw new Error('offline');
        return new TextEncoder().encode('back\n');
      },
      (t) => (shown += t),
      (e) => errors.push(e),
    );
    await f.sync();
    expect(errors).toHaveLength(1);
    fail = false;
    await f.sync();
    expect(shown).toBe('back\n');
  });
});
