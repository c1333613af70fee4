// A dev shell's terminal stream in the browser: attach and re-attach over the socket, every
// character of output shown once and in order (by the shell's running `end` count), a full
// replay starting the screen over, keystrokes only while attached and in pieces the server takes.
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_CHARS, TerminalStream, type AttachReply, type ShellLink } from '../../renderer/src/features/shells/terminal-stream.js';

/** A socket whose attach answers wait until the test releases them, recording what was sent. */
function fakeLink() {
  const requests: Array<{ event: string; payload: unknown; answer: (r: AttachReply) => void; fail: (e: Error) => void }> = [];
  const sent: Array<{ event: string; payload: unknown }> = [];
  let connected = true;
  const link: ShellLink = {
    request<T>(event: string, payload: unknown) {
      return new Promise<T>((resolve, reject) => requests.push({ event, payload, answer: (r) => resolve(r as T), fail: reject }));
    },
    send(event, payload) {
      if (!connected) return false;
      sent.push({ event, payload });
      return true;
    },
  };
  return { link, requests, sent, setConnected: (on: boolean) => (connected = on) };
}

function fakeTerminal() {
  const ops: string[] = [];
  return {
    ops,
    sink: { write: (d: string) => ops.push(d), reset: () => ops.push('<reset>') },
    screen: () => ops.join(''),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('terminal stream', () => {
  it('attaches without `since` the first time, starts over on a full replay and shows what follows', async () => {
    const { link, requests } = fakeLink();
    const t = fakeTerminal();
    const s = new TerminalStream(7, link, t.sink);
    const attached = s.attach();
    expect(requests[0]).toMatchObject({ event: 'shell:attach', payload: { id: 7 } });
    requests[0]!.answer({ ok: true, end: 11, replay: 'full' });
    await attached;
    s.receive('$ echo hi\r\n', 11);
    s.receive('hi\r\n', 15);
    expect(t.ops).toEqual(['<reset>', '$ echo hi\r\n', 'hi\r\n']);
    expect(s.end).toBe(15);
    expect(s.attached).toBe(true);
  });

  it('after a reconnect asks for what came after the last end and drops what it already showed', async () => {
    const { link, requests } = fakeLink();
    const t = fakeTerminal();
    const s = new TerminalStream(7, link, t.sink);
    const first = s.attach();
    requests[0]!.answer({ ok: true, end: 0, replay: 'full' });
    await first;
    s.receive('abc', 3);
    s.receive('def', 6);
    s.disconnected();
    expect(s.attached).toBe(false);

    const again = s.attach();
    expect(requests[1]).toMatchObject({ event: 'shell:attach', payload: { id: 7, since: 6 } });
    requests[1]!.answer({ ok: true, end: 9, replay: 'tail' });
    await again;
    // the tail overlaps what is shown (a chunk sent both live and in the replay): only the new part
    s.receive('efgh', 8);
    s.receive('ghi', 9);
    s.receive('ghi', 9);
    expect(t.screen()).toBe('<reset>abcdefghi');
  });

  it('holds output that arrives before the answer: shown after a tail, dropped for a full replay that repeats it', async () => {
    const { link, requests } = fakeLink();
    const t = fakeTerminal();
    const s = new TerminalStream(3, link, t.sink);
    const first = s.attach();
    requests[0]!.answer({ ok: true, end: 0, replay: 'full' });
    await first;
    s.receive('one ', 4);
    s.disconnected();

    const tail = s.attach();
    s.receive('two ', 8);
    expect(t.screen()).toBe('<reset>one ');
    requests[1]!.answer({ ok: true, end: 8, replay: 'tail' });
    await tail;
    expect(t.screen()).toBe('<reset>one two ');

    s.disconnected();
    const full = s.attach();
    s.receive('three', 13);
    requests[2]!.answer({ ok: true, end: 13, replay: 'full' });
    await full;
    s.receive('ne two three', 13);
    expect(t.ops.slice(-2)).toEqual(['<reset>', 'ne two three']);
  });

  it('reports a refused attach and sends no keystrokes while not attached', async () => {
    const { link, requests, sent } = fakeLink();
    const s = new TerminalStream(9, link, fakeTerminal().sink);
    expect(s.input('ls\r')).toBe(false);
    const p = s.attach();
    requests[0]!.answer({ ok: false, message: 'dev shell 9 not found', code: 'not_found' });
    expect(await p).toEqual({ ok: false, message: 'dev shell 9 not found', code: 'not_found' });
    expect(s.attached).toBe(false);
    expect(s.input('ls\r')).toBe(false);
    expect(s.resize(80, 24)).toBe(false);
    expect(sent).toEqual([]);
  });

  it('passes keystrokes and sizes on while attached, and a long paste in pieces', async () => {
    const { link, requests, sent } = fakeLink();
    const s = new TerminalStream(2, link, fakeTerminal().sink);
    const p = s.attach();
    requests[0]!.answer({ ok: true, end: 0, replay: 'full' });
    await p;
    expect(s.input('\x03')).toBe(true);
    expect(s.resize(100, 30)).toBe(true);
    const paste = 'x'.repeat(MAX_INPUT_CHARS - 1) + '😀' + 'y'.repeat(10);
    expect(s.input(paste)).toBe(true);
    expect(sent.slice(0, 2)).toEqual([
      { event: 'shell:input', payload: { id: 2, data: '\x03' } },
      { event: 'shell:resize', payload: { id: 2, cols: 100, rows: 30 } },
    ]);
    const pieces = sent.slice(2).map((m) => (m.payload as { data: string }).data);
    expect(pieces.join('')).toBe(paste);
    expect(pieces.every((x) => x.length <= MAX_INPUT_CHARS)).toBe(true);
    // the emoji's two halves travel together
    expect(pieces[1]!.startsWith('😀')).toBe(true);
    s.detach();
    expect(sent.at(-1)).toEqual({ event: 'shell:detach', payload: { id: 2 } });
    expect(s.input('a')).toBe(false);
  });

  it('ignores the answer of an attach superseded by a detach or another attach', async () => {
    const { link, requests } = fakeLink();
    const t = fakeTerminal();
    const s = new TerminalStream(4, link, t.sink);
    const old = s.attach();
    s.detach();
    const current = s.attach();
    requests[1]!.answer({ ok: true, end: 2, replay: 'full' });
    await current;
    s.receive('hi', 2);
    requests[0]!.answer({ ok: true, end: 0, replay: 'full' });
    await old;
    await tick();
    // the stale full replay did not clear the screen again
    expect(t.ops).toEqual(['<reset>', 'hi']);
    expect(s.attached).toBe(true);
  });

  it('a failed request leaves it detached, and output is no longer held', async () => {
    const { link, requests } = fakeLink();
    const t = fakeTerminal();
    const s = new TerminalStream(5, link, t.sink);
    const p = s.attach();
    requests[0]!.fail(new Error('operation has timed out'));
    await expect(p).rejects.toThrow('timed out');
    s.receive('late', 4);
    expect(t.ops).toEqual(['late']);
    expect(s.attached).toBe(false);
  });
});
