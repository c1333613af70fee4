// Syntax highlighting: hljs classes come out, code text is escaped, lines are split so each one
// is balanced HTML, limits turn highlighting off, languages are found from names.
import { describe, expect, it } from 'vitest';
import { countLines, DETECTED_LANGUAGES, HIGHLIGHT_MAX_BYTES, HIGHLIGHT_MAX_LINES, languageFor } from './files.js';
import { highlightFile, knownLanguage } from './highlight.js';

describe('highlightFile', () => {
  it('produces hljs spans', () => {
    const h = highlightFile('const x = 1; // one\n', 'typescript');
    expect(h).toEqual({
      language: 'typescript',
      lines: 1,
      html: '<span class="hljs-keyword">const</span> x = <span class="hljs-number">1</span>; <span class="hljs-comment">// one</span>\n',
    });
  });

  it('escapes markup in code', () => {
    const h = highlightFile('let s = "<script>alert(1)</script>" && a < b & c;\n', 'javascript');
    expect(h.html).not.toContain('<script');
    expect(h.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(h.html).toContain('&amp; c');
  });

  it('markup in an HTML file is text, not elements', () => {
    const h = highlightFile('<img src=x onerror="alert(1)"><script>alert(2)</script>\n', 'xml');
    expect(h.html).not.toMatch(/<(?!\/?span[ >])/);
    expect(h.html).toContain('<span class="hljs-attr">onerror</span>');
  });

  it('splits spans that cross lines so every line is balanced', () => {
    const h = highlightFile('/* one\ntwo\nthree */\nx();\n', 'javascript');
    const lines = h.html!.split('\n');
    expect(lines.slice(0, 3)).toEqual(['<span class="hljs-comment">/* one</span>', '<span class="hljs-comment">two</span>', '<span class="hljs-comment">three */</span>']);
    for (const line of lines) expect(line.match(/<span/g)?.length ?? 0).toBe(line.match(/<\/span>/g)?.length ?? 0);
    expect(h.lines).toBe(4);
  });

  it('keeps nested spans nested on each line (template strings)', () => {
    const h = highlightFile('const t = `a ${b}\nc ${d}`;\n', 'javascript');
    const [first, second] = h.html!.split('\n');
    expect(first).toBe('<span class="hljs-keyword">const</span> t = <span class="hljs-string">`a <span class="hljs-subst">${b}</span></span>');
    expect(second).toBe('<span class="hljs-string">c <span class="hljs-subst">${d}</span>`</span>;');
  });

  it('does not highlight above the size limit', () => {
    const text = 'x = 1\n'.repeat(Math.ceil(HIGHLIGHT_MAX_BYTES / 6) + 1);
    expect(highlightFile(text, 'python')).toEqual({ language: 'python', html: null, lines: countLines(text) });
  });

  it('does not highlight above the line limit', () => {
    const text = '\n'.repeat(HIGHLIGHT_MAX_LINES + 1);
    expect(highlightFile(text, 'python').html).toBeNull();
    expect(highlightFile('\n'.repeat(HIGHLIGHT_MAX_LINES), 'python').html).not.toBeNull();
  });

  it('does not highlight unknown languages', () => {
    expect(highlightFile('hello\n', null)).toEqual({ language: null, html: null, lines: 1 });
    expect(highlightFile('hello\n', 'cobol-85')).toEqual({ language: 'cobol-85', html: null, lines: 1 });
  });

  it('prints how long a 2,000-line TypeScript file takes (not asserted: benchmarks measure)', () => {
    const shapes = [
      (i: number) => `export async function load${i}(id: string): Promise<Row | null> {\n`,
      (i: number) => `  const row = await db.get(\`item-\${id}\`, { n: ${i} });\n`,
      () => `  // the cache answers first\n`,
      () => `  if (!row) return null;\n`,
      () => `  return { ...row, seen: Date.now() };\n`,
      () => `}\n`,
    ];
    const line = (i: number) => shapes[i % shapes.length]!(i);
    // about 35 characters a line, like real TypeScript
    const text = Array.from({ length: 2000 }, (_, i) => line(i)).join('');
    const time = () => {
      const [t, cpu] = [performance.now(), process.cpuUsage()];
      const h = highlightFile(text, 'typescript');
      return { h, ms: performance.now() - t, cpuMs: process.cpuUsage(cpu).user / 1000 };
    };
    const first = time();
    const again = [time(), time(), time()].sort((a, b) => a.ms - b.ms)[1]!;
    expect(first.h.lines).toBe(2000);
    console.log(
      `highlight 2,000 lines (${(text.length / 1024).toFixed(0)} KiB): first ${first.ms.toFixed(1)} ms (${first.cpuMs.toFixed(0)} ms CPU), ` +
        `later renders ${again.ms.toFixed(1)} ms (${again.cpuMs.toFixed(0)} ms CPU); the service caches by blob id, so a warm view costs a map lookup`,
    );
  });
});

describe('countLines', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['a\n', 1],
    ['a\nb', 2],
    ['a\nb\n', 2],
    ['\n\n', 2],
  ])('%j has %i lines', (text, n) => {
    expect(countLines(text)).toBe(n);
  });
});

describe('languageFor', () => {
  it.each([
    ['src/main.ts', 'typescript'],
    ['App.TSX', 'typescript'],
    ['lib/x.mjs', 'javascript'],
    ['a.py', 'python'],
    ['main.go', 'go'],
    ['lib.rs', 'rust'],
    ['x.h', 'c'],
    ['x.hpp', 'cpp'],
    ['Program.cs', 'csharp'],
    ['index.html', 'xml'],
    ['style.scss', 'scss'],
    ['.github/workflows/ci.yml', 'yaml'],
    ['Cargo.toml', 'ini'],
    ['package.json', 'json'],
    ['README.md', 'markdown'],
    ['Makefile', 'makefile'],
    ['Dockerfile', 'dockerfile'],
    ['build/Dockerfile.dev', 'dockerfile'],
    ['CMakeLists.txt', 'cmake'],
    ['Gemfile', 'ruby'],
    ['.bashrc', 'bash'],
    ['fix.patch', 'diff'],
    ['schema.proto', 'protobuf'],
    ['notes.txt', null],
    ['LICENSE', null],
    ['archive.tar.gz', null],
  ])('%s → %s', (name, lang) => {
    expect(languageFor(name)).toBe(lang);
  });

  it('reads a #! line when the name says nothing', () => {
    expect(languageFor('bin/deploy', '#!/usr/bin/env bash\nset -e\n')).toBe('bash');
    expect(languageFor('tool', '#!/usr/bin/python3\n')).toBe('python');
    expect(languageFor('cli', '#!/usr/bin/env node\n')).toBe('javascript');
    expect(languageFor('data', 'no shebang\n')).toBeNull();
  });

  it('names only languages the render worker has a grammar for', () => {
    // the main thread decides without the grammars (files.ts) and sends these to a worker
    for (const lang of DETECTED_LANGUAGES) expect(knownLanguage(lang), lang).toBe(true);
    expect(knownLanguage('cobol-85')).toBe(false);
  });
});
