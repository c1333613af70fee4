// The browser UI's patch reader: hunks with line numbers, and rows for the split view.
import { describe, expect, it } from 'vitest';
import { countLines, parsePatch, splitRows } from '../../renderer/src/features/history/diff-lines.js';

const PATCH = [
  'diff --git a/a.txt b/a.txt',
  'index 1111111..2222222 100644',
  '--- a/a.txt',
  '+++ b/a.txt',
  '@@ -1,4 +1,5 @@ intro',
  ' one',
  '-two',
  '-three',
  '+TWO',
  ' four',
  '+five',
  '+six',
  '@@ -10 +11,0 @@',
  '-ten',
  '\\ No newline at end of file',
  '',
].join('\n');

describe('parsePatch', () => {
  it('numbers old and new lines from each hunk header and skips git headers', () => {
    const hunks = parsePatch(PATCH);
    expect(hunks.map((h) => h.header)).toEqual(['@@ -1,4 +1,5 @@ intro', '@@ -10 +11,0 @@']);
    expect(hunks[0]!.lines.map((l) => [l.kind, l.oldNo, l.newNo, l.text])).toEqual([
      ['context', 1, 1, 'one'],
      ['del', 2, null, 'two'],
      ['del', 3, null, 'three'],
      ['add', null, 2, 'TWO'],
      ['context', 4, 3, 'four'],
      ['add', null, 4, 'five'],
      ['add', null, 5, 'six'],
    ]);
    expect(hunks[1]!.lines).toEqual([
      { kind: 'del', oldNo: 10, newNo: null, text: 'ten' },
      { kind: 'note', oldNo: null, newNo: null, text: 'No newline at end of file' },
    ]);
    expect(countLines(hunks)).toBe(11);
  });

  it('keeps markup as plain text and reads a type change as two sections', () => {
    const patch =
      'diff --git a/x b/x\ndeleted file mode 120000\n--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-<img src=x onerror=alert(1)>\ndiff --git a/x b/x\nnew file mode 100644\n--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+hello\n';
    const hunks = parsePatch(patch);
    expect(hunks).toHaveLength(2);
    expect(hunks[0]!.lines[0]!.text).toBe('<img src=x onerror=alert(1)>');
    expect(hunks[1]!.lines[0]).toEqual({ kind: 'add', oldNo: null, newNo: 1, text: 'hello' });
  });

  it('has no hunks for a pure rename or a binary file', () => {
    expect(parsePatch('diff --git a/a b/b\nsimilarity index 100%\nrename from a\nrename to b\n')).toEqual([]);
    expect(parsePatch('diff --git a/b.bin b/b.bin\nBinary files a/b.bin and b/b.bin differ\n')).toEqual([]);
  });
});

describe('splitRows', () => {
  it('pairs deletions with the additions after them and keeps context on both sides', () => {
    const rows = splitRows(parsePatch(PATCH)[0]!);
    const show = (l: { text: string } | null) => l?.text ?? null;
    expect(rows.map((r) => [show(r.left), show(r.right)])).toEqual([
      ['one', 'one'],
      ['two', 'TWO'],
      ['three', null],
      ['four', 'four'],
      [null, 'five'],
      [null, 'six'],
    ]);
  });

  it('puts a no-newline note on the side of the line it belongs to', () => {
    const rows = splitRows(parsePatch(PATCH)[1]!);
    expect(rows.map((r) => [r.left?.kind ?? null, r.right?.kind ?? null])).toEqual([
      ['del', null],
      ['note', null],
    ]);
  });
});
