import { describe, expect, it } from 'vitest';
import { ClaimChecker, checkBody, checkUnit, extractClaims, verifyMessage, wrap, type Evidence } from './verify.js';

const PATCH = `diff --git a/src/parser.ts b/src/parser.ts
@@ -1,3 +1,6 @@
 import { lex } from './lexer.js';
+export function parseConfig(text: string) {
+  return lex(text).map(normalize_token);
+}
+// see #12; needs node 20.11.1
`;
const evidence: Evidence = { paths: ['src/parser.ts', 'src/lexer.ts', 'docs/guide.md'], text: PATCH };
const checker = new ClaimChecker(evidence);
const tokens = (text: string) => extractClaims(text).map((c) => `${c.kind}:${c.token}`);

describe('claims in a message', () => {
  it('finds file paths, names with an extension, calls, backticked identifiers, versions and issue refs', () => {
    expect(tokens('Update src/parser.ts and README.md for `lex` and parseConfig() in 2.0.1 (#12, gitssy/forge#3)')).toEqual([
      'file:src/parser.ts',
      'file:README.md',
      'function:lex',
      'function:parseConfig',
      'version:2.0.1',
      'issue:#12',
      'issue:gitssy/forge#3',
    ]);
  });

  it('sees camelCase and snake_case words as identifiers, and leaves English alone', () => {
    expect(tokens('Use normalize_token in parseConfig')).toEqual(['function:normalize_token', 'function:parseConfig']);
    expect(tokens('Improve read/write and input/output handling, e.g. on macOS and iOS')).toEqual([]);
    expect(tokens('Works 24/7 since 12/05/2024')).toEqual([]);
    expect(tokens('Speed up parsing 2.5x')).toEqual([]);
  });

  it('does not read a version or an extension out of a URL or a path', () => {
    expect(tokens('Vendor lib/jquery-3.5.1.min.js')).toEqual(['file:lib/jquery-3.5.1.min.js']);
    expect(tokens('Bump to v1.2.3.')).toEqual(['version:1.2.3']);
  });
});

describe('checking claims against the change', () => {
  it.each([
    ['file', 'src/parser.ts', true],
    ['file', 'parser.ts', true],
    ['file', 'src', true],
    ['file', 'src/', true],
    ['file', './src/lexer.ts', true],
    ['file', 'lexer.js', true], // quoted in the patch
    ['file', 'src/missing.ts', false],
    ['file', 'docs', true],
    ['function', 'parseConfig', true],
    ['function', 'parse', false], // a prefix is not the name
    ['function', 'Parser.parseConfig', true],
    ['function', 'lex(text)', true],
    ['function', 'frobnicate', false],
    ['version', '20.11.1', true],
    ['version', '20.11', false],
    ['version', '3.0.0', false],
    ['issue', '#12', true],
    ['issue', '#1', false],
    ['issue', 'someone/else#12', false],
  ] as const)('%s %j holds: %s', (kind, token, holds) => {
    expect(checker.holds({ kind, token })).toBe(holds);
  });
});

