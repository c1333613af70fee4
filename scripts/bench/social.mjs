#!/usr/bin/env node
// Gitssy social benchmark: the home feed of someone following 200 people among 1,000, with
// 100,000 posts in the instance, and direct-message delivery over socket.io with 500 sockets
// connected, through the real API and the real socket.io server.
//
//   npm run bench:social                      (builds first)
//   node scripts/bench/social.mjs [--runs N] [--posts N] [--sockets N] [--keep]
//
// One forge in this process (the real composition root, createApp) on its own data dir. The
// people, follows, posts and feed rows are written straight into its SQLite file in one
// transaction between two starts (as the services write them: a post and its feed row); the
// message senders and receivers follow each other through the API.
// 1. Feed: GET /api/v1/feed?limit=20 as the reader (a token), p50/p99 of --runs; also a page deep
//    in the feed (?before= an id ~2,000 items down), and the first page of someone who follows
//    only two people (their items are rare, so the newest-first scan goes far). Goal p99 < 100 ms.
// 2. Messages: --sockets users each with one socket.io connection (a token each), in mutual
//    pairs; --runs messages, one at a time, each from one member of a random pair to the other:
//    the time from sending the POST to the receiver's `message` event. Goal p99 < 100 ms.
// There is no peer to compare with on this machine (Gitea has no feed of posts or messenger);
// the figures are absolute. Results: scripts/bench/results/social-latest.json.
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
const { io } = require('socket.io-client');

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const RUNS = opt('runs', 200);
const POSTS = opt('posts', 100_000);
const SOCKETS = opt('sockets', 500);
const AUTHORS = 1000;
const FOLLOWED = 200;
const KEEP = args.includes('--keep');

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
const fmt = (ms) => `${ms.toFixed(1)} ms`;
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

