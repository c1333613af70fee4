#!/usr/bin/env node
// Gitssy issue list and search benchmark: 50,000 issues with 200,000 comments in one repository,
// through the real API (HTTP, JSON rendering and all), p50 and p99 of --runs requests each.
//
//   npm run bench:issues                      (builds first)
//   node scripts/bench/issues.mjs [--runs N] [--issues N] [--comments N] [--keep]
//
// One forge in this process (the real composition root, createApp) on its own data dir. The rows
// are written straight into its SQLite file in one transaction between two starts (the FTS5
// triggers index them as any write would); nothing else is special about them.
//
// Peer: Gitea's default database issue indexer (ISSUE_INDEXER_TYPE=db) searches with
// `LIKE '%word%'` over titles, bodies and comments. The same search is timed as that SQL on the
// same file, next to ours (FTS5). Gitea publishes no latency figures for issue search, so the
// rest is reported as absolute figures with SQLite's query plans for the queries the API ran
// (captured from the driver while serving them).
//
// Goal: p99 < 100 ms for list and search. Results: scripts/bench/results/issues-latest.json.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const DIST = path.join(ROOT, 'dist', 'server');
const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 200);
const ISSUES = opt('issues', 50_000);
const COMMENTS = opt('comments', 200_000);
const KEEP = args.includes('--keep');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;

// a deterministic vocabulary: 3,000 common words, and a few rare ones planted in 20 issues
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const syll = ['ka', 'ro', 'mi', 'tel', 'an', 'dor', 'vi', 'lex', 'pa', 'qu', 'ser', 'to', 'ne', 'gra', 'fo', 'li', 'ban', 'cu', 'ze', 'ho'];
const words = Array.from({ length: 3000 }, (_, i) => syll[i % 20] + syll[Math.floor(i / 20) % 20] + syll[Math.floor(i / 400) % 20]);
// Zipf-ish: low indexes are much more frequent
const word = () => words[Math.floor(words.length * rand() ** 3)];
const sentence = (n) => Array.from({ length: n }, word).join(' ');
const COMMON = words[0];
const RARE = 'zylophant';