describe('taking unbacked claims out', () => {
  it('takes a file out of a list and keeps the sentence', () => {
    expect(checkUnit('Update src/parser.ts and src/missing.ts', checker)).toEqual({ text: 'Update src/parser.ts', removed: ['src/missing.ts'] });
    expect(checkUnit('Touch src/missing.ts, src/parser.ts and docs/guide.md', checker)).toEqual({ text: 'Touch src/parser.ts and docs/guide.md', removed: ['src/missing.ts'] });
    expect(checkUnit('Touch src/parser.ts, src/missing.ts, and docs/guide.md', checker).text).toBe('Touch src/parser.ts and docs/guide.md');
    expect(checkUnit('Touch src/lexer.ts, src/parser.ts, src/missing.ts, and docs/guide.md', checker).text).toBe('Touch src/lexer.ts, src/parser.ts, and docs/guide.md');
    expect(checkUnit('Touch src/missing.ts, src/parser.ts, and docs/guide.md', checker).text).toBe('Touch src/parser.ts and docs/guide.md');
    expect(checkUnit('Touch src/parser.ts, docs/guide.md, and src/missing.ts here', checker).text).toBe('Touch src/parser.ts and docs/guide.md here');
    expect(checkUnit('Touch src/lexer.ts, src/parser.ts, docs/guide.md and src/missing.ts', checker).text).toBe('Touch src/lexer.ts, src/parser.ts and docs/guide.md');
    expect(checkUnit('Touch src/missing.ts', checker).text).toBeNull();
  });

  it('drops the sentence when the claim is not an item of a list', () => {
    expect(checkUnit('Add tests for src/missing.ts and update the docs', checker)).toEqual({ text: null, removed: ['src/missing.ts'] });
    expect(checkUnit('Bump the parser to 3.0.0', checker)).toEqual({ text: null, removed: ['3.0.0'] });
  });

  it('takes an issue reference out with its keyword, and drops a line that was nothing else', () => {
    expect(checkUnit('Parse configs (#99)', checker).text).toBe('Parse configs');
    expect(checkUnit('Parse configs, fixes #99', checker).text).toBe('Parse configs');
    expect(checkUnit('Parse configs (closes #99)', checker).text).toBe('Parse configs');
    expect(checkUnit('Closes #99', checker).text).toBeNull();
    expect(checkUnit('Refs #12', checker).text).toBe('Refs #12');
  });

  it('keeps the rest of the body: paragraphs, bullets, and a lead-in only while its list has items', () => {
    const body = [
      'Parsing of configs moves into parseConfig. It calls frobnicate() first.',
      'Nothing else changes.',
      '',
      'Changes:',
      '- src/parser.ts: add parseConfig',
      '- src/missing.ts: remove the old parser',
      '',
      'Also:',
      '- bump to 3.1.4',
      '',
      'Closes #40',
    ].join('\n');
    const out = checkBody(body, checker);
    expect(out.body).toBe(['Parsing of configs moves into parseConfig. Nothing else changes.', '', 'Changes:', '- src/parser.ts: add parseConfig'].join('\n'));
    expect(out.removed).toEqual(['frobnicate', 'src/missing.ts', '3.1.4', '#40']);
  });

  it('drops a code block that quotes what the change does not contain', () => {
    expect(checkBody('Use it like this:\n\n```\nparseConfig(x)\n```', checker).body).toContain('```');
    expect(checkBody('Use it like this:\n\n```\nfrobnicate(x)\n```', checker)).toEqual({ body: 'Use it like this:', removed: ['frobnicate'] });
  });
});

describe('verifyMessage', () => {
  it('keeps what the diff backs and reports each removed claim once', () => {
    const v = verifyMessage({ subject: 'Add parseConfig to src/parser.ts and src/ghost.ts', body: '- src/ghost.ts was deleted\n- parseConfig lexes the text' }, evidence);
    expect(v).toEqual({ ok: true, message: { subject: 'Add parseConfig to src/parser.ts', body: '- parseConfig lexes the text' }, removed: ['src/ghost.ts'] });
  });

  it('refuses a suggestion whose subject is a claim the diff does not back, with the reason', () => {
    const v = verifyMessage({ subject: 'Release 3.0.0', body: 'Adds parseConfig.' }, evidence);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toMatch(/subject names "3\.0\.0", which the change does not contain/);
      expect(v.removed).toEqual(['3.0.0']);
    }
  });

  it('cuts a long subject at a word boundary to 72 characters', () => {
    const v = verifyMessage({ subject: 'Parse configuration files through the lexer and normalize every token before handing them on', body: '' }, evidence);
    expect(v.ok && v.message.subject).toBe('Parse configuration files through the lexer and normalize every token');
    expect(v.ok && v.message.subject.length).toBeLessThanOrEqual(72);
  });
});

describe('wrap', () => {
  it('wraps at 72 columns with a hanging indent', () => {
    const w = wrap('word '.repeat(40).trim(), 72, '- ', '  ');
    for (const line of w.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
    expect(w.split('\n')[1]).toMatch(/^ {2}word/);
  });
});
