#!/usr/bin/env node
// Deterministic synthetic git repository generator for Gitssy benchmarks.
//
// Library:  import { generateRepo, cachedRepo } from './gen-repo.mjs'
// CLI:      node scripts/bench/gen-repo.mjs DIR [--commits N] [--files N] [--seed N] [--force]
//
// The history is produced by a seeded PRNG (mulberry32) and fed to
// `git fast-import`, so the same parameters always give the same commit ids.
// Content looks like a source tree (TS/JS/Python/Go/Markdown/JSON/YAML) with
// hot-spot files, feature branches merged with --no-ff style merge commits, a
// growing file count, renames, deletions and occasional data fixtures
// (hex/base64 dumps) that compress poorly, which is what pushes the pack past
// 50 MB without needing a huge number of commits. The pack is then rebuilt
// with `git repack -adf` so it is a normal, well-deltified pack.
//
// Only Node's standard library is used.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the generated content changes, so caches are not reused. */
export const GENERATOR_VERSION = 1;

export const DEFAULTS = Object.freeze({
  commits: 5000,
  files: 2000,
  seed: 20251122,
  // average new (inserted) bytes per ordinary commit, before compression
  editBytes: 9000,
  // a data fixture (hex/base64 dump) is added/rewritten about every N commits
  fixtureEvery: 18,
  // average fixture size in bytes
  fixtureBytes: 160_000,
  // the last N commits on main are linear (no merges), so main~10 is exactly 10 commits behind
  linearTail: 40,
  // Knobs for big, lean histories (the views benchmark); the defaults keep the transport repo as it was.
  // a file longer than this many lines is trimmed by an edit
  maxLines: 900,
  // a new file has 15 + up to this many lines (cubically skewed towards small)
  newFileLines: 420,
  // most files one ordinary commit edits (<= 2: one or two)
  maxEditFiles: 14,
  // browsing fixtures: a root README.md, a deep directory (7 levels), a 2,000-line file and one
  // commit with a large diff (400 files); their paths and ids go into the info as `views`
  views: false,
  // 'full' = `git repack -adf` (recompute deltas), 'reuse' = `git repack -ad` (keep fast-import's)
  repack: 'full',
});

/** Paths of the browsing fixtures (`views: true`). */
export const VIEW_PATHS = Object.freeze({
  readme: 'README.md',
  deepDir: 'src/platform/runtime/core/engine/scheduler/queues/internal',
  bigFile: 'src/platform/runtime/compiler.ts',
  bigFileLines: 2000,
  bigDiffFiles: 400,
  bigDiffSubject: 'Bulk: rename the logger calls across the tree',
});

// ---------------------------------------------------------------------------
// PRNG

