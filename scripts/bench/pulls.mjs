#!/usr/bin/env node
// Gitssy pull request benchmark: what a big pull request costs, against git itself in a local
// clone of the same history (the physical limit: no server, no database, no HTTP).
//
//   npm run bench:pulls                       (builds first)
//   node scripts/bench/pulls.mjs [--runs N] [--keep]
//
// One forge in this process (the real composition root, createApp), on its own data dir and
// free ports; the history is generated with `git fast-import` and pushed with the real `git push`.
// 1. Files tab of a pull request with 300 files and ~20,000 changed lines:
//    - server: GET /api/v1/repos/alice/proj/pulls/1/files — the first (cold: git computes the
//      diff) and the p50 of --runs further requests; peer: `git diff main...big` in the clone.
//    - browser: Chromium opens /alice/proj/pulls/1/files; time from navigation start to the
//      frame that shows the first file's diff ([data-testid="diff-file"] table), cold (empty
//      cache) and warm; measured in the page by scripts/bench/paint.mjs, in its own process.
//    Goals: first paint < 1 s, server p50 < 150 ms.
// 2. Mergeability of a 1,000-commit branch (main moved too, so it is a real merge): the server's
//    check (`merge-tree --write-tree`, as after every push), p50 of --runs; peer: `git merge
//    --no-commit --no-ff long` in the clone (then `git merge --abort`).
// 3. Rebase-merge of 100 commits: the merge engine replaying them on the bare repository (p50 of
//    --runs; nothing moves), plus one real POST …/merge {"Do":"rebase"} end to end; peer: `git
//    rebase main` of the same 100 commits in the clone (reset between runs).
//
// Results: scripts/bench/results/pulls-latest.json.
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
const KEEP = args.includes('--keep');
const FILES = 300;
const LINES = 80;
const CHANGED_PER_FILE = 34; // 34 deletions + 34 additions per file: 20,400 changed lines
const LONG = 1000;
const HUNDRED = 100;

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
const fmt = (ms) => (ms === null || ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** The history as one fast-import stream: main, and the big, long and hundred branches off its first commit. */
function history() {
  const parts = [];
  let mark = 0;
  let when = 1_700_000_000;
  const data = (s) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const commit = (ref, msg, from, files) => {
    mark++;
    parts.push(`commit ${ref}\nmark :${mark}\nauthor Alice <alice@example.test> ${when} +0000\ncommitter Alice <alice@example.test> ${when++} +0000\n${data(msg)}`);
    if (from) parts.push(`from ${from}\n`);
    for (const [p, content] of files) parts.push(`M 100644 inline ${p}\n${data(content)}`);
    return `:${mark}`;
  };
  const file = (i, changed) =>
    Array.from({ length: LINES }, (_, j) =>
      changed && j < CHANGED_PER_FILE ? `changed line ${j} of file ${i}: the pull request rewrote it` : `line ${j} of file ${i}: ${'x'.repeat(20 + (j % 30))}`,
    ).join('\n') + '\n';
  const root = commit(
    'refs/heads/main',
    'first\n',
    null,
    Array.from({ length: FILES }, (_, i) => [`src/dir${i % 10}/file${i}.txt`, file(i, false)]),
  );
  commit(
    'refs/heads/big',
    'rewrite 300 files\n',
    root,
    Array.from({ length: FILES }, (_, i) => [`src/dir${i % 10}/file${i}.txt`, file(i, true)]),
  );
  let tip = root;
  for (let k = 0; k < LONG; k++) tip = commit('refs/heads/long', `long ${k}\n`, tip, [[`long/part${k % 50}.txt`, `${k}\n`.repeat(1 + (k % 7))]]);
  tip = root;
  for (let k = 0; k < HUNDRED; k++) tip = commit('refs/heads/hundred', `hundred ${k}\n`, tip, [[`hundred/f${k % 20}.txt`, `version ${k}\n`]]);
  commit('refs/heads/main', 'main moves on\n', root, [['MAIN.md', 'main moved after the branches started\n']]);
  return parts.join('');
}

async function main() {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-pulls-'));
  const out = { startedAt: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, git: (await run('git', ['--version'])).trim() }, runs: RUNS };
  console.log(`pulls benchmark: ${FILES} files / ${FILES * CHANGED_PER_FILE * 2} changed lines, ${LONG}-commit mergeability, ${HUNDRED}-commit rebase; ${RUNS} runs each`);

  // the history, and a local clone with a work tree for git's own timings
  const src = path.join(tmp, 'src.git');
  await run('git', ['init', '-q', '--bare', src]);
  await run('git', ['fast-import', '--quiet'], src, history());
  const clone = path.join(tmp, 'clone');
  await run('git', ['clone', '-q', '--no-local', src, clone]);
  for (const b of ['big', 'long', 'hundred']) await run('git', ['branch', '-q', b, `origin/${b}`], clone);

  // the forge
  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { MODULES } = await import(path.join(DIST, 'modules.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  const merge = await import(path.join(DIST, 'git', 'merge.js'));
  const data = path.join(tmp, 'data');
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const app = await createApp(config, { quiet: true, log: createLogger({ level: 'warn' }), modules: MODULES });
  const ports = await app.start();
  const s = app.services;
  try {
    const alice = await s.users.create({ username: 'alice', email: 'alice@example.test', password: 'alice-pass-1234', isAdmin: true });
    const actor = { kind: 'user', user: { id: alice.id, name: alice.name, isAdmin: true }, scopes: null, via: 'session' };
    const rec = await s.repos.create(actor, alice, { name: 'proj' });
    const base = `http://127.0.0.1:${ports.http}`;
    const auth = `Basic ${Buffer.from('alice:alice-pass-1234').toString('base64')}`;
    const api = async (method, p, body) => {
      const res = await fetch(`${base}/api/v1${p}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : null;
    };
    await run('git', ['push', '-q', `http://alice:alice-pass-1234@127.0.0.1:${ports.http}/alice/proj.git`, 'main', 'big', 'long', 'hundred'], src);
    const big = await api('POST', '/repos/alice/proj/pulls', { head: 'big', base: 'main', title: 'Rewrite 300 files' });
    const long = await api('POST', '/repos/alice/proj/pulls', { head: 'long', base: 'main', title: 'A thousand commits' });
    const hundred = await api('POST', '/repos/alice/proj/pulls', { head: 'hundred', base: 'main', title: 'A hundred commits' });

    // the background work of the pushes and the opening (mergeability, refs/pull, gc --auto) is
    // done before anything is timed: the figures are the files tab's, not the subscribers'
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      const owed = await s.db
        .selectFrom('event_deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('state', 'in', ['pending', 'running'])
        .executeTakeFirst();
      if (Number(owed.n) === 0) break;
    }

    // 1. the files tab
    const filesPath = `/repos/alice/proj/pulls/${big.number}/files`;
    let files;
    const cold = await timed(async () => (files = await api('GET', filesPath)));
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await timed(() => api('GET', filesPath)));
    const changed = files.reduce((n, f) => n + f.additions + f.deletions, 0);
    const peerDiff = [];
    for (let i = 0; i < RUNS; i++) peerDiff.push(await timed(() => run('git', ['diff', 'origin/main...big'], clone)));
    out.filesTab = { files: files.length, changedLines: changed, server: { coldMs: cold, p50Ms: p50(warm), p90Ms: quantile(warm, 0.9) }, peer: { gitDiffP50Ms: p50(peerDiff) } };
    out.filesTab.browser = await browserPaint(`${base}/alice/proj/pulls/${big.number}/files`);

    // 2. mergeability of the 1,000-commit branch
    const checks = [];
    for (let i = 0; i < RUNS; i++) checks.push(await timed(() => s.pulls.checkMergeability(long.id)));
    const row = await s.pulls.view(long.id);
    if (row.pull.status !== 'mergeable') throw new Error(`the 1,000-commit branch should be mergeable, is ${row.pull.status}`);
    const peerMerge = [];
    for (let i = 0; i < RUNS; i++) {
      await run('git', ['checkout', '-q', 'main'], clone);
      await run('git', ['reset', '-q', '--hard', 'origin/main'], clone);
      peerMerge.push(await timed(() => run('git', ['merge', '-q', '--no-commit', '--no-ff', 'long'], clone)));
      await run('git', ['merge', '--abort'], clone);
    }
    out.mergeability = { commits: LONG, server: { p50Ms: p50(checks), p90Ms: quantile(checks, 0.9) }, peer: { gitMergeP50Ms: p50(peerMerge) }, ratio: p50(checks) / p50(peerMerge) };

    // 3. rebase-merge of 100 commits
    const bare = s.store.dir({ owner: 'alice', name: 'proj' });
    const mainTip = (await run('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/main'])).trim();
    const headTip = (await run('git', ['--git-dir', bare, 'rev-parse', 'refs/heads/hundred'])).trim();
    const sig = { name: 'Alice', email: 'alice@example.test', when: 1_700_000_000 };
    const engine = [];
    for (let i = 0; i < RUNS; i++) {
      engine.push(
        await timed(async () => {
          const r = await merge.performMerge(s.git, bare, { style: 'rebase', base: mainTip, head: headTip, message: '', author: sig, committer: { ...sig, when: sig.when + i } });
          if (!r.ok || r.created !== HUNDRED) throw new Error(`rebase replayed ${JSON.stringify(r)}`);
        }),
      );
    }
    const peerRebase = [];
    for (let i = 0; i < RUNS; i++) {
      await run('git', ['checkout', '-q', 'hundred'], clone);
      await run('git', ['reset', '-q', '--hard', 'origin/hundred'], clone);
      peerRebase.push(await timed(() => run('git', ['-c', 'user.name=Alice', '-c', 'user.email=alice@example.test', 'rebase', '-q', 'origin/main'], clone)));
    }
    const endToEnd = await timed(() => api('POST', `/repos/alice/proj/pulls/${hundred.number}/merge`, { Do: 'rebase' }));
    const landed = Number((await run('git', ['--git-dir', bare, 'rev-list', '--count', `${mainTip}..refs/heads/main`])).trim());
    if (landed !== HUNDRED) throw new Error(`the rebase-merge landed ${landed} commits, not ${HUNDRED}`);
    out.rebaseMerge = {
      commits: HUNDRED,
      server: { engineP50Ms: p50(engine), engineP90Ms: quantile(engine, 0.9), endToEndMs: endToEnd },
      peer: { gitRebaseP50Ms: p50(peerRebase) },
      ratio: p50(engine) / p50(peerRebase),
    };
  } finally {
    await app.stop();
  }

  console.log('');
  console.log('| pull requests | Gitssy | git in a local clone | ratio | goal |');
  console.log('|---|---:|---:|---:|---|');
  const f = out.filesTab;
  console.log(
    `| files tab API, ${f.files} files / ${f.changedLines} lines, cold | ${fmt(f.server.coldMs)} | ${fmt(f.peer.gitDiffP50Ms)} (git diff) | ${(f.server.coldMs / f.peer.gitDiffP50Ms).toFixed(2)} | |`,
  );
  console.log(`| files tab API, p50 of ${RUNS} | ${fmt(f.server.p50Ms)} | | | < 150 ms |`);
  if (f.browser.ok) {
    for (const r of f.browser.runs) console.log(`| files tab first paint in Chromium (${r.run}) | ${fmt(r.ms)} | | | < 1 s |`);
  } else console.log(`| files tab first paint in Chromium | not measured: ${f.browser.reason} | | | |`);
  const m = out.mergeability;
  console.log(`| mergeability, ${m.commits}-commit branch, p50 | ${fmt(m.server.p50Ms)} | ${fmt(m.peer.gitMergeP50Ms)} (git merge --no-commit) | ${m.ratio.toFixed(2)} | |`);
  const r = out.rebaseMerge;
  console.log(`| rebase-merge, ${r.commits} commits, p50 | ${fmt(r.server.engineP50Ms)} | ${fmt(r.peer.gitRebaseP50Ms)} (git rebase) | ${r.ratio.toFixed(2)} | |`);
  console.log(`| rebase-merge through the API, once, end to end | ${fmt(r.server.endToEndMs)} | | | |`);

  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'pulls-latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('\nresults: scripts/bench/results/pulls-latest.json');
  if (!KEEP) await fs.rm(tmp, { recursive: true, force: true });
  else console.log(`kept: ${tmp}`);
}

/** Chromium on the files tab, from its own process (scripts/bench/paint.mjs): the browser's
 * client does not share this process's event loop with the forge. */
async function browserPaint(url) {
  const json = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(HERE, 'paint.mjs'), url, '[data-testid="diff-file"] table', '--runs', '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c) => (text += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`paint.mjs exited with ${code}`))));
  });
  return JSON.parse(json);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
