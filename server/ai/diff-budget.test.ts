import { describe, expect, it } from 'vitest';
import type { CommitDiff, FileDiff } from '../git/diff.js';
import { boundDiff, fileSummary, patchLines } from './diff-budget.js';

function file(path: string, lines: number, extra: Partial<FileDiff> = {}): FileDiff {
  const body = Array.from({ length: lines }, (_, i) => `+line ${i} of ${path}`).join('\n');
  return {
    path,
    oldPath: path,
    status: 'modified',
    similarity: null,
    oldMode: '100644',
    newMode: '100644',
    oldSha: 'a'.repeat(40),
    newSha: 'b'.repeat(40),
    additions: lines,
    deletions: 0,
    binary: false,
    patch: `diff --git a/${path} b/${path}\nindex 1..2 100644\n--- a/${path}\n+++ b/${path}\n@@ -0,0 +1,${lines} @@\n${body}\n`,
    patchTruncated: false,
    ...extra,
  };
}

function diffOf(files: FileDiff[], totalFiles = files.length): CommitDiff {
  return { files, totalFiles, additions: files.reduce((n, f) => n + f.additions, 0), deletions: 0, truncated: totalFiles > files.length };
}

describe('boundDiff', () => {
  it('sends a small diff whole, without git header lines', () => {
    const ex = boundDiff(diffOf([file('src/a.ts', 3)]));
    expect(ex.text).toContain('### src/a.ts (+3 \u22120)');
    expect(ex.text).toContain('@@ -0,0 +1,3 @@\n+line 0 of src/a.ts\n+line 1 of src/a.ts\n+line 2 of src/a.ts');
    expect(ex.text).not.toContain('diff --git');
    expect(ex).toMatchObject({ withPatch: 1, summarized: 0 });
  });

  it("cuts each file's patch to the line budget and says so", () => {
    const ex = boundDiff(diffOf([file('big.ts', 500)]), { maxLinesPerFile: 10, maxChars: 100_000, summaryShare: 0.25 });
    expect(ex.text).toContain('+line 8 of big.ts');
    expect(ex.text).not.toContain('+line 9 of big.ts');
    expect(ex.text).toContain('… (491 more lines not shown)');
  });

  it('summarizes the files past the character budget and stays within it', () => {
    const files = Array.from({ length: 400 }, (_, i) => file(`pkg/file-${i}.ts`, 30));
    const budget = { maxLinesPerFile: 20, maxChars: 6000, summaryShare: 0.25 };
    const ex = boundDiff(diffOf(files), budget);
    expect(ex.text.length).toBeLessThanOrEqual(budget.maxChars);
    expect(ex.text).toContain('+line 0 of pkg/file-0.ts');
    expect(ex.text).toContain('Other changed files (patch not shown):');
    expect(ex.text).toMatch(/- pkg\/file-\d+\.ts \(\+30 \u22120\)/);
    expect(ex.text).toMatch(/- … and \d+ more files \(\+\d+ \u22120\)\n$/);
    expect(ex.withPatch + ex.summarized).toBe(400);
    expect(ex.withPatch).toBeGreaterThan(0);
  });

  it('counts files the diff did not even list', () => {
    const ex = boundDiff(diffOf([file('a.ts', 1)], 5000));
    expect(ex.text).toContain('- … and 4999 more files');
    expect(ex.summarized).toBe(4999);
  });

  it('names binary files, renames and patches the diff left out', () => {
    expect(fileSummary({ path: 'logo.png', oldPath: 'logo.png', status: 'added', additions: 0, deletions: 0, binary: true })).toBe('logo.png (added, binary)');
    expect(fileSummary({ path: 'b.ts', oldPath: 'a.ts', status: 'renamed', additions: 1, deletions: 2, binary: false })).toBe('a.ts → b.ts (renamed, +1 \u22122)');
    const ex = boundDiff(diffOf([file('x.ts', 2, { patch: null, patchTruncated: true })]));
    expect(ex.text).toContain('### x.ts (+2 \u22120)\n(patch not shown)');
  });

  it('keeps hunk lines only', () => {
    expect(patchLines('diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', 10)).toEqual({ lines: ['@@ -1 +1 @@', '-a', '+b'], cut: 0 });
  });
});
