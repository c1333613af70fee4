import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from './log-store.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ci-logs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LogStore', () => {
  it('stores a job log, announces each chunk with its byte offset, and reads it back from an offset', async () => {
    const store = new LogStore(dir);
    const seen: [number, string][] = [];
    const log = await store.open(7, 42, 1024, (offset, text) => seen.push([offset, text]));
    log.write('héllo\n');
    log.write('world\n');
    expect(await store.size(7, 42)).toBe(13);
    expect(await store.close(42)).toBe(13);
    expect(seen).toEqual([
      [0, 'héllo\n'],
      [7, 'world\n'],
    ]);
    expect(await readFile(store.file(7, 42), 'utf8')).toBe('héllo\nworld\n');
    const { size, stream } = await store.read(7, 42, 7);
    expect(size).toBe(13);
    let rest = '';
    for await (const c of stream!) rest += c;
    expect(rest).toBe('world\n');
    expect((await store.read(7, 42, 13)).stream).toBeNull();
    expect(await store.read(7, 999, 0)).toEqual({ size: 0, stream: null });
  });

  it('caps a log at its limit on a character boundary, says so once, and drops the rest', async () => {
    const store = new LogStore(dir);
    const log = await store.open(7, 43, 10, () => {});
    log.write('123456789é');
    log.write('more');
    await store.close(43);
    const text = await readFile(store.file(7, 43), 'utf8');
    expect(text.startsWith('123456789\n[gitssy: the log reached its limit of 10 bytes')).toBe(true);
    expect(text).not.toContain('more');
    expect(text.match(/reached its limit/g)).toHaveLength(1);
  });
});
