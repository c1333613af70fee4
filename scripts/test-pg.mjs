#!/usr/bin/env node
// The PostgreSQL pass: the integration tests again, every server on its own database of one
// throwaway PostgreSQL cluster (test/pg-global-setup.ts). `npm test` runs it after the others.
// Without PostgreSQL installed it says so and passes, except in CI (CI=true), where it fails:
// there `.ci/run` installs PostgreSQL, so its absence is a broken machine.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, 'initdb')));
const debian = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(path.join('/usr/lib/postgresql', v, 'bin', 'initdb')));
if (!onPath && !debian) {
  const why = 'PostgreSQL is not installed (apt-get install postgresql; bash .ci/run installs it)';
  if (process.env.CI === 'true') {
    process.stderr.write(`test-pg: ${why}\n`);
    process.exit(1);
  }
  process.stdout.write(`PostgreSQL pass skipped: ${why}\n`);
  process.exit(0);
}

// Files this pass leaves out, each for a reason: running them again would check the same
// thing twice, not the records on PostgreSQL. A new integration file runs here unless it is
// added to this list with its reason.
const NOT_AGAIN = {
  // already on PostgreSQL in the first pass: each starts its own cluster and names the database
  'backup-postgres': 'backs up and restores a PostgreSQL install on its own cluster',
  cluster: 'two instances on their own PostgreSQL and Redis',
  'cluster-store': 'two instances on their own PostgreSQL and Redis',
  'migrate-db': 'moves a SQLite install to its own PostgreSQL (the server starts on SQLite on purpose)',
  social: 'runs each of its tests on SQLite and on its own PostgreSQL',
  'issues-search': 'runs each of its tests on SQLite (FTS5) and on its own PostgreSQL (tsvector)',
  'outbox-claims': 'two event buses on its own PostgreSQL',
  // their servers run on SQLite even under GITSSY_TEST_DB=postgres (sqlite: true): the data dir a
  // restore leaves, gitssy.db among it; a PostgreSQL install's backups and restores are backup-postgres
  backup: 'every server on SQLite by design',
  'backup-api': 'every server on SQLite by design',
  'backup-ci-logs': 'every server on SQLite by design',
  'backup-restore-faults': 'every server on SQLite by design',
  'backup-restore-readonly': 'every server on SQLite by design',
  'windows-names': 'its one server on SQLite by design (its console restore replaces the data in place)',
  // what they check happens before or beside the database, the same on either store
  'git-http-large': 'transfer sizes and a client that walks away (the push records are in git-http and push-policy)',
  'git-http-hostile': 'requests refused before any record is read or written',
  'ssh-hostile': 'requests refused before any record is read or written',
  'git-daemon': 'anonymous read-only git://, no records written',
  limits: 'failure windows and session caps live in memory or Redis, not in the database',
  mdns: 'LAN discovery',
  'desktop-shell': "the desktop shell's supervisor and IPC",
  'markup-workers': 'rendering off the event loop',
  'docker-git-image': 'the container test image',
  // the container engines: the jobs' and shells' records are the same whichever runtime runs
  // them, and ci and shells (on the host sandbox) check those records here
  'ci-docker': 'the Docker and Podman runtimes; ci checks the job records on PostgreSQL',
  'shells-docker': 'the Docker runtime; shells checks the shell records on PostgreSQL',
};
const dir = path.join('test', 'integration');
for (const name of Object.keys(NOT_AGAIN)) {
  // keep the list true: a renamed file would otherwise come back here unnoticed under its new name
  if (!existsSync(path.join(dir, `${name}.test.ts`))) {
    process.stderr.write(`test-pg: ${dir}/${name}.test.ts is listed in NOT_AGAIN but does not exist\n`);
    process.exit(1);
  }
}
const skipped = Object.keys(NOT_AGAIN).length;
process.stdout.write(`PostgreSQL pass: the integration tests with every server on PostgreSQL (${skipped} files left out that would check nothing new here; scripts/test-pg.mjs says why for each)\n`);
const exclude = Object.keys(NOT_AGAIN).flatMap((name) => ['--exclude', `${dir}/${name}.test.ts`]);
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration', ...exclude], { stdio: 'inherit', env: { ...process.env, GITSSY_TEST_DB: 'postgres' } });
process.exit(r.status ?? 1);
