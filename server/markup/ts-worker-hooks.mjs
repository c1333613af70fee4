// Module hooks that let a worker thread run our TypeScript sources, for when the server code is
// itself running from sources (vitest). Node 20 cannot load .ts, and vitest's transform does not
// reach into worker threads, so the pool registers these in each worker it starts from a .ts
// module (see workerScript in worker-pool.ts). They transpile with the project's own TypeScript
// (a devDependency; types are erased, never checked) and map `./x.js` imports to `./x.ts` as tsc
// does. The build never uses this file: dist/ has the compiled .js worker.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const COMPILER_OPTIONS = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2023,
  verbatimModuleSyntax: true,
  inlineSourceMap: true,
};

export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent?.startsWith('file:') && parent.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const js = new URL(specifier, parent);
    const tsUrl = new URL(specifier.replace(/\.js$/, '.ts'), parent);
    if (!existsSync(js) && existsSync(tsUrl)) return { url: tsUrl.href, format: 'module', shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), { fileName, compilerOptions: COMPILER_OPTIONS });
  return { format: 'module', source: outputText, shortCircuit: true };
}
