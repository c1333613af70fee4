// Markdown rendering: hostile documents must come out inert (no script, no event handlers, no
// active URL schemes, nothing that escapes the document), and the GitHub features a README
// relies on must survive the sanitizer: relative links, heading ids, task lists, tables, code.
import { describe, expect, it } from 'vitest';
import { parseHtml } from './sanitize.js';
import type { Element, Root, RootContent } from 'hast';
import { isMarkdownFile, MARKDOWN_FULL_MAX_BYTES, MARKDOWN_MAX_BYTES } from './files.js';
import { renderMarkdown } from './markdown.js';
import type { RepoLinkContext } from './links.js';

const links: RepoLinkContext = { owner: 'alice', repo: 'pub', refKind: 'branch', ref: 'main', dir: 'docs' };
const md = (text: string, ctx: RepoLinkContext | null = links) => renderMarkdown(text, { links: ctx })!.html;

/** Every element of the output as a browser would parse it, for structural assertions. */
function elements(html: string): Element[] {
  const out: Element[] = [];
  const walk = (nodes: (RootContent | Element['children'][number])[]) => {
    for (const n of nodes) {
      if (n.type !== 'element') continue;
      out.push(n);
      walk(n.children);
    }
  };
  walk((parseHtml(html) as Root).children);
  return out;
}

/** What must never appear in any rendering: script elements, handlers, active schemes, styles. */
function assertInert(html: string): void {
  for (const el of elements(html)) {
    expect(['script', 'style', 'iframe', 'object', 'embed', 'form', 'svg', 'math', 'link', 'meta', 'base', 'frame', 'textarea', 'template']).not.toContain(el.tagName);
    for (const [name, value] of Object.entries(el.properties)) {
      expect(name.toLowerCase().startsWith('on'), `${el.tagName} has ${name}`).toBe(false);
      expect(['style', 'formAction', 'action', 'srcDoc', 'xLinkHref', 'target']).not.toContain(name);
      if (['href', 'src', 'cite', 'longDesc', 'srcSet'].includes(name)) {
        const url = String(value)
          .replace(/[\u0000-\u0020]/g, '')
          .toLowerCase();
        expect(url, `${el.tagName}[${name}]`).not.toMatch(/^(?:javascript|vbscript|data|file|blob):/);
      }
    }
  }
}

