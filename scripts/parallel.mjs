#!/usr/bin/env node
// Runs npm scripts side by side (the build, the type checks and the lint use one core each),
// prints each one's output in one piece when it ends, and fails when any of them failed.
//   node scripts/parallel.mjs build typecheck:tests typecheck:renderer lint
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (!names.length) {
  process.stderr.write('usage: node scripts/parallel.mjs <npm script> [<npm script> ...]\n');
  process.exit(2);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results = await Promise.all(
  names.map(
    (name) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(npm, ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
        const out = [];
        child.stdout.on('data', (c) => out.push(c));
        child.stderr.on('data', (c) => out.push(c));
        child.on('error', (err) => resolve({ name, code: 1, output: `${err.message}\n`, ms: Date.now() - started }));
        child.on('close', (code, signal) => {
          const output = Buffer.concat(out).toString();
          const result = { name, code: code ?? 1, signal, output, ms: Date.now() - started };
          process.stdout.write(`--- npm run ${name}: ${result.code === 0 ? 'ok' : `failed (${signal ?? `exit ${code}`})`} in ${(result.ms / 1000).toFixed(1)} s\n${output}`);
          resolve(result);
        });
      }),
  ),
);
const failed = results.filter((r) => r.code !== 0);
if (failed.length) {
  process.stderr.write(`failed: ${failed.map((r) => r.name).join(', ')}\n`);
  process.exit(1);
}
