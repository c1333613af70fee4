#!/usr/bin/env node
// Gitssy web-edit benchmark: what a change made in the browser (Gitea's contents API) costs,
// against making the same change the usual way — `git add` + `git commit` + `git push` over smart
// HTTP to the same forge — on the same machine in the same run.
//
//   npm run bench:edit                        (builds first)
//   node scripts/bench/edit.mjs [--runs N] [--files N] [--keep]
//
// One forge in this process (the real composition root, createApp) on its own data dir and free
// ports, holding a repository of --files files (default 2,000, pushed with the real `git push`).
// 1. A one-file edit, p50 of --runs:
//    - ours: PUT /api/v1/repos/alice/proj/contents/<file> {content, sha} (a plumbing commit on the
//      bare repository, landed through the RefWriter);
//    - peer, from a clone already up to date: edit, `git add`, `git commit`, `git push`;
//    - peer, the whole round trip for someone without a clone: `git clone`, edit, add, commit, push.
//    Goal: ours faster than the clone round trip (and we report the ratio to the warm clone too).
// 2. A 500-file upload in one commit (2 KiB each), p50 of --runs:
//    - ours: POST /api/v1/repos/alice/proj/contents {files: 500 × create};
//    - peer: write the 500 files into the up-to-date clone, `git add`, `git commit`, `git push`.
//
// Results: scripts/bench/results/edit-latest.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(ROOT, 'dist', 'server');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 9);
const FILES = opt('files', 2000);
const UPLOAD = 500;
const KEEP = args.includes('--keep');

const GIT_ENV = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Alice',
  GIT_AUTHOR_EMAIL: 'alice@example.test',
  GIT_COMMITTER_NAME: 'Alice',
  GIT_COMMITTER_EMAIL: 'alice@example.test',
  LC_ALL: 'C',
};

function run(cmd, argv, cwd, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: GIT_ENV, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`${cmd} ${argv.join(' ')} failed (${code}): ${err}`))));
    if (input !== undefined) child.stdin.end(input);
  });
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const p50 = (xs) => quantile(xs, 0.5);
const fmt = (ms) => `${ms.toFixed(1)} ms`;
async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A repository of FILES files in 40 folders, as one fast-import stream. */
function history() {
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const parts = [`commit refs/heads/main\nmark :1\nauthor Alice <alice@example.test> 1700000000 +0000\ncommitter Alice <alice@example.test> 1700000000 +0000\n${data('first\n')}`];
  for (let i = 0; i < FILES; i++) {
    const body = Array.from({ length: 40 }, (_, j) => `line ${j} of file ${i}: ${'x'.repeat(20 + (j % 30))}`).join('\n') + '\n';
    parts.push(`M 100644 inline src/dir${i % 40}/file${i}.txt\n${data(body)}`);
  }
  return parts.join('');
}

const uploadFile = (run, i) => `upload ${run}, file ${i}\n${'y'.repeat(2048 - 30)}\n`;

