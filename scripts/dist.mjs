#!/usr/bin/env node
// `npm run dist [-- --linux|--win|--mac ...]`: builds the forge and the desktop shell, then
// runs electron-builder with build/electron-builder.yml. Installers land in release/:
// Gitssy-<version>-linux-<arch>.AppImage, Gitssy-<version>-linux-<arch>.deb,
// Gitssy-<version>-win-<arch>.exe (NSIS), Gitssy-<version>-mac-<arch>.dmg. Native modules are
// rebuilt for Electron's ABI here, so this needs a C toolchain and network access to the
// Electron downloads (and Node >= 22.12, which electron-builder 26's rebuild tooling wants).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareShell } from './desktop.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
prepareShell();
const builder = path.join(ROOT, 'electron', 'node_modules', '.bin', process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder');
const args = ['--projectDir', ROOT, '--config', path.join(ROOT, 'build', 'electron-builder.yml'), ...process.argv.slice(2)];
console.log(`dist: electron-builder ${args.join(' ')}`);
const r = spawnSync(builder, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.error('dist: electron-builder failed; see above. Packaging needs the Electron downloads and a C toolchain for the native modules.');
  process.exit(r.status ?? 1);
}
console.log(`dist: installers are in ${path.join(ROOT, 'release')}`);
