import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { instanceIdOf } from './instance-id.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gitssy-instance-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('names a data dir once and keeps the name across restarts', async () => {
  const first = await instanceIdOf(dir);
  expect(first).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
  expect(await instanceIdOf(dir)).toBe(first);
  expect((await readFile(path.join(dir, 'instance-id'), 'utf8')).trim()).toBe(first);
  // another data dir is another instance
  const other = await mkdtemp(path.join(tmpdir(), 'gitssy-instance-'));
  try {
    expect(await instanceIdOf(other)).not.toBe(first);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

it('replaces a damaged file with a fresh name rather than using what it holds', async () => {
  await writeFile(path.join(dir, 'instance-id'), `${'x'.repeat(80)}\n`);
  const id = await instanceIdOf(dir);
  expect(id.length).toBeLessThanOrEqual(64);
  expect(await instanceIdOf(dir)).toBe(id);
});
