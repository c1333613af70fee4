// The release line comes from the VERSION file at the project root (shipped beside dist/).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

function findVersion(): string {
  // dist/server/lib/version.js and server/lib/version.ts both sit a few levels under the root.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      return readFileSync(path.join(dir, 'VERSION'), 'utf8').trim();
    } catch {
      dir = path.dirname(dir);
    }
  }
  return '0.0.0-dev';
}

export const VERSION = findVersion();
