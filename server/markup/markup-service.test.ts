// The markup service over a real repository: READMEs rendered with links resolving in their
// directory, files highlighted and rendered, and the cache answering the second time without git.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBlob } from '../git/blob.js';
import type { ResolvedRef } from '../git/refs.js';
import { entryAt } from '../git/tree.js';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { MarkupService } from './markup-service.js';
import { MarkupRenderer } from './renderer.js';

let rig: ReadRig;
let work: WorkRepo;
let ref: ResolvedRef;
// one worker pool for every service in this file: each test still gets a fresh cache
const renderer = new MarkupRenderer();
const repo = () => ({ ...work.repo, owner: 'alice', name: 'pub' });

beforeAll(async () => {
  rig = await readRig();
  work = await workRepo();
  const commit = await work.commit(
    {
      'README.md': '# Top\n\n<script>alert(1)</script>\n\n[guide](docs/guide.md) ![logo](img/logo.png)\n',
      'docs/guide.md': '## Guide\n\n[back](../README.md) [sibling](other.md)\n\n```py\nprint("<hi>")\n```\n',
      'docs/README': 'plain <b>text</b> readme\n',
      'src/app.ts': 'export const a = 1;\n',
      'bin.dat': Buffer.from([0, 1, 2, 3, 0, 5]),
    },
    'files',
  );
  ref = { name: 'main', kind: 'branch', commit };
});

afterAll(async () => {
  await rig?.close();
  await renderer.close();
});

async function entry(path: string) {
  return (await entryAt(rig.ctx, work.repo, ref.commit, path))!;
}

describe('MarkupService', () => {
  it('renders a README once and then answers from the cache', async () => {
    const markup = new MarkupService(rig.ctx, { renderer });
    const readme = await entry('README.md');
    const html = await markup.readmeHtml(repo(), ref, '', readme);
    expect(html).toBe(
      '<h1 id="user-content-top">Top</h1>\n&#x3C;script>alert(1)&#x3C;/script>\n<p><a href="/alice/pub/src/branch/main/docs/guide.md">guide</a> <img src="/api/v1/repos/alice/pub/media/img/logo.png?ref=main" alt="logo"></p>',
    );
    expect(markup.stats).toEqual({ hits: 0, misses: 1 });
    // a repository that no longer exists on disk proves the second answer did not read git
    const gone = { ...repo(), dir: '/nonexistent/repo.git' };
    expect(await markup.readmeHtml(gone, ref, '', readme)).toBe(html);
    expect(markup.stats).toEqual({ hits: 1, misses: 1 });
  });

  it('caches per link context: the same blob on another branch links to that branch', async () => {
    const markup = new MarkupService(rig.ctx, { renderer });
    const readme = await entry('README.md');
    const main = await markup.readmeHtml(repo(), ref, '', readme);
    const other = await markup.readmeHtml(repo(), { ...ref, name: 'feature/x' }, '', readme);
    expect(main).toContain('/src/branch/main/docs/guide.md');
    expect(other).toContain('/src/branch/feature/x/docs/guide.md');
  });

  it('shows a plain README preformatted and escaped', async () => {
    const markup = new MarkupService(rig.ctx, { renderer });
    expect(await markup.readmeHtml(repo(), ref, 'docs', await entry('docs/README'))).toBe('<pre>plain &#x3C;b>text&#x3C;/b> readme\n</pre>');
  });

  it('renders a nested markdown file with links relative to its directory, and highlights its source', async () => {
    const markup = new MarkupService(rig.ctx, { renderer });
    const e = await entry('docs/guide.md');
    const blob = (await readBlob(rig.ctx, work.repo, e.sha, 1 << 20))!;
    const r = (await markup.fileRendering(repo(), ref, e, blob))!;
    expect(r.language).toBe('markdown');
    expect(r.lineCount).toBe(7);
    expect(r.renderedHtml).toContain('<a href="/alice/pub/src/branch/main/README.md">back</a> <a href="/alice/pub/src/branch/main/docs/other.md">sibling</a>');
    expect(r.renderedHtml).toContain('<code class="language-py"><span class="hljs-built_in">print</span>(<span class="hljs-string">"&#x3C;hi>"</span>)');
    expect(r.highlightedHtml).toContain('<span class="hljs-section">## Guide</span>');
  });

  it('highlights code and says nothing for binary files', async () => {
    const markup = new MarkupService(rig.ctx, { renderer });
    const ts = await entry('src/app.ts');
    const r = (await markup.fileRendering(repo(), ref, ts, (await readBlob(rig.ctx, work.repo, ts.sha, 1 << 20))!))!;
    expect(r).toEqual({
      language: 'typescript',
      lineCount: 1,
      renderedHtml: null,
      highlightedHtml: '<span class="hljs-keyword">export</span> <span class="hljs-keyword">const</span> a = <span class="hljs-number">1</span>;\n',
    });
    const bin = await entry('bin.dat');
    expect(await markup.fileRendering(repo(), ref, bin, (await readBlob(rig.ctx, work.repo, bin.sha, 1 << 20))!)).toBeNull();
  });

  it('resolves a /markdown context with a slash in the branch name, and refuses an unknown ref', async () => {
    await work.git(['branch', 'feature/x']);
    const markup = new MarkupService(rig.ctx, { renderer });
    const target = { ...repo(), defaultBranch: 'main' };
    expect(await markup.linksAt(target, [], { isFile: false })).toEqual({ owner: 'alice', repo: 'pub', refKind: 'branch', ref: 'main', dir: '' });
    expect(await markup.linksAt(target, ['feature', 'x', 'docs', 'guide.md'], { kind: 'branch', isFile: true })).toEqual({
      owner: 'alice',
      repo: 'pub',
      refKind: 'branch',
      ref: 'feature/x',
      dir: 'docs',
    });
    await expect(markup.linksAt(target, ['nope', 'docs'], { kind: 'branch', isFile: false })).rejects.toThrow(/no branch "nope\/docs"/);
  });
});
