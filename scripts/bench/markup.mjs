#!/usr/bin/env node
// Markup rendering benchmark: what a cache miss costs the server's event loop, on the main thread
// (as rendering worked before the worker pool) against the render workers (as it works now).
//
//   npm run bench:markup                (builds first)
//   node scripts/bench/markup.mjs [--runs N]
//
// Inputs: a 2,000-line TypeScript file (the shape the highlight unit test uses) and this
// repository's README.md. For each: "cold" is the first render in this process (for the
// workers, including the worker's start), "warm" the median of N more renders of the same text
// with nothing cached (JIT warm, worker up), and "cache hit" MarkupService answering a repeat.
// "loop busy" is the time the main thread's event loop was busy during the call (event loop
// utilisation × wall time): on the main thread it is the whole render, with workers only the
// hand-off. CPU is the whole process's (all threads), from process.cpuUsage.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

const { renderMarkdown } = await import(path.join(ROOT, 'dist/server/markup/markdown.js'));
const { highlightFile } = await import(path.join(ROOT, 'dist/server/markup/highlight.js'));
const { MarkupRenderer } = await import(path.join(ROOT, 'dist/server/markup/renderer.js'));
const { MarkupService } = await import(path.join(ROOT, 'dist/server/markup/markup-service.js'));

const shapes = [
  (i) => `export async function load${i}(id: string): Promise<Row | null> {\n`,
  (i) => `  const row = await db.get(\`item-\${id}\`, { n: ${i} });\n`,
  () => `  // the cache answers first\n`,
  () => `  if (!row) return null;\n`,
  () => `  return { ...row, seen: Date.now() };\n`,
  () => `}\n`,
];
const TS = Array.from({ length: 2000 }, (_, i) => shapes[i % shapes.length](i)).join('');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

async function measure(fn) {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = performance.now() - t;
  const busy = performance.eventLoopUtilization(elu);
  const c = process.cpuUsage(cpu);
  return { wall, loopBusy: Math.min(wall, busy.active), cpu: (c.user + c.system) / 1000 };
}

async function series(fn) {
  const cold = await measure(fn);
  const warm = [];
  for (let i = 0; i < RUNS; i++) warm.push(await measure(fn));
  warm.sort((a, b) => a.wall - b.wall);
  return { cold, warm: warm[Math.floor(warm.length / 2)] };
}

const fmt = (m) => `${m.wall.toFixed(1)} ms wall, loop busy ${m.loopBusy.toFixed(1)} ms, CPU ${m.cpu.toFixed(0)} ms`;
const rows = [];
function report(name, s) {
  rows.push({ name, ...s });
  console.log(`${name.padEnd(34)} cold: ${fmt(s.cold)}`);
  console.log(`${''.padEnd(34)} warm: ${fmt(s.warm)}`);
}

console.log(`markup bench: 2,000-line TypeScript (${(TS.length / 1024).toFixed(0)} KiB), README.md (${(README.length / 1024).toFixed(0)} KiB), median of ${RUNS}\n`);

report('highlight, main thread (before)', await series(async () => highlightFile(TS, 'typescript')));
report('README, main thread (before)', await series(async () => renderMarkdown(README, { links: null })));

const hl = new MarkupRenderer();
report('highlight, render worker (now)', await series(async () => hl.highlight(TS, 'typescript')));
await hl.close();
const md = new MarkupRenderer();
report('README, render worker (now)', await series(async () => md.markdown(README, null)));

const markup = new MarkupService({}, {});
await markup.markdown(README, null);
const hit = await series(async () => markup.markdown(README, null));
report('README, cache hit (either)', hit);
await markup.close();
await md.close();

const out = path.join(ROOT, 'scripts/bench/results/markup-latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, rows }, null, 2));
console.log(`\nwritten to ${path.relative(ROOT, out)}`);