export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(n) {
    return Math.floor(this.next() * n);
  }
  range(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  hex(n) {
    let s = '';
    while (s.length < n) s += ((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  b64(n) {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let s = '';
    for (let i = 0; i < n; i++) s += A[Math.floor(this.next() * 64)];
    return s;
  }
}

/**
 * Deterministic, poorly-compressible text (base64 lines), `bytes` long-ish.
 * Used by the transport benchmark for the "push a 20 MB branch" scenario.
 */
export function randomText(rng, bytes) {
  const lines = [];
  let n = 0;
  while (n < bytes) {
    const l = rng.b64(76);
    lines.push(l);
    n += 77;
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------------------
// Vocabulary and source-like line generators

const BASE_WORDS = (
  'get set user repo commit tree blob ref branch tag merge push pull fetch clone pack index object ' +
  'handle parse render config option value key name path file dir list map item entry node edge ' +
  'graph cache store load save read write open close start stop init reset update delete create ' +
  'find search match filter sort order group count sum total size length offset limit page token ' +
  'auth session cookie header body request response status error result data payload event hook ' +
  'queue worker job task timer clock date time zone locale format encode decode hash digest sign ' +
  'verify check validate normalize resolve build compile emit watch scan walk visit apply diff ' +
  'patch hunk line column range span text buffer stream chunk byte frame packet socket server ' +
  'client proxy route router handler middleware context state store action reducer effect signal ' +
  'model view controller service provider factory builder adapter wrapper helper util common core ' +
  'base abstract default custom local remote origin upstream target source input output params args'
).split(' ');

const SYL = ['ka', 'lo', 'mi', 'tor', 'ex', 'ven', 'dra', 'qu', 'sil', 'mar', 'pen', 'zu', 'gor', 'fi', 'len', 'ob', 'tra', 'nis', 'cal', 'rex', 'ul', 'bex', 'dom', 'vy'];

function buildVocab(rng, n) {
  const words = new Set(BASE_WORDS);
  while (words.size < n) {
    const k = rng.range(2, 4);
    let w = '';
    for (let i = 0; i < k; i++) w += rng.pick(SYL);
    words.add(w);
  }
  return [...words];
}

const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);

class TextGen {
  constructor(rng) {
    this.rng = rng;
    this.vocab = buildVocab(rng, 2500);
    this.common = this.vocab.slice(0, BASE_WORDS.length);
  }
  word() {
    // Zipf-ish: common words much more likely
    const r = this.rng.next();
    return r < 0.55 ? this.rng.pick(this.common) : this.rng.pick(this.vocab);
  }
  ident() {
    const k = this.rng.range(1, 3);
    let s = this.word();
    for (let i = 1; i < k; i++) s += cap(this.word());
    return s;
  }
  typeName() {
    return cap(this.word()) + cap(this.word());
  }
  words(lo, hi) {
    const n = this.rng.range(lo, hi);
    const out = [];
    for (let i = 0; i < n; i++) out.push(this.word());
    return out.join(' ');
  }
  literal() {
    const r = this.rng.int(10);
    if (r < 3) return String(this.rng.int(10000));
    if (r < 5) return `'${this.words(1, 3)}'`;
    if (r < 7) return `"${this.rng.hex(this.rng.pick([8, 16, 32, 40, 64]))}"`; // ids, hashes
    if (r < 8) return `'${this.rng.hex(8)}-${this.rng.hex(4)}-${this.rng.hex(4)}-${this.rng.hex(4)}-${this.rng.hex(12)}'`;
    if (r < 9) return this.rng.chance(0.5) ? 'true' : 'null';
    return `${this.ident()}.${this.ident()}`;
  }
  // One line of code for a language, indentation included.
  line(lang, depth) {
    const ind = lang === 'go' ? '\t'.repeat(depth) : '    '.repeat(depth);
    const rng = this.rng;
    const r = rng.int(20);
    switch (lang) {
      case 'py':
        if (r < 2) return `${ind}# ${this.words(3, 10)}`;
        if (r < 9) return `${ind}${this.ident()} = ${this.ident()}.${this.ident()}(${this.literal()}, ${this.ident()})`;
        if (r < 11) return `${ind}if ${this.ident()} is not None and ${this.ident()} > ${rng.int(100)}:`;
        if (r < 13) return `${ind}return ${this.ident()}(${this.literal()})`;
        if (r < 15) return `${ind}self.${this.ident()} = ${this.literal()}`;
        if (r < 17) return `${ind}for ${this.word()} in ${this.ident()}.${this.word()}s():`;
        return `${ind}${this.ident().toUpperCase()}_${rng.hex(6).toUpperCase()} = ${this.literal()}`;
      case 'go':
        if (r < 2) return `${ind}// ${this.words(3, 10)}`;
        if (r < 9) return `${ind}${this.ident()} := ${this.ident()}.${cap(this.ident())}(${this.literal()}, ${this.ident()})`;
        if (r < 11) return `${ind}if err != nil {`;
        if (r < 13) return `${ind}return ${this.ident()}, fmt.Errorf("${this.words(2, 5)}: %w", err)`;
        if (r < 16) return `${ind}${this.ident()}.${cap(this.word())} = ${this.literal()}`;
        return `${ind}const ${cap(this.ident())}${rng.hex(4)} = ${this.literal()}`;
      case 'md':
        if (r < 3) return `${'#'.repeat(rng.range(2, 4))} ${cap(this.words(2, 6))}`;
        if (r < 6) return `- ${cap(this.words(4, 14))}.`;
        if (r < 8) return `\`${this.ident()}\` ${this.words(3, 12)} (${rng.hex(12)})`;
        return `${cap(this.words(8, 22))}.`;
      case 'json':
        if (r < 8) return `${ind}"${this.ident()}": ${this.literal().replace(/'/g, '"')},`;
        if (r < 12) return `${ind}"${this.ident()}": "${rng.hex(rng.pick([16, 40, 64]))}",`;
        return `${ind}"${this.ident()}": ${rng.int(1e6)},`;
      case 'yaml':
        if (r < 10) return `${ind}${this.ident()}: ${this.literal()}`;
        if (r < 14) return `${ind}- ${this.ident()}: ${rng.hex(rng.pick([12, 40]))}`;
        return `${ind}# ${this.words(2, 8)}`;
      default: // ts / js
        if (r < 2) return `${ind}// ${this.words(3, 12)}`;
        if (r < 8) return `${ind}const ${this.ident()} = ${this.ident()}.${this.ident()}(${this.literal()}, ${this.ident()});`;
        if (r < 10) return `${ind}if (${this.ident()} !== undefined && ${this.ident()}.${this.word()} > ${rng.int(1000)}) {`;
        if (r < 12) return `${ind}return ${this.ident()}(${this.literal()});`;
        if (r < 14) return `${ind}this.${this.ident()} = ${this.literal()};`;
        if (r < 16) return `${ind}await ${this.ident()}.${this.ident()}({ ${this.word()}: ${this.literal()}, ${this.word()}: ${this.ident()} });`;
        if (r < 18) return `${ind}export const ${this.ident().toUpperCase()}_${rng.hex(6).toUpperCase()} = ${this.literal()};`;
        return `${ind}${this.ident()}.${this.ident()}(${this.literal()});`;
    }
  }
  // A block of lines: some structure (function/class openers) around statements.
  block(lang, nLines) {
    const out = [];
    const rng = this.rng;
    while (out.length < nLines) {
      if (rng.chance(0.18)) {
        const name = this.ident();
        if (lang === 'py') out.push(`def ${name}(${this.ident()}, ${this.ident()}=None):`);
        else if (lang === 'go') out.push(`func (s *${this.typeName()}) ${cap(name)}(ctx context.Context, ${this.word()} string) error {`);
        else if (lang === 'md') out.push('', `## ${cap(this.words(2, 5))}`, '');
        else if (lang === 'json' || lang === 'yaml') out.push(this.line(lang, 0));
        else out.push(`export ${rng.chance(0.3) ? 'async ' : ''}function ${name}(${this.ident()}: ${this.typeName()}, ${this.word()}?: ${this.typeName()}) {`);
        const body = rng.range(2, 12);
        for (let i = 0; i < body && out.length < nLines + 8; i++) out.push(this.line(lang, 1 + (rng.chance(0.25) ? 1 : 0)));
        if (lang === 'go' || lang === 'ts' || lang === 'js') out.push('}');
        out.push('');
      } else {
        out.push(this.line(lang, 0));
      }
    }
    return out;
  }
  fileHeader(lang, p) {
    const rng = this.rng;
    switch (lang) {
      case 'py':
        return [`"""${cap(this.words(3, 8))}."""`, '', `import ${this.word()}`, `from ${this.word()}.${this.word()} import ${this.typeName()}`, ''];
      case 'go':
        return [`package ${path.basename(path.dirname(p)).replace(/[^a-z]/g, '') || 'main'}`, '', 'import (', '\t"context"', '\t"fmt"', ')', ''];
      case 'md':
        return [`# ${cap(this.words(2, 5))}`, ''];
      case 'json':
        return ['{', `  "name": "${this.ident()}",`, `  "version": "${rng.range(0, 9)}.${rng.range(0, 30)}.${rng.range(0, 99)}",`];
      case 'yaml':
        return [`# ${this.words(3, 6)}`, `name: ${this.ident()}`];
      default:
        return [`// ${cap(this.words(3, 9))}`, `import { ${this.typeName()}, ${this.typeName()} } from './${this.ident()}.js';`, `import ${this.ident()} from '${this.word()}';`, ''];
    }
  }
}

const LANGS = [
  ['ts', 34],
  ['js', 10],
  ['py', 18],
  ['go', 14],
  ['md', 10],
  ['json', 7],
  ['yaml', 7],
];
function pickLang(rng) {
  let r = rng.int(100);
  for (const [l, w] of LANGS) {
    if (r < w) return l;
    r -= w;
  }
  return 'ts';
}

// ---------------------------------------------------------------------------
// Generator

class RepoModel {
  constructor(opts) {
    this.opts = opts;
    this.rng = new Rng(opts.seed);
    this.text = new TextGen(new Rng((opts.seed ^ 0x5bd1e995) >>> 0));
    this.dirs = this.makeDirs();
    this.files = new Map(); // path -> { lang, lines: string[], mark }
    this.paths = []; // stable insertion order for deterministic picking
    this.hot = [];
    this.mark = 0;
    this.time = Date.UTC(2019, 0, 7, 9, 0, 0) / 1000;
    this.authors = [];
    const ar = new Rng(opts.seed + 7);
    const first = ['Ada', 'Linus', 'Grace', 'Ken', 'Barbara', 'Dennis', 'Margaret', 'Guido', 'Frances', 'Bjarne', 'Radia', 'Edsger', 'Sophie', 'Alan', 'Hedy', 'Niklaus', 'Joan', 'Yukihiro'];
    const last = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Novak', 'Silva', 'Kowalski', 'Haddad', 'Meyer', 'Rossi', 'Nguyen', 'Ivanova', 'Dubois', 'Kaur'];
    for (let i = 0; i < 14; i++) {
      const f = ar.pick(first);
      const l = ar.pick(last);
      this.authors.push(`${f} ${l} <${f.toLowerCase()}.${l.toLowerCase()}@example.test>`);
    }
  }
  makeDirs() {
    const rng = this.rng;
    const tops = ['src', 'lib', 'pkg', 'internal', 'test', 'docs', 'tools', 'web', 'services', 'api'];
    const dirs = [];
    for (const t of tops) {
      const nmods = rng.range(3, 8);
      for (let i = 0; i < nmods; i++) {
        const m = `${t}/${this.text.ident().toLowerCase()}`;
        dirs.push(m);
        const subs = rng.range(0, 3);
        for (let j = 0; j < subs; j++) dirs.push(`${m}/${this.text.word()}`);
      }
    }
    return dirs;
  }
  newPath(lang) {
    for (;;) {
      const dir = this.rng.pick(this.dirs);
      const ext = lang === 'yaml' ? 'yml' : lang;
      const p = `${dir}/${this.text.ident().replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}.${ext}`;
      if (!this.files.has(p)) return p;
    }
  }
  newFileLines(lang, p) {
    const r = this.rng.next();
    const n = 15 + Math.floor(this.opts.newFileLines * r * r * r); // skewed: many small files, some large ones
    const lines = this.text.fileHeader(lang, p);
    lines.push(...this.text.block(lang, n));
    if (lang === 'json') lines.push(`  "end": true`, '}');
    return lines;
  }
  fixtureLines(bytes) {
    const rng = this.rng;
    const lines = [];
    let n = 0;
    const kind = rng.int(3);
    while (n < bytes) {
      let l;
      if (kind === 0) l = `${(n >>> 0).toString(16).padStart(8, '0')}: ${rng.hex(64)}`;
      else if (kind === 1) l = rng.b64(76);
      else l = `{"id":"${rng.hex(40)}","parent":"${rng.hex(40)}","seq":${rng.int(1e9)},"tag":"${this.text.ident()}"}`;
      lines.push(l);
      n += l.length + 1;
    }
    return lines;
  }
  pickPath() {
    const rng = this.rng;
    if (this.hot.length && rng.chance(0.6)) return rng.pick(this.hot);
    return rng.pick(this.paths);
  }
  refreshHot() {
    this.hot = [];
    const n = Math.max(5, Math.floor(this.paths.length / 25));
    for (let i = 0; i < n; i++) this.hot.push(this.rng.pick(this.paths));
  }
  // Apply a random edit to `lines` in place; returns inserted byte count.
  editLines(lang, lines, budget) {
    const rng = this.rng;
    let added = 0;
    const hunks = rng.range(1, 3);
    for (let h = 0; h < hunks; h++) {
      const pos = rng.int(lines.length + 1);
      const op = rng.int(20);
      const want = Math.max(1, Math.round((budget / hunks / 52) * (0.3 + 1.4 * rng.next())));
      if (op < 3 && lines.length > 40) {
        lines.splice(pos, rng.range(1, Math.min(30, lines.length - 20)));
      } else if (op < 11) {
        const neu = this.text.block(lang, want);
        lines.splice(pos, 0, ...neu);
        for (const l of neu) added += l.length + 1;
      } else {
        const neu = this.text.block(lang, want);
        lines.splice(pos, rng.range(1, Math.min(want + 3, Math.max(1, lines.length - pos))), ...neu);
        for (const l of neu) added += l.length + 1;
      }
    }
    // keep files from growing forever
    const max = this.opts.maxLines;
    if (lines.length > max) lines.splice(rng.int(lines.length - Math.round(max / 3)), Math.round((max * 250) / 900));
    return added;
  }
}

/** The browsing fixtures of `views`: path -> { lang, lines }, in a fixed order. */
function viewFixtureFiles(model) {
  const t = model.text;
  const out = new Map();
  const readme = ['# Synth', '', `${cap(t.words(10, 20))}.`, '', '## Getting started', '', '```sh', 'npm install', 'npm run build', 'npm test', '```', ''];
  for (let i = 0; i < 6; i++) {
    readme.push(`## ${cap(t.words(2, 5))}`, '', ...t.block('md', 18), '', '```ts', ...t.block('ts', 8), '```', '');
  }
  out.set(VIEW_PATHS.readme, { lang: 'md', lines: readme });
  const segs = VIEW_PATHS.deepDir.split('/');
  for (let depth = 2; depth <= segs.length; depth++) {
    const dir = segs.slice(0, depth).join('/');
    for (const [i, lang] of ['ts', 'ts', 'go', 'md'].entries()) {
      const p = `${dir}/${t.ident().replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())}_${i}.${lang}`;
      out.set(p, { lang, lines: [...t.fileHeader(lang, p), ...t.block(lang, 40 + 20 * i)] });
    }
  }
  const big = [...t.fileHeader('ts', VIEW_PATHS.bigFile), ...t.block('ts', VIEW_PATHS.bigFileLines)].slice(0, VIEW_PATHS.bigFileLines);
  out.set(VIEW_PATHS.bigFile, { lang: 'ts', lines: big });
  return out;
}

function commitMessage(model, kind) {
  const t = model.text;
  const rng = model.rng;
  const verbs = ['Fix', 'Add', 'Refactor', 'Update', 'Remove', 'Improve', 'Simplify', 'Document', 'Test', 'Rename', 'Optimize', 'Handle'];
  let subject = `${rng.pick(verbs)} ${t.words(2, 7)}`;
  if (kind === 'merge') subject = `Merge branch '${t.ident()}-${rng.hex(4)}'`;
  if (kind === 'bulk') subject = VIEW_PATHS.bigDiffSubject;
  const body = [];
  if (rng.chance(0.55)) {
    const n = rng.range(1, 5);
    for (let i = 0; i < n; i++) body.push(cap(t.words(6, 14)) + '.');
  }
  if (rng.chance(0.2)) body.push('', `Refs: #${rng.range(1, 4000)}`);
  return body.length ? `${subject}\n\n${body.join('\n')}\n` : `${subject}\n`;
}

/**
 * Generate a deterministic bare repository at `dir` (must not exist or be empty).
 * Returns { dir, tip, commits, files, packBytes, seconds, ... }.
 */
export async function generateRepo(dir, options = {}) {
  const opts = { ...DEFAULTS, ...options };
  const log = opts.log ?? ((m) => process.stderr.write(m + '\n'));
  const t0 = Date.now();
  if (!Number.isInteger(opts.commits) || opts.commits < 2) throw new Error('commits must be an integer >= 2');
  if (!Number.isInteger(opts.files) || opts.files < 10) throw new Error('files must be an integer >= 10');
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length) throw new Error(`${dir} is not empty`);
  const env = gitEnv();
  runGit(['init', '-q', '--bare', '-b', 'main', dir], { env });
  runGit(['-C', dir, 'config', 'gc.auto', '0'], { env });

  const fi = spawn('git', ['-C', dir, 'fast-import', '--quiet', '--done', '--depth=50'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let fiErr = '';
  fi.stderr.on('data', (d) => (fiErr += d));
  const fiDone = new Promise((resolve, reject) => {
    fi.on('error', reject);
    fi.on('close', (code, sig) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code ?? sig}): ${fiErr.slice(-2000)}`))));
  });
  fiDone.catch(() => {}); // surfaced below

  let streamed = 0;
  const chunks = [];
  let pending = 0;
  const out = async (s) => {
    chunks.push(s);
    pending += s.length;
    if (pending > 1 << 20) await flush();
  };
  const flush = async () => {
    if (!chunks.length) return;
    const buf = Buffer.from(chunks.join(''), 'utf8');
    chunks.length = 0;
    pending = 0;
    streamed += buf.length;
    if (!fi.stdin.write(buf)) {
      await new Promise((resolve, reject) => {
        const onErr = (e) => reject(e);
        fi.stdin.once('error', onErr);
        fi.stdin.once('drain', () => {
          fi.stdin.off('error', onErr);
          resolve();
        });
        fiDone.catch(reject);
      });
    }
  };
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;

  const m = new RepoModel(opts);
  const rng = m.rng;
  await out('feature done\n');

  const emitBlob = async (content) => {
    const mk = ++m.mark;
    await out(`blob\nmark :${mk}\n${data(content)}`);
    return mk;
  };
  const nextTime = () => {
    // mostly working hours-ish gaps; occasionally long breaks
    m.time += rng.chance(0.05) ? rng.range(20000, 200000) : rng.range(60, 9000);
    return m.time;
  };
  let commitsMade = 0;
  const emitCommit = async ({ ref, from, merge, changes, kind }) => {
    const mk = ++m.mark;
    const ts = nextTime();
    const author = rng.pick(m.authors);
    const committer = rng.chance(0.85) ? author : rng.pick(m.authors);
    let s = `commit ${ref}\nmark :${mk}\nauthor ${author} ${ts - rng.int(3600)} +0000\ncommitter ${committer} ${ts} +0000\n`;
    s += data(commitMessage(m, kind));
    if (from) s += `from :${from}\n`;
    if (merge) s += `merge :${merge}\n`;
    for (const c of changes) s += c.del ? `D ${c.path}\n` : `M 100644 :${c.mark} ${c.path}\n`;
    await out(s + '\n');
    commitsMade++;
    if (commitsMade % 250 === 0 || commitsMade === opts.commits) {
      log(`  gen-repo: ${commitsMade}/${opts.commits} commits, ${m.paths.length} files, ${(streamed / 1e6).toFixed(0)} MB streamed, ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    }
    return mk;
  };

  // files: Map path -> { lang, lines, mark }
  const extras = new Map();
  const setFile = async (files, p, lang, lines, changes) => {
    const mk = await emitBlob(lines.join('\n') + '\n');
    files.set(p, { lang, lines, mark: mk });
    changes.set(p, { path: p, mark: mk });
  };

  // --- initial import: ~60% of the files
  const initialFiles = Math.max(5, Math.floor(opts.files * 0.6));
  let mainTip;
  {
    const changes = new Map();
    for (let i = 0; i < initialFiles; i++) {
      const lang = pickLang(rng);
      const p = m.newPath(lang);
      m.paths.push(p);
      await setFile(m.files, p, lang, m.newFileLines(lang, p), changes);
    }
    if (opts.views) for (const [p, f] of viewFixtureFiles(m)) await setFile(extras, p, f.lang, f.lines, changes);
    mainTip = await emitCommit({ ref: 'refs/heads/main', changes: [...changes.values()], kind: 'init' });
  }
  m.refreshHot();

  // browsing fixtures (`views`): edited now and then on main, never by topic branches
  const vrng = new Rng((opts.seed ^ 0x7f4a7c15) >>> 0);
  const extraChanges = async (ch) => {
    if (!opts.views || !vrng.chance(1 / 300)) return ch;
    const p = vrng.pick([...extras.keys()]);
    if (ch.some((c) => c.path === p)) return ch;
    const f = extras.get(p);
    const lines = f.lines.slice();
    const k = vrng.range(2, 12);
    const at = vrng.int(lines.length - k);
    lines.splice(at, k, ...m.text.block(f.lang, k).slice(0, k)); // same length: the big file stays at 2,000 lines
    const changes = new Map();
    await setFile(extras, p, f.lang, lines, changes);
    return [...ch, ...changes.values()];
  };
  let bigDiffDone = !opts.views;
  const bigDiffChanges = async () => {
    const changes = new Map();
    const candidates = m.paths.filter((p) => m.files.get(p)?.lang !== 'fixture');
    const want = Math.min(VIEW_PATHS.bigDiffFiles, candidates.length);
    while (changes.size < want) {
      const p = vrng.pick(candidates);
      if (changes.has(p)) continue;
      const f = m.files.get(p);
      const lines = f.lines.slice();
      const hunks = vrng.range(1, 3);
      for (let h = 0; h < hunks; h++) {
        const k = Math.min(vrng.range(3, 8), lines.length);
        lines.splice(vrng.int(lines.length - k + 1), k, ...m.text.block(f.lang, k + vrng.range(0, 4)));
      }
      await setFile(m.files, p, f.lang, lines, changes);
    }
    return [...changes.values()];
  };

  // One ordinary commit against a file-set view; returns the changes.
  const ordinaryChanges = async (files, paths, commitIndex) => {
    const changes = new Map();
    const r = rng.next();
    const nfiles = opts.maxEditFiles <= 2 ? (r < 0.6 ? 1 : Math.max(1, opts.maxEditFiles)) : r < 0.35 ? 1 : r < 0.6 ? 2 : r < 0.85 ? rng.range(3, 5) : rng.range(6, opts.maxEditFiles);
    const budget = opts.editBytes * (0.4 + 1.2 * rng.next());
    for (let i = 0; i < nfiles; i++) {
      const p = m.hot.length && rng.chance(0.6) ? rng.pick(m.hot) : rng.pick(paths);
      const f = files.get(p);
      if (!f || changes.has(p)) continue;
      if (f.lang === 'fixture') continue;
      const lines = f.lines.slice();
      m.editLines(f.lang, lines, budget / nfiles);
      await setFile(files, p, f.lang, lines, changes);
    }
    // growth towards the target file count
    const target = initialFiles + Math.ceil(((opts.files - initialFiles) * (commitIndex + 1)) / opts.commits);
    while (paths.length < target) {
      const lang = pickLang(rng);
      const p = m.newPath(lang);
      paths.push(p);
      await setFile(files, p, lang, m.newFileLines(lang, p), changes);
    }
    // occasional data fixture (poorly compressible)
    if (opts.fixtureEvery > 0 && rng.chance(1 / opts.fixtureEvery)) {
      const existing = paths.filter((p) => files.get(p)?.lang === 'fixture');
      let p;
      if (existing.length > 3 && rng.chance(0.4)) p = rng.pick(existing);
      else {
        p = `testdata/${m.text.word()}/${m.text.ident().toLowerCase()}-${rng.hex(6)}.${rng.pick(['hex', 'b64', 'jsonl'])}`;
        if (!files.has(p)) paths.push(p);
      }
      const bytes = Math.floor(opts.fixtureBytes * (0.3 + 1.4 * rng.next()));
      await setFile(files, p, 'fixture', m.fixtureLines(bytes), changes);
    }
    // occasional delete (replaced by growth later) or rename
    if (rng.chance(0.015) && paths.length > 20) {
      const i = rng.int(paths.length);
      const p = paths[i];
      if (!changes.has(p)) {
        paths.splice(i, 1);
        files.delete(p);
        changes.set(p, { path: p, del: true });
      }
    } else if (rng.chance(0.01) && paths.length > 20) {
      const i = rng.int(paths.length);
      const p = paths[i];
      const f = files.get(p);
      if (!changes.has(p) && f.lang !== 'fixture') {
        const np = m.newPath(f.lang);
        paths[i] = np;
        files.delete(p);
        files.set(np, f);
        changes.set(p, { path: p, del: true });
        changes.set(np, { path: np, mark: f.mark });
      }
    }
    return [...changes.values()];
  };

  let made = 1;
  while (made < opts.commits) {
    if (made % 200 === 0) m.refreshHot();
    const left = opts.commits - made;
    // feature branch + merge commit, unless we are in the linear tail
    if (left > opts.linearTail + 8 && rng.chance(0.06)) {
      const n = rng.range(2, 6); // branch commits, plus one merge
      const files = new Map(m.files);
      const paths = m.paths.slice();
      const touched = new Map();
      let tip = mainTip;
      for (let i = 0; i < n; i++) {
        const ch = await ordinaryChanges(files, paths, made);
        for (const c of ch) touched.set(c.path, c);
        tip = await emitCommit({ ref: 'refs/heads/topic', from: tip, changes: ch, kind: 'topic' });
        made++;
      }
      const mergeChanges = [];
      for (const [p, c] of touched) {
        const f = files.get(p);
        mergeChanges.push(f ? { path: p, mark: f.mark } : { path: p, del: true });
      }
      mainTip = await emitCommit({ ref: 'refs/heads/main', from: mainTip, merge: tip, changes: mergeChanges, kind: 'merge' });
      made++;
      m.files = files;
      m.paths = paths;
      m.hot = m.hot.filter((p) => files.has(p));
    } else if (!bigDiffDone && left <= 30) {
      bigDiffDone = true;
      mainTip = await emitCommit({ ref: 'refs/heads/main', from: mainTip, changes: await bigDiffChanges(), kind: 'bulk' });
      made++;
    } else {
      const ch = await extraChanges(await ordinaryChanges(m.files, m.paths, made));
      mainTip = await emitCommit({ ref: 'refs/heads/main', from: mainTip, changes: ch, kind: 'commit' });
      made++;
    }
  }
  await out('done\n');
  await flush();
  fi.stdin.end();
  await fiDone;
  const tImport = (Date.now() - t0) / 1000;
  const fullRepack = opts.repack !== 'reuse';
  log(`  gen-repo: fast-import done in ${tImport.toFixed(1)}s (${(streamed / 1e6).toFixed(0)} MB streamed); repacking (git repack ${fullRepack ? '-adf' : '-ad'})...`);

  runGit(['-C', dir, 'update-ref', '-d', 'refs/heads/topic'], { env, allowFail: true });
  runGit(['-C', dir, 'repack', fullRepack ? '-adfq' : '-adq', '--window=10', '--depth=50'], { env, timeout: 900_000 });
  runGit(['-C', dir, 'prune', '--expire=now'], { env });
  runGit(['-C', dir, 'pack-refs', '--all'], { env });

  const tip = runGit(['-C', dir, 'rev-parse', 'refs/heads/main'], { env }).trim();
  const nCommits = Number(runGit(['-C', dir, 'rev-list', '--count', 'refs/heads/main'], { env }).trim());
  const nFiles = Number(runGit(['-C', dir, 'ls-tree', '-r', '--name-only', 'refs/heads/main'], { env }).trim().split('\n').length);
  const packBytes = packSize(dir);
  const info = {
    generatorVersion: GENERATOR_VERSION,
    dir,
    params: {
      commits: opts.commits,
      files: opts.files,
      seed: opts.seed,
      editBytes: opts.editBytes,
      fixtureEvery: opts.fixtureEvery,
      fixtureBytes: opts.fixtureBytes,
      linearTail: opts.linearTail,
      maxLines: opts.maxLines,
      newFileLines: opts.newFileLines,
      maxEditFiles: opts.maxEditFiles,
      views: opts.views,
      repack: opts.repack,
    },
    tip,
    commits: nCommits,
    files: nFiles,
    packBytes,
    streamedBytes: streamed,
    seconds: (Date.now() - t0) / 1000,
  };
  if (opts.views) {
    const big = runGit(['-C', dir, 'log', '-1', '--format=%H', '--fixed-strings', `--grep=${VIEW_PATHS.bigDiffSubject}`, 'refs/heads/main'], { env }).trim();
    const bigFileLines = runGit(['-C', dir, 'cat-file', 'blob', `refs/heads/main:${VIEW_PATHS.bigFile}`], { env }).split('\n').length - 1;
    info.views = { readme: VIEW_PATHS.readme, deepDir: VIEW_PATHS.deepDir, bigFile: VIEW_PATHS.bigFile, bigFileLines, bigDiffCommit: big };
  }
  fs.writeFileSync(path.join(dir, 'gitssy-bench.json'), JSON.stringify(info, null, 2) + '\n');
  log(`  gen-repo: ${nCommits} commits, ${nFiles} files at HEAD, pack ${(packBytes / 1048576).toFixed(1)} MiB, tip ${tip.slice(0, 12)}, ${info.seconds.toFixed(1)}s`);
  return info;
}

/** Total bytes of *.pack files in a bare repo. */
export function packSize(dir) {
  const pdir = path.join(dir, 'objects', 'pack');
  let total = 0;
  for (const f of fs.readdirSync(pdir)) if (f.endsWith('.pack')) total += fs.statSync(path.join(pdir, f)).size;
  return total;
}

export function cacheRoot() {
  return process.env.GITSSY_BENCH_CACHE || path.join(os.tmpdir(), 'gitssy-bench-cache');
}

export function cacheName(options = {}) {
  const o = { ...DEFAULTS, ...options };
  let name = `synth-v${GENERATOR_VERSION}-c${o.commits}-f${o.files}-s${o.seed}`;
  if (o.editBytes !== DEFAULTS.editBytes) name += `-e${o.editBytes}`;
  if (o.fixtureEvery !== DEFAULTS.fixtureEvery || o.fixtureBytes !== DEFAULTS.fixtureBytes) name += `-x${o.fixtureEvery}_${o.fixtureBytes}`;
  if (o.linearTail !== DEFAULTS.linearTail) name += `-t${o.linearTail}`;
  if (o.maxLines !== DEFAULTS.maxLines || o.newFileLines !== DEFAULTS.newFileLines || o.maxEditFiles !== DEFAULTS.maxEditFiles) name += `-l${o.maxLines}_${o.newFileLines}_${o.maxEditFiles}`;
  if (o.views) name += '-views';
  if (o.repack !== DEFAULTS.repack) name += `-r${o.repack}`;
  return name + '.git';
}

/**
 * Return the info of a cached generated repo, generating it first if needed.
 * Generation happens in a temp sibling dir that is renamed into place, so an
 * interrupted run never leaves a half-built cache entry.
 */
export async function cachedRepo(options = {}) {
  const root = cacheRoot();
  fs.mkdirSync(root, { recursive: true });
  const dir = path.join(root, cacheName(options));
  const marker = path.join(dir, 'gitssy-bench.json');
  if (fs.existsSync(marker)) {
    const info = JSON.parse(fs.readFileSync(marker, 'utf8'));
    info.dir = dir;
    info.cached = true;
    return info;
  }
  if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const info = await generateRepo(tmp, options);
    try {
      fs.renameSync(tmp, dir);
    } catch (e) {
      // another process finished the same cache entry first: use theirs
      if (!fs.existsSync(marker)) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
      return { ...JSON.parse(fs.readFileSync(marker, 'utf8')), dir, cached: true };
    }
    info.dir = dir;
    fs.writeFileSync(marker, JSON.stringify({ ...info }, null, 2) + '\n');
    info.cached = false;
    return info;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

// ---------------------------------------------------------------------------
// helpers

export function gitEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('GIT_')) delete env[k];
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.test',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.test',
    ...extra,
  };
}

function runGit(args, { env, timeout = 300_000, allowFail = false, input } = {}) {
  const r = spawnSync('git', args, { env, timeout, encoding: 'utf8', maxBuffer: 256 << 20, input });
  if (r.error && !allowFail) throw new Error(`git ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0 && !allowFail) throw new Error(`git ${args.join(' ')} exited ${r.status ?? r.signal}: ${(r.stderr || '').slice(-2000)}`);
  return r.stdout ?? '';
}

// ---------------------------------------------------------------------------
// CLI

function parseCli(argv) {
  const opts = {};
  let dir;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      return v;
    };
    if (a === '--commits') opts.commits = num();
    else if (a === '--files') opts.files = num();
    else if (a === '--seed') opts.seed = num();
    else if (a === '--edit-bytes') opts.editBytes = num();
    else if (a === '--fixture-every') opts.fixtureEvery = num();
    else if (a === '--fixture-bytes') opts.fixtureBytes = num();
    else if (a === '--force') force = true;
    else if (a === '-h' || a === '--help') return { help: true };
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (!dir) dir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return { dir, opts, force };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (e) {
    console.error(`gen-repo: ${e.message}`);
    process.exit(2);
  }
  if (cli.help || !cli.dir) {
    console.error(
      `usage: node scripts/bench/gen-repo.mjs DIR [--commits N] [--files N] [--seed N] [--edit-bytes N] [--fixture-every N] [--fixture-bytes N] [--force]\n` +
        `  Generates a deterministic bare git repo at DIR (defaults: ${DEFAULTS.commits} commits, ${DEFAULTS.files} files, seed ${DEFAULTS.seed}).\n` +
        `  --force removes DIR first if it exists.`,
    );
    process.exit(cli.help ? 0 : 2);
  }
  try {
    if (cli.force) fs.rmSync(cli.dir, { recursive: true, force: true });
    const info = await generateRepo(path.resolve(cli.dir), cli.opts);
    console.log(JSON.stringify(info, null, 2));
  } catch (e) {
    console.error(`gen-repo: ${e.message}`);
    process.exit(1);
  }
}