describe('hostile markdown', () => {
  it("drops <script> elements (their text is shown escaped, as GFM's tag filter does)", () => {
    const html = md('hi\n\n<script>alert(1)</script>\n\n<p>x<script src="https://evil/x.js"></script></p>');
    assertInert(html);
    expect(html).not.toMatch(/<script/i);
  });

  it('removes event handlers from raw images', () => {
    const html = md('<img src=x onerror=alert(1)> <img src="a.png" ONLOAD="alert(2)">');
    assertInert(html);
    expect(html).not.toMatch(/onerror|onload/i);
    expect(html).toContain('<img src="/api/v1/repos/alice/pub/media/docs/x?ref=main">');
  });

  it.each([
    ['markdown link', '[x](javascript:alert(1))'],
    ['mixed case', '[x](JaVaScRiPt:alert(1))'],
    ['autolink', '<javascript:alert(1)>'],
    ['raw href', '<a href="javascript:alert(1)">x</a>'],
    ['entity-encoded colon', '<a href="javascript&#58;alert(1)">x</a>'],
    ['entity-encoded letters', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
    ['hex entities without semicolons', '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>'],
    ['tab inside the scheme', '<a href="java\tscript:alert(1)">x</a>'],
    ['encoded tab inside the scheme', '<a href="java&#x09;script:alert(1)">x</a>'],
    ['newline inside the scheme', '<a href="java&#10;script:alert(1)">x</a>'],
    ['leading space and control', '<a href=" &#1;javascript:alert(1)">x</a>'],
    ['vbscript', '[x](vbscript:msgbox(1))'],
    ['data:text/html link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['data:text/html raw link', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
    ['reference link', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['image with javascript', '![x](javascript:alert(1))'],
    ['image with data:', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
    ['file: link', '[x](file:///etc/passwd)'],
  ])('removes active URLs: %s', (_name, input) => {
    const html = md(input);
    assertInert(html);
    expect(html.toLowerCase()).not.toMatch(/(?:href|src)="\s*(?:java|vbscript|data|file)/);
  });

  it('keeps the text of a removed link', () => {
    expect(md('[click me](javascript:alert(1))')).toBe('<p><a rel="nofollow noopener">click me</a></p>');
  });

  it.each([
    ['iframe', '<iframe src="https://evil.example/"></iframe>'],
    ['style element', '<style>body { display: none }</style>'],
    ['style attribute', '<p style="position:fixed;top:0">overlay</p>'],
    ['form', '<form action="https://evil.example/"><button formaction="javascript:alert(1)">go</button></form>'],
    ['svg with script', '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)"><text>x</text></a></svg>'],
    ['svg onload', '<svg/onload=alert(1)>'],
    ['svg onload in a block', '<div><svg onload="alert(1)"><circle r="1"/></svg></div>'],
    ['math', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
    ['object and embed', '<object data="x.swf"></object><embed src="x.swf">'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">'],
    ['base', '<base href="https://evil.example/">'],
    ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
    ['template', '<template><img src=x onerror=alert(1)></template>'],
    ['noscript mutation', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
    ['comment breakout', '<!--><img src=x onerror=alert(1)>-->'],
    ['details ontoggle', '<details open ontoggle="alert(1)"><summary>s</summary>x</details>'],
    ['target and formaction', '<a href="https://example.com" target="_blank">x</a><input formaction="javascript:alert(1)">'],
  ])('neutralises %s', (_name, input) => {
    assertInert(md(input));
  });

  it('a stray <plaintext> or <xmp> does not swallow the rest of the document', () => {
    const html = md('Before\n\n<plaintext>\n\n# After\n\n<xmp>\n\nAnd **here**.');
    expect(html).toContain('&#x3C;plaintext>');
    expect(html).toContain('<h1 id="user-content-after">After</h1>');
    expect(html).toContain('<strong>here</strong>');
    assertInert(html);
  });

  it('an unclosed <textarea> is an HTML block to the end (CommonMark) and shows as text', () => {
    const html = md('<textarea>\n\n# Still here\n\n<img src=x onerror=alert(1)>');
    expect(html).toBe('&#x3C;textarea>\n\n# Still here\n\n<img src="/api/v1/repos/alice/pub/media/docs/x?ref=main">');
  });

  it('cannot inject attributes through link titles, alt text or code language', () => {
    const html = md('[x](https://example.com "a\\" onmouseover=\\"alert(1)")\n\n![a" onerror="alert(1)](a.png)\n\n```js" onclick="alert(1)\ncode\n```');
    assertInert(html);
    const a = elements(html).find((e) => e.tagName === 'a')!;
    expect(Object.keys(a.properties).sort()).toEqual(['href', 'rel', 'title']);
    const img = elements(html).find((e) => e.tagName === 'img')!;
    expect(img.properties.alt).toBe('a" onerror="alert(1)');
  });

  it('prefixes user ids and names so they cannot clobber the page (DOM clobbering)', () => {
    const html = md('<a name="csrf" id="config">x</a><img name="getElementById">');
    expect(html).toContain('id="user-content-config"');
    expect(html).toContain('name="user-content-csrf"');
    expect(html).toContain('name="user-content-getElementById"');
  });

  it('//host stays an external link (not rewritten into the repository) and gets rel', () => {
    const html = md('<a href="//evil.example/x">a</a> [b](//evil.example/y)');
    expect(html).toContain('<a href="//evil.example/x" rel="nofollow noopener">a</a>');
    expect(html).toContain('<a href="//evil.example/y" rel="nofollow noopener">b</a>');
  });

  it('replaces a rel written in the document with its own', () => {
    expect(md('<a href="https://example.com/" rel="opener">x</a>')).toContain('<a href="https://example.com/" rel="nofollow noopener">x</a>');
    expect(md('<a href="page.md" rel="opener">x</a>')).toBe('<p><a href="/alice/pub/src/branch/main/docs/page.md">x</a></p>');
  });
});

describe("allowed raw HTML (GitHub's subset)", () => {
  it('keeps details/summary around markdown, kbd, sub, sup, br, ins, del and aligned paragraphs', () => {
    const html = md(
      '<details><summary>More</summary>\n\n**bold** inside\n\n</details>\n\n<p align="center">Press <kbd>Ctrl</kbd>+<kbd>C</kbd><br>H<sub>2</sub>O x<sup>2</sup> <ins>new</ins> <del>old</del></p>',
    );
    expect(html).toContain('<details><summary>More</summary>\n<p><strong>bold</strong> inside</p>\n</details>');
    expect(html).toContain('<p align="center">Press <kbd>Ctrl</kbd>+<kbd>C</kbd><br>H<sub>2</sub>O x<sup>2</sup> <ins>new</ins> <del>old</del></p>');
  });

  it('keeps image sizes and alt text, and <picture> sources through the media API', () => {
    const html = md(
      '<picture><source media="(prefers-color-scheme: dark)" srcset="logo-dark.png 1x, javascript:alert(1) 2x, https://cdn.example/l.png 3x"><img alt="Logo" src="logo.png" width="120" height="40"></picture>',
    );
    expect(html).toBe(
      '<p><picture><source media="(prefers-color-scheme: dark)" srcset="/api/v1/repos/alice/pub/media/docs/logo-dark.png?ref=main 1x, https://cdn.example/l.png 3x"><img alt="Logo" src="/api/v1/repos/alice/pub/media/docs/logo.png?ref=main" width="120" height="40"></picture></p>',
    );
  });

  it('unwraps unknown elements but keeps their text', () => {
    expect(md('<center><blink>hello</blink></center>')).toBe('hello');
  });
});

describe('links and images resolve inside the repository', () => {
  it.each([
    ['sibling file', '[a](guide.md)', '/alice/pub/src/branch/main/docs/guide.md'],
    ['dot slash', '[a](./sub/x.md)', '/alice/pub/src/branch/main/docs/sub/x.md'],
    ['parent', '[a](../README.md)', '/alice/pub/src/branch/main/README.md'],
    ['never above the root', '[a](../../../../etc/passwd)', '/alice/pub/src/branch/main/etc/passwd'],
    ['repository root', '[a](/src/main.ts)', '/alice/pub/src/branch/main/src/main.ts'],
    ['directory', '[a](../)', '/alice/pub/src/branch/main'],
    ['with fragment', '[a](guide.md#install)', '/alice/pub/src/branch/main/docs/guide.md#install'],
    ['with query', '[a](guide.md?plain=1)', '/alice/pub/src/branch/main/docs/guide.md?plain=1'],
    ['spaces and unicode', '[a](<my file ü.md>)', '/alice/pub/src/branch/main/docs/my%20file%20%C3%BC.md'],
    ['already encoded', '[a](my%20file.md)', '/alice/pub/src/branch/main/docs/my%20file.md'],
    ['a backslash is part of the name', '[a](x\\y.md)', '/alice/pub/src/branch/main/docs/x%5Cy.md'],
  ])('%s', (_name, input, href) => {
    const a = elements(md(input)).find((e) => e.tagName === 'a')!;
    expect(a.properties.href).toBe(href);
    expect(a.properties.rel).toBeUndefined();
  });

  it('uses the ref kind and encodes branch names with slashes once', () => {
    const ctx: RepoLinkContext = { owner: 'o', repo: 'r', refKind: 'tag', ref: 'release/v1 beta', dir: '' };
    expect(md('[a](x.md) ![i](img/p.png)', ctx)).toBe('<p><a href="/o/r/src/tag/release/v1%20beta/x.md">a</a> <img src="/api/v1/repos/o/r/media/img/p.png?ref=release%2Fv1%20beta" alt="i"></p>');
  });

  it('keeps in-page anchors, pointed at the prefixed ids', () => {
    const html = md('# Install\n\n[go](#install) [top](#user-content-install)');
    expect(html).toContain('<h1 id="user-content-install">Install</h1>');
    expect(html).toContain('<a href="#user-content-install">go</a> <a href="#user-content-install">top</a>');
  });

  it('keeps absolute http(s) and mailto links with rel="nofollow noopener"', () => {
    const html = md('[a](https://example.com/x) [b](HTTP://example.com) [c](mailto:a@example.com) <https://auto.example>');
    expect(html).toBe(
      '<p><a href="https://example.com/x" rel="nofollow noopener">a</a> <a href="http://example.com" rel="nofollow noopener">b</a> <a href="mailto:a@example.com" rel="nofollow noopener">c</a> <a href="https://auto.example" rel="nofollow noopener">https://auto.example</a></p>',
    );
  });

  it('leaves relative links alone without a repository context', () => {
    expect(md('[a](guide.md) ![i](p.png)', null)).toBe('<p><a href="guide.md">a</a> <img src="p.png" alt="i"></p>');
  });

  it('keeps external images as they are', () => {
    expect(md('![b](https://img.shields.io/badge/x-y-green.svg)')).toBe('<p><img src="https://img.shields.io/badge/x-y-green.svg" alt="b"></p>');
  });
});

describe('GitHub features', () => {
  it('gives headings GitHub ids with the user-content- prefix, repeated ones numbered', () => {
    const html = md('# Hello, World!\n## Hello, World!\n### Ünïcode & `code` _em_\n#### 1. Step one');
    expect(html).toBe(
      '<h1 id="user-content-hello-world">Hello, World!</h1>\n<h2 id="user-content-hello-world-1">Hello, World!</h2>\n<h3 id="user-content-ünïcode--code-em">Ünïcode &#x26; <code>code</code> <em>em</em></h3>\n<h4 id="user-content-1-step-one">1. Step one</h4>',
    );
  });

  it('renders task lists with disabled checkboxes and their classes', () => {
    expect(md('- [x] done\n- [ ] todo')).toBe(
      '<ul class="contains-task-list">\n<li class="task-list-item"><input type="checkbox" checked disabled> done</li>\n<li class="task-list-item"><input type="checkbox" disabled> todo</li>\n</ul>',
    );
  });

  it('renders tables with alignment', () => {
    const html = md('| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |');
    expect(html).toContain('<th align="left">a</th>\n<th align="center">b</th>\n<th align="right">c</th>');
    expect(html).toContain('<td align="left">1</td>');
  });

  it('renders strikethrough, autolinks and footnotes that link to each other', () => {
    const html = md('~~gone~~ www.example.com\n\nNote[^1].\n\n[^1]: The note.');
    expect(html).toContain('<del>gone</del>');
    expect(html).toContain('<a href="http://www.example.com" rel="nofollow noopener">www.example.com</a>');
    expect(html).toContain('<a href="#user-content-fn-1" id="user-content-fnref-1" data-footnote-ref aria-describedby="user-content-footnote-label">1</a>');
    expect(html).toContain('<li id="user-content-fn-1">');
    expect(html).toContain('href="#user-content-fnref-1"');
  });

  it('keeps the language class on fenced code and highlights known languages, escaping <', () => {
    const html = md('```ts\nconst a: string = "<b>" as const;\n```');
    expect(html).toBe(
      '<pre><code class="language-ts"><span class="hljs-keyword">const</span> <span class="hljs-attr">a</span>: <span class="hljs-built_in">string</span> = <span class="hljs-string">"&#x3C;b>"</span> <span class="hljs-keyword">as</span> <span class="hljs-keyword">const</span>;\n</code></pre>',
    );
  });

  it('leaves code in unknown languages plain (and escaped)', () => {
    expect(md('```nosuchlang\n<script>alert(1)</script>\n```')).toBe('<pre><code class="language-nosuchlang">&#x3C;script>alert(1)&#x3C;/script>\n</code></pre>');
  });
});

describe('size limits', () => {
  it('renders very large documents with markdown-it, raw HTML off, through the same sanitizer', () => {
    const filler = 'Some text with a [link](other.md) and **bold**.\n\n'.repeat(Math.ceil((MARKDOWN_FULL_MAX_BYTES + 1) / 48));
    const doc = `# Big\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n${filler}`;
    const r = renderMarkdown(doc, { links })!;
    expect(r.engine).toBe('markdown-it');
    const start =
      '<h1 id="user-content-big">Big</h1>\n<p>&#x3C;script>alert(1)&#x3C;/script></p>\n<p>[x](javascript:alert(1))</p>\n<p>Some text with a <a href="/alice/pub/src/branch/main/docs/other.md">link</a> and <strong>bold</strong>.</p>';
    expect(r.html.slice(0, start.length)).toBe(start);
    expect(r.html).not.toMatch(/<script|href="javascript/i);
  });

  it.each([
    ['50,000 nested quotes', 'ok\n\n' + '>'.repeat(50_000) + ' deep'],
    ['1,000 nested lists', 'ok\n\n' + Array.from({ length: 1000 }, (_, i) => ' '.repeat(i * 2) + '- item').join('\n')],
    ['50,000 nested raw <div>s', 'ok\n\n' + '<div>'.repeat(50_000) + 'deep'],
    ['5,000 nested brackets (quadratic in micromark)', 'ok\n\n' + '['.repeat(5_000) + 'deep' + ']'.repeat(5_000)],
  ])('falls back to markdown-it for pathological input: %s', (_name, input) => {
    const r = renderMarkdown(input, { links })!;
    expect(r.engine).toBe('markdown-it');
    expect(r.html.startsWith('<p>ok</p>')).toBe(true); // content past markdown-it's nesting cap is dropped
    expect(r.html).not.toMatch(/<div/);
  });

  it('keeps ordinary nesting on the full pipeline', () => {
    expect(renderMarkdown('> a\n> > b\n\n- x\n  - y\n    - z\n\n[[wiki]] [a [b] c](d.md)', { links })!.engine).toBe('unified');
  });

  it('renders nothing above the hard cap', () => {
    expect(renderMarkdown(Buffer.alloc(MARKDOWN_MAX_BYTES + 1, 'a'), { links })).toBeNull();
  });

  it('accepts bytes with a byte-order mark', () => {
    expect(renderMarkdown(Buffer.from('\uFEFF# T\n'), { links })!.html).toBe('<h1 id="user-content-t">T</h1>');
  });
});

describe('isMarkdownFile', () => {
  it.each([
    ['README.md', true],
    ['docs/Guide.MARKDOWN', true],
    ['notes.mdown', true],
    ['README', false],
    ['readme.txt', false],
    ['x.mdx', false],
  ])('%s → %s', (name, want) => {
    expect(isMarkdownFile(name)).toBe(want);
  });
});

describe('issue references and mentions', () => {
  const ctx = { owner: 'alice', repo: 'proj', refKind: 'branch' as const, ref: 'main', dir: '', issueRefs: true };
  it('links #N, owner/repo#N and @user outside code and links', () => {
    const html = renderMarkdown('see #12, bob/x#3 and @carol; `#4 @dan` [#5](https://e.test) a@b.example &#35;6\n\n```\n#7 @erin\n```', { links: ctx })!.html;
    expect(html).toContain('<a href="/alice/proj/issues/12">#12</a>');
    expect(html).toContain('<a href="/bob/x/issues/3">bob/x#3</a>');
    expect(html).toContain('<a href="/carol">@carol</a>');
    expect(html).toContain('<code>#4 @dan</code>');
    expect(html).not.toContain('/issues/5');
    expect(html).not.toContain('href="/b.example');
    expect(html).not.toContain('/issues/7');
    expect(html).not.toContain('href="/erin"');
  });
  it('leaves them as text in documents that are not issue text', () => {
    const html = renderMarkdown('see #12 and @carol', { links: { ...ctx, issueRefs: false } })!.html;
    expect(html).toBe('<p>see #12 and @carol</p>');
  });
  it('links @user and owner/repo#N in text outside a repository (a post), and leaves a bare #N', () => {
    const html = renderMarkdown('ship #12 of bob/x#3 with @carol [#5](https://e.test) [rel](docs/a.md)', { links: null, mentions: true })!.html;
    expect(html).toBe('<p>ship #12 of <a href="/bob/x/issues/3">bob/x#3</a> with <a href="/carol">@carol</a> <a href="https://e.test" rel="nofollow noopener">#5</a> <a href="docs/a.md">rel</a></p>');
    expect(renderMarkdown('with @carol', { links: null })!.html).toBe('<p>with @carol</p>');
  });
});

describe('wiki pages', () => {
  const ctx = { owner: 'alice', repo: 'proj', refKind: 'branch' as const, ref: '', dir: '', wiki: true };
  it('leaves page links as written and loads relative images from the wiki', () => {
    const html = renderMarkdown('[Setup](Setup) ![shot](img/../shot.png) [ext](https://e.test/x)', { links: ctx })!.html;
    expect(html).toContain('<a href="Setup">Setup</a>');
    expect(html).toContain('<img src="/api/v1/repos/alice/proj/wiki/raw/shot.png" alt="shot">');
    expect(html).toContain('href="https://e.test/x"');
  });
});