async function main() {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-edit-'));
  const out = { startedAt: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, git: (await run('git', ['--version'])).trim() }, runs: RUNS, files: FILES };
  console.log(`edit benchmark: a ${FILES}-file repository; 1-file edit and ${UPLOAD}-file upload, ${RUNS} runs each`);

  const src = path.join(tmp, 'src.git');
  await run('git', ['init', '-q', '--bare', src]);
  await run('git', ['fast-import', '--quiet'], src, history());

  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { MODULES } = await import(path.join(DIST, 'modules.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  const data = path.join(tmp, 'data');
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const app = await createApp(config, { quiet: true, log: createLogger({ level: 'warn' }), modules: MODULES });
  const ports = await app.start();
  const s = app.services;
  try {
    const alice = await s.users.create({ username: 'alice', email: 'alice@example.test', password: 'alice-pass-1234', isAdmin: true });
    const actor = { kind: 'user', user: { id: alice.id, name: alice.name, isAdmin: true }, scopes: null, via: 'session' };
    await s.repos.create(actor, alice, { name: 'proj' });
    const base = `http://127.0.0.1:${ports.http}`;
    const remote = `http://alice:alice-pass-1234@127.0.0.1:${ports.http}/alice/proj.git`;
    const auth = `Basic ${Buffer.from('alice:alice-pass-1234').toString('base64')}`;
    const api = async (method, p, body) => {
      const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : null;
    };
    await run('git', ['push', '-q', remote, 'main'], src);
    const clone = path.join(tmp, 'clone');
    await run('git', ['clone', '-q', remote, clone]);

    // 1. one file
    const target = 'src/dir7/file7.txt';
    let sha = (await run('git', ['rev-parse', `HEAD:${target}`], clone)).trim();
    const ours1 = [];
    for (let r = 0; r < RUNS; r++) {
      const content = Buffer.from(`edited in the browser, run ${r}\n`).toString('base64');
      let res;
      ours1.push(await timed(async () => (res = await api('PUT', `/repos/alice/proj/contents/${target}`, { content, sha, message: `web edit ${r}` }))));
      sha = res.content.sha;
    }
    await run('git', ['pull', '-q', '--ff-only'], clone);
    const warm1 = [];
    for (let r = 0; r < RUNS; r++) {
      warm1.push(
        await timed(async () => {
          await fs.writeFile(path.join(clone, target), `edited in a clone, run ${r}\n`);
          await run('git', ['add', target], clone);
          await run('git', ['commit', '-q', '-m', `local edit ${r}`], clone);
          await run('git', ['push', '-q', 'origin', 'main'], clone);
        }),
      );
    }
    const cold1 = [];
    for (let r = 0; r < RUNS; r++) {
      const dir = path.join(tmp, `fresh-${r}`);
      cold1.push(
        await timed(async () => {
          await run('git', ['clone', '-q', remote, dir]);
          await fs.writeFile(path.join(dir, target), `edited in a fresh clone, run ${r}\n`);
          await run('git', ['add', target], dir);
          await run('git', ['commit', '-q', '-m', `fresh clone edit ${r}`], dir);
          await run('git', ['push', '-q', 'origin', 'main'], dir);
        }),
      );
      await fs.rm(dir, { recursive: true, force: true });
    }
    out.oneFile = { oursP50: p50(ours1), cloneP50: p50(warm1), roundTripP50: p50(cold1), ratioToClone: p50(ours1) / p50(warm1), ratioToRoundTrip: p50(ours1) / p50(cold1) };
    console.log(
      `1-file edit: ours ${fmt(out.oneFile.oursP50)} | git add+commit+push from a clone ${fmt(out.oneFile.cloneP50)} (ratio ${out.oneFile.ratioToClone.toFixed(2)}) | clone round trip ${fmt(out.oneFile.roundTripP50)} (ratio ${out.oneFile.ratioToRoundTrip.toFixed(2)})`,
    );

    // 2. 500 files in one commit
    await run('git', ['pull', '-q', '--ff-only'], clone);
    const ours500 = [];
    for (let r = 0; r < RUNS; r++) {
      const files = Array.from({ length: UPLOAD }, (_, i) => ({ operation: 'create', path: `uploads/api-${r}/f${i}.txt`, content: Buffer.from(uploadFile(r, i)).toString('base64') }));
      ours500.push(await timed(() => api('POST', '/repos/alice/proj/contents', { files, message: `upload ${r}` })));
    }
    await run('git', ['pull', '-q', '--ff-only'], clone);
    const peer500 = [];
    for (let r = 0; r < RUNS; r++) {
      peer500.push(
        await timed(async () => {
          const dir = path.join(clone, 'uploads', `git-${r}`);
          await fs.mkdir(dir, { recursive: true });
          for (let i = 0; i < UPLOAD; i++) await fs.writeFile(path.join(dir, `f${i}.txt`), uploadFile(r, i));
          await run('git', ['add', 'uploads'], clone);
          await run('git', ['commit', '-q', '-m', `upload ${r}`], clone);
          await run('git', ['push', '-q', 'origin', 'main'], clone);
        }),
      );
    }
    out.upload500 = { oursP50: p50(ours500), cloneP50: p50(peer500), ratioToClone: p50(ours500) / p50(peer500) };
    console.log(`${UPLOAD}-file upload: ours ${fmt(out.upload500.oursP50)} | write + git add+commit+push from a clone ${fmt(out.upload500.cloneP50)} (ratio ${out.upload500.ratioToClone.toFixed(2)})`);

    const fsck = await run('git', ['--git-dir', s.store.dir({ owner: 'alice', name: 'proj' }), 'fsck', '--no-dangling']).then(
      () => 'clean',
      (e) => e.message,
    );
    out.fsck = fsck;
    console.log(`git fsck of the forge's repository afterwards: ${fsck}`);
  } finally {
    await app.stop();
  }
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'edit-latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('\nresults: scripts/bench/results/edit-latest.json');
  if (!KEEP) await fs.rm(tmp, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
