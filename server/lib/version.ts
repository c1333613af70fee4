// The release line comes from the VERSION file at the project root (shipped beside dist/).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.js';

function readVersion(): string {
  try {
    return readFileSync(path.join(ROOT, 'VERSION'), 'utf8').trim();
  } catch {
    return '0.0.0-dev';
  }
}

export const VERSION = readVersion();