async function main() {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-issues-'));
  const data = path.join(tmp, 'data');
  const out = { startedAt: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, issues: ISSUES, comments: COMMENTS, runs: RUNS, results: {}, plans: {} };
  console.log(`issues benchmark: ${ISSUES} issues, ${COMMENTS} comments, ${RUNS} requests per query`);

  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { MODULES } = await import(path.join(DIST, 'modules.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const boot = () => createApp(config, { quiet: true, log: createLogger({ level: 'warn' }), modules: MODULES });

  // 1. schema, the user and the repository through the services; then stop
  let app = await boot();
  await app.start();
  const alice = await app.services.users.create({ username: 'alice', email: 'alice@example.test', password: 'alice-pass-1234', isAdmin: true });
  const bob = await app.services.users.create({ username: 'bob', email: 'bob@example.test', password: 'bob-pass-12345', isAdmin: false });
  const actor = { kind: 'user', user: { id: alice.id, name: alice.name, isAdmin: true }, scopes: null, via: 'session' };
  const rec = await app.services.repos.create(actor, alice, { name: 'proj' });
  await app.stop();

  // 2. the rows, in one transaction on the file
  const t0 = performance.now();
  const db = new Database(path.join(data, 'gitssy.db'));
  db.pragma('journal_mode = WAL');
  const repoId = rec.repo.id;
  const now = Date.now() - ISSUES * 60_000;
  db.transaction(() => {
    const label = db.prepare("INSERT INTO labels (repo_id, org_id, name, lower_name, color, description, exclusive, archived_at, created_at, updated_at) VALUES (?, NULL, ?, ?, ?, '', 0, NULL, ?, ?)");
    const labelIds = [];
    for (let i = 0; i < 20; i++) labelIds.push(Number(label.run(repoId, `label-${i}`, `label-${i}`, 'aabbcc', now, now).lastInsertRowid));
    const issue = db.prepare(
      'INSERT INTO issues (repo_id, "index", poster_id, title, body, is_pull, is_closed, num_comments, created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?)',
    );
    const issueLabel = db.prepare('INSERT OR IGNORE INTO issue_labels (issue_id, label_id) VALUES (?, ?)');
    const assignee = db.prepare('INSERT INTO issue_assignees (issue_id, user_id) VALUES (?, ?)');
    const ids = [];
    for (let n = 1; n <= ISSUES; n++) {
      const closed = rand() < 0.3 ? 1 : 0;
      const at = now + n * 60_000;
      const rare = n % (ISSUES / 20) === 0 ? ` ${RARE}` : '';
      const id = Number(issue.run(repoId, n, rand() < 0.5 ? alice.id : bob.id, sentence(6) + rare, sentence(40), closed, at, at, closed ? at : null).lastInsertRowid);
      ids.push(id);
      const nl = Math.floor(rand() * 3);
      for (let k = 0; k < nl; k++) issueLabel.run(id, labelIds[Math.floor(rand() * rand() * 20)]);
      if (rand() < 0.2) assignee.run(id, bob.id);
    }
    db.prepare('INSERT INTO issue_index (repo_id, max_index) VALUES (?, ?)').run(repoId, ISSUES);
    const comment = db.prepare("INSERT INTO issue_comments (issue_id, poster_id, type, body, data, created_at, updated_at) VALUES (?, ?, 'comment', ?, '{}', ?, ?)");
    for (let c = 0; c < COMMENTS; c++) {
      const id = ids[Math.floor(rand() * ids.length)];
      comment.run(id, rand() < 0.5 ? alice.id : bob.id, sentence(25), now, now);
    }
    db.prepare("UPDATE issues SET num_comments = (SELECT count(*) FROM issue_comments c WHERE c.issue_id = issues.id AND c.type = 'comment') WHERE repo_id = ?").run(repoId);
  })();
  db.pragma('optimize');
  const loadMs = performance.now() - t0;
  console.log(`loaded in ${(loadMs / 1000).toFixed(1)} s`);
  out.loadMs = loadMs;

  // 3. the peer's search (Gitea's db indexer: LIKE over title, body and comments), on the same file
  const like = db.prepare(
    `SELECT i.id FROM issues i WHERE i.repo_id = ? AND i.is_pull = 0 AND i.is_closed = 0 AND (i.title LIKE ? OR i.body LIKE ? OR i.id IN (SELECT c.issue_id FROM issue_comments c WHERE c.body LIKE ?)) ORDER BY i.created_at DESC LIMIT 30`,
  );
  const likeCount = db.prepare(
    `SELECT count(*) AS n FROM issues i WHERE i.repo_id = ? AND i.is_pull = 0 AND i.is_closed = 0 AND (i.title LIKE ? OR i.body LIKE ? OR i.id IN (SELECT c.issue_id FROM issue_comments c WHERE c.body LIKE ?))`,
  );
  const peer = {};
  for (const [name, w] of [
    ['common word', COMMON],
    ['rare word', RARE],
  ]) {
    const times = [];
    for (let i = 0; i < Math.min(RUNS, 20); i++) {
      const t = performance.now();
      const p = `%${w}%`;
      likeCount.get(repoId, p, p, p);
      like.all(repoId, p, p, p);
      times.push(performance.now() - t);
    }
    peer[name] = { p50: quantile(times, 0.5), p99: quantile(times, 0.99), runs: times.length };
  }
  db.close();

  // 4. the forge again, with the driver's statements captured for the query plans
  const captured = new Map();
  const origPrepare = Database.prototype.prepare;
  let capture = null;
  Database.prototype.prepare = function (src) {
    if (capture && /from "issues" as "i"/.test(src)) captured.set(`${capture} (${/count\(\*\)/.test(src) ? 'count' : 'page'})`, src);
    return origPrepare.call(this, src);
  };
  app = await boot();
  const ports = await app.start();
  const base = `http://127.0.0.1:${ports.http}`;
  const auth = `Basic ${Buffer.from('bob:bob-pass-12345').toString('base64')}`;
  const queries = [
    ['list: open issues, page 1', '/repos/alice/proj/issues?state=open&type=issues&limit=30'],
    ['list: open issues, page 1000', '/repos/alice/proj/issues?state=open&type=issues&limit=30&page=1000'],
    ['list: label filter', '/repos/alice/proj/issues?state=all&type=issues&labels=label-3&limit=30'],
    ['list: assignee + label', '/repos/alice/proj/issues?state=open&type=issues&labels=label-1&assigned_by=bob&limit=30'],
    ['search: common word', `/repos/alice/proj/issues?state=open&type=issues&q=${COMMON}&limit=30`],
    ['search: rare word', `/repos/alice/proj/issues?state=open&type=issues&q=${RARE}&limit=30`],
    ['search: two words (prefix)', `/repos/alice/proj/issues?state=all&type=issues&q=${encodeURIComponent(`${words[1]} ${words[2].slice(0, 4)}`)}&limit=30`],
    ['search: across repositories', `/repos/issues/search?q=${RARE}&limit=30`],
  ];
  console.log('\n| query | p50 | p99 | matches |');
  console.log('|---|---|---|---|');
  for (const [name, p] of queries) {
    const times = [];
    let total = '';
    for (let i = 0; i < RUNS + 3; i++) {
      capture = i === 0 ? name : null;
      const t = performance.now();
      const res = await fetch(`${base}/api/v1${p}`, { headers: { authorization: auth } });
      await res.arrayBuffer();
      const ms = performance.now() - t;
      if (!res.ok) throw new Error(`${p}: ${res.status}`);
      total = res.headers.get('x-total-count') ?? '';
      if (i >= 3) times.push(ms); // the first few warm the caches
    }
    capture = null;
    const r = { p50: quantile(times, 0.5), p99: quantile(times, 0.99), matches: Number(total) };
    out.results[name] = r;
    console.log(`| ${name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${total} |`);
  }
  console.log('\nPeer (Gitea ISSUE_INDEXER_TYPE=db: LIKE over title, body, comments; SQL only, no HTTP/JSON):');
  for (const [name, r] of Object.entries(peer)) console.log(`| LIKE search: ${name} | ${fmt(r.p50)} | ${fmt(r.p99)} | (${r.runs} runs) |`);
  out.peer = peer;

  // 5. SQLite's plans for what the API ran
  const raw = new Database(path.join(data, 'gitssy.db'), { readonly: true });
  for (const [name, src] of captured) {
    const params = [];
    // the captured statement has ? placeholders: bind representative values in order
    const n = (src.match(/\?/g) ?? []).length;
    for (let i = 0; i < n; i++) params.push(1);
    try {
      out.plans[name] = raw
        .prepare(`EXPLAIN QUERY PLAN ${src}`)
        .all(...params)
        .map((r) => r.detail);
    } catch (e) {
      out.plans[name] = [`(plan unavailable: ${e.message})`];
    }
  }
  raw.close();
  console.log('\nQuery plans (SQLite EXPLAIN QUERY PLAN of the statements the API ran):');
  for (const [name, plan] of Object.entries(out.plans)) console.log(`- ${name}:\n    ${plan.join('\n    ')}`);

  await app.stop();
  Database.prototype.prepare = origPrepare;
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'issues-latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('\nresults: scripts/bench/results/issues-latest.json');
  if (!KEEP) await fs.rm(tmp, { recursive: true, force: true });
  else console.log(`kept: ${tmp}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