async function main() {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitssy-bench-social-'));
  const data = path.join(tmp, 'data');
  const out = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    posts: POSTS,
    authors: AUTHORS,
    followed: FOLLOWED,
    sockets: SOCKETS,
    runs: RUNS,
    results: {},
  };
  console.log(`social benchmark: ${POSTS} posts by ${AUTHORS} people, a reader following ${FOLLOWED}; ${SOCKETS} sockets; ${RUNS} runs each`);

  const { createApp } = await import(path.join(DIST, 'app.js'));
  const { MODULES } = await import(path.join(DIST, 'modules.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { createLogger } = await import(path.join(DIST, 'lib', 'log.js'));
  const config = loadConfig({ dataDir: data, host: '127.0.0.1', httpPort: '0', sshPort: '0' }, { PATH: process.env.PATH });
  const boot = () => createApp(config, { quiet: true, log: createLogger({ level: 'warn' }), modules: MODULES });

  // 1. the schema and one real account (its password hash is copied to the others)
  let app = await boot();
  await app.start();
  const reader = await app.services.users.create({ username: 'reader', email: 'reader@example.test', password: 'reader-pass-1234', isAdmin: false });
  // and one who follows only two people: their posts are rare in the instance, so a page is found far apart
  const sparse = await app.services.users.create({ username: 'sparse', email: 'sparse@example.test', password: 'sparse-pass-1234', isAdmin: false });
  await app.stop();

  // 2. people, follows, posts and their feed rows, in one transaction on the file
  const t0 = performance.now();
  const db = new Database(path.join(data, 'gitssy.db'));
  db.pragma('journal_mode = WAL');
  const now = Date.now();
  const people = [];
  const messagers = [];
  db.transaction(() => {
    const template = db.prepare('SELECT * FROM users WHERE id = ?').get(reader.id);
    const cols = Object.keys(template).filter((c) => c !== 'id');
    const insertUser = db.prepare(`INSERT INTO users (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    const user = (name) => Number(insertUser.run(...cols.map((c) => (c === 'name' || c === 'lower_name' ? name : c === 'email' ? `${name}@example.test` : template[c]))).lastInsertRowid);
    for (let i = 0; i < AUTHORS; i++) people.push(user(`author${i}`));
    for (let i = 0; i < SOCKETS; i++) messagers.push({ id: user(`talker${i}`), name: `talker${i}` });
    const follow = db.prepare('INSERT INTO follows (user_id, follow_id, created_at) VALUES (?, ?, ?)');
    for (let i = 0; i < FOLLOWED; i++) follow.run(reader.id, people[i * (AUTHORS / FOLLOWED)], now);
    for (const i of [1, 2]) follow.run(sparse.id, people[i], now);
    // the talkers in mutual pairs: 0-1, 2-3, ...
    for (let i = 0; i + 1 < SOCKETS; i += 2) {
      follow.run(messagers[i].id, messagers[i + 1].id, now);
      follow.run(messagers[i + 1].id, messagers[i].id, now);
    }
    db.prepare('UPDATE users SET num_followers = (SELECT count(*) FROM follows WHERE follow_id = users.id), num_following = (SELECT count(*) FROM follows WHERE user_id = users.id)').run();
    const post = db.prepare('INSERT INTO posts (author_id, parent_id, body, num_replies, created_at, updated_at) VALUES (?, NULL, ?, 0, ?, ?)');
    const item = db.prepare("INSERT INTO feed_items (kind, actor_id, repo_id, post_id, event_id, payload, created_at) VALUES ('post', ?, NULL, ?, NULL, '{}', ?)");
    for (let n = 0; n < POSTS; n++) {
      const at = now - (POSTS - n) * 1000;
      const author = people[Math.floor(rand() * AUTHORS)];
      const id = Number(post.run(author, `Post ${n}: working on **thing ${n % 97}** today, see #${n % 50}`, at, at).lastInsertRowid);
      item.run(author, id, at);
    }
  })();
  db.pragma('optimize');
  db.close();
  out.loadMs = performance.now() - t0;
  console.log(`loaded in ${(out.loadMs / 1000).toFixed(1)} s`);

  // 3. the forge with its sockets
  app = await boot();
  const ports = await app.start();
  const base = `http://127.0.0.1:${ports.http}`;
  const s = app.services;
  const token = async (id) => (await s.users.createToken(id, `bench-${id}`, 'all')).token;
  const readerToken = await token(reader.id);
  const sparseToken = await token(sparse.id);
  const get = async (p, tok) => {
    const res = await fetch(`${base}/api/v1${p}`, { headers: { authorization: `token ${tok}` } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${p}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    return body;
  };

  // the feed
  const first = await get('/feed?limit=20', readerToken);
  // a page deep down: ~2,000 items (or half of what the reader's feed holds, when smaller)
  const depth = Math.min(2000, Math.floor((POSTS * FOLLOWED) / AUTHORS / 2));
  let mid = first[0].id + 1;
  for (let seen = 0; seen < depth; seen += 50) mid = (await get(`/feed?limit=50&before=${mid}`, readerToken)).at(-1).id;
  for (const [name, p, tok] of [
    ['feed, first page (20 items)', '/feed?limit=20', readerToken],
    [`feed, a page ~${depth.toLocaleString('en')} items down`, `/feed?limit=20&before=${mid}`, readerToken],
    ['feed of someone following 2 people (their posts ~0.2% of all), first page', '/feed?limit=20', sparseToken],
  ]) {
    const times = [];
    for (let i = 0; i < RUNS + 5; i++) {
      const t = performance.now();
      const items = await get(p, tok);
      const ms = performance.now() - t;
      if (items.length !== 20) throw new Error(`${p}: ${items.length} items`);
      if (i >= 5) times.push(ms);
    }
    out.results[name] = { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
  }

  // the sockets: one per talker
  const sockets = [];
  const tokens = [];
  for (const m of messagers) tokens.push(await token(m.id));
  await Promise.all(
    messagers.map(
      (m, i) =>
        new Promise((resolve, reject) => {
          const sock = io(base, { transports: ['websocket'], reconnection: false, forceNew: true, auth: { token: tokens[i] } });
          sockets.push(sock);
          sock.once('connect', resolve);
          sock.once('connect_error', reject);
        }),
    ),
  );
  // a thread per pair (made once), then messages one at a time
  const threads = [];
  for (let i = 0; i + 1 < SOCKETS; i += 2) {
    const res = await fetch(`${base}/api/v1/messages/threads`, {
      method: 'POST',
      headers: { authorization: `token ${tokens[i]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ participants: [messagers[i + 1].name] }),
    });
    if (res.status !== 201) throw new Error(`thread ${i}: ${res.status} ${await res.text()}`);
    threads.push({ id: (await res.json()).id, a: i, b: i + 1 });
  }
  const latencies = [];
  for (let r = 0; r < RUNS + 5; r++) {
    const t = threads[Math.floor(rand() * threads.length)];
    const [from, to] = rand() < 0.5 ? [t.a, t.b] : [t.b, t.a];
    const body = `message ${r}`;
    const got = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`message ${r} not delivered within 10 s`)), 10_000);
      const on = (p) => {
        if (p.message.body !== body) return;
        clearTimeout(timer);
        sockets[to].off('message', on);
        resolve(performance.now());
      };
      sockets[to].on('message', on);
    });
    const start = performance.now();
    const res = await fetch(`${base}/api/v1/messages/threads/${t.id}/messages`, {
      method: 'POST',
      headers: { authorization: `token ${tokens[from]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body }),
    });
    if (res.status !== 201) throw new Error(`message ${r}: ${res.status} ${await res.text()}`);
    const ms = (await got) - start;
    if (r >= 5) latencies.push(ms);
  }
  out.results[`message delivery, sender's POST → receiver's socket (${SOCKETS} sockets)`] = { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
  for (const sock of sockets) sock.close();
  await app.stop();

  console.log('\n| measure | p50 | p99 | goal |');
  console.log('|---|---:|---:|---|');
  for (const [name, r] of Object.entries(out.results)) console.log(`| ${name} | ${fmt(r.p50)} | ${fmt(r.p99)} | p99 < 100 ms: ${r.p99 < 100 ? 'met' : 'not met'} |`);
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await fs.writeFile(path.join(HERE, 'results', 'social-latest.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('\nresults: scripts/bench/results/social-latest.json');
  if (!KEEP) await fs.rm(tmp, { recursive: true, force: true });
  else console.log(`kept: ${tmp}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
