#!/usr/bin/env node
// `npm run desktop [-- --data DIR]`: builds the forge (server + renderer) and the desktop
// shell, installs the shell's own packages on first use (electron/ is a separate package so
// the forge installs where Electron can't), and starts Electron in development. Electron
// downloads its binary on first start; a machine without that download can't run this.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHELL = path.join(ROOT, 'electron');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(what, cmd, args, cwd) {
  console.log(`desktop: ${what}`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`desktop: ${what} failed (${cmd} ${args.join(' ')} in ${cwd}); fix the error above and run npm run desktop again`);
    process.exit(r.status ?? 1);
  }
}

export function prepareShell() {
  step('building the server and the renderer', npm, ['run', 'build'], ROOT);
  if (!existsSync(path.join(SHELL, 'node_modules', '.package-lock.json'))) step("installing the desktop shell's packages (electron/)", npm, ['ci', '--no-audit', '--no-fund'], SHELL);
  step('building the desktop shell', npm, ['run', 'build'], SHELL);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  prepareShell();
  const electron = path.join(SHELL, 'node_modules', '.bin', process.platform === 'win32' ? 'electron.cmd' : 'electron');
  console.log('desktop: starting Gitssy (the first start downloads the Electron binary)');
  const child = spawn(electron, [SHELL, ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  child.on('error', (err) => {
    console.error(`desktop: could not start Electron: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (code && code !== 0)
      console.error('desktop: Electron exited with an error; if it could not download its binary, this machine cannot run the desktop app (the forge itself runs with npm start)');
    process.exit(code ?? (signal ? 1 : 0));
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}
