// Where the program's own files are. The project root is the folder that holds VERSION (shipped
// beside dist/), found upwards from this module, so the answer is the same for the compiled tree
// (dist/server/lib/paths.js), the one-file bundle the build makes (dist/server/gitssy.js), the
// TypeScript sources under vitest (server/lib/paths.ts) and an Electron app.asar. Paths built
// from `import.meta.url` would differ between these.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function findRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'VERSION'))) return dir;
  }
  // no VERSION above us (a damaged install): the folder that holds dist/, else where we run
  const dist = here.split(path.sep).lastIndexOf('dist');
  return dist > 0 ? here.split(path.sep).slice(0, dist).join(path.sep) : process.cwd();
}

/** The project root: VERSION, package.json and dist/ are here. */
export const ROOT = findRoot();

/** The built browser UI (vite's output), with a trailing separator. */
export const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer') + path.sep;

/** A file of the compiled server tree (tsc's output), e.g. `markup/render-worker.js`. */
export function compiledServerFile(relative: string): URL {
  return pathToFileURL(path.join(ROOT, 'dist', 'server', relative));
}

/** A file of the server's TypeScript sources, e.g. `markup/render-worker.ts` (tests run these). */
export function sourceServerFile(relative: string): URL {
  return pathToFileURL(path.join(ROOT, 'server', relative));
}
