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
process.stdout.write('PostgreSQL pass: the integration tests with every server on PostgreSQL\n');
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'integration'], { stdio: 'inherit', env: { ...process.env, GITSSY_TEST_DB: 'postgres' } });
process.exit(r.status ?? 1);
