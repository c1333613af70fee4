// The markup libraries load only in the render workers: nothing the server's main thread imports
// (statically, from server/main.ts) reaches highlight.ts, markdown.ts, sanitize.ts or a package
// they use. They cost ~30 MB and a third of the start-up there (issue 18, point 7). Likewise the
// packages a server may never need load on first use (mail, QR codes, mDNS, password hashing).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKER_SIDE = ['markup/highlight.ts', 'markup/markdown.ts', 'markup/sanitize.ts', 'markup/render-worker.ts'];
/** Loaded with `await import()` where they are used (ops/mail.ts, ops/status.ts, lan/, users/passwords.ts). */
const ON_FIRST_USE = ['nodemailer', 'qrcode', 'bonjour-service', '@node-rs/argon2'];
const MARKUP_PACKAGES = /^(?:lowlight|highlight\.js|markdown-it|unified|remark-|rehype-|hast-util-|mdast-util-|micromark)/;

// with verbatimModuleSyntax only `import type` / `export type` are erased; any other import loads
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every server file and package the main thread loads at start-up, by walking static imports. */
function staticGraph(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const [, typeOnly, spec] = m;
      if (typeOnly || !spec) continue;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.set(spec, path.relative(SERVER, file));
    }
  };
  visit(path.join(SERVER, entry));
  return { files, packages };
}

describe('the main thread', () => {
  const { files, packages } = staticGraph('main.ts');

  it('reaches the markup service (so the walk follows imports)', () => {
    expect(files).toContain(path.join(SERVER, 'markup/markup-service.ts'));
    expect(files).toContain(path.join(SERVER, 'markup/files.ts'));
    expect(packages.has('express')).toBe(true);
  });

  it('never imports the worker side of markup or a markup library', () => {
    for (const f of WORKER_SIDE) expect(files, f).not.toContain(path.join(SERVER, f));
    expect([...packages].filter(([p]) => MARKUP_PACKAGES.test(p))).toEqual([]);
  });

  it('leaves the packages a server may never need to their first use', () => {
    for (const p of ON_FIRST_USE) expect(packages.get(p), p).toBeUndefined();
  });
});
