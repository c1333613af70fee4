import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RotatingLogFile } from './log-file.js';
import { MAX_SCAN_BYTES, readLogs } from './logs.js';

const line = (level: number, msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level, time: '2026-11-30T10:00:00.000Z', app: 'gitssy', pid: 1, msg, ...extra }) + '\n';

describe('the log file', () => {
  it('rotates by size and keeps the configured number of generations', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-log-'));
    const f = new RotatingLogFile(dir, { maxBytes: 200, keep: 2 });
    for (let i = 0; i < 20; i++) f.write(line(30, `message ${String(i).padStart(2, '0')}`));
    f.close();
    expect((await readdir(dir)).sort()).toEqual(['gitssy.log', 'gitssy.log.1', 'gitssy.log.2']);
    for (const name of ['gitssy.log', 'gitssy.log.1', 'gitssy.log.2']) expect((await readFile(path.join(dir, name))).length).toBeLessThanOrEqual(200);
    // the newest line is in the live file, whole
    expect(await readFile(path.join(dir, 'gitssy.log'), 'utf8')).toMatch(/message 19"\}\n$/);
  });

  it('appends to an existing file across restarts', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-log-'));
    const a = new RotatingLogFile(dir);
    a.write(line(30, 'first run'));
    a.close();
    const b = new RotatingLogFile(dir);
    b.write(line(30, 'second run'));
    b.close();
    expect((await readFile(path.join(dir, 'gitssy.log'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('reading the log', () => {
  it('returns the newest lines first, filtered by level and text, up to the limit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-log-'));
    await writeFile(
      path.join(dir, 'gitssy.log'),
      line(30, 'GET /alpha 200', { component: 'http' }) +
        line(40, 'slow thing', { component: 'http' }) +
        'not json\n' +
        line(50, 'boom', { component: 'ssh', err: { message: 'Disk Full' } }) +
        line(20, 'debug alpha'),
    );
    const all = await readLogs(dir, { limit: 10 });
    expect(all.lines.map((l) => l.msg)).toEqual(['debug alpha', 'boom', 'slow thing', 'GET /alpha 200']);
    expect(all.lines[1]).toMatchObject({ level: 'error', component: 'ssh', time: '2026-11-30T10:00:00.000Z' });
    expect((await readLogs(dir, { level: 'warn', limit: 10 })).lines.map((l) => l.msg)).toEqual(['boom', 'slow thing']);
    expect((await readLogs(dir, { q: 'ALPHA', limit: 10 })).lines.map((l) => l.msg)).toEqual(['debug alpha', 'GET /alpha 200']);
    expect((await readLogs(dir, { q: 'disk full', limit: 10 })).lines.map((l) => l.msg)).toEqual(['boom']);
    expect((await readLogs(dir, { limit: 2 })).lines.map((l) => l.msg)).toEqual(['debug alpha', 'boom']);
  });

  it('continues into the previous generation, and reads only a bounded tail', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-log-'));
    await writeFile(path.join(dir, 'gitssy.log.1'), line(30, 'older'));
    await writeFile(path.join(dir, 'gitssy.log'), line(30, 'newer'));
    expect((await readLogs(dir, { limit: 10 })).lines.map((l) => l.msg)).toEqual(['newer', 'older']);
    // a live file bigger than the bound: only its tail is read, and the answer says there is more
    const big = line(30, 'x'.repeat(1000)).repeat(Math.ceil((MAX_SCAN_BYTES * 1.5) / 1100)) + line(30, 'last');
    await writeFile(path.join(dir, 'gitssy.log'), big);
    const r = await readLogs(dir, { q: 'last', limit: 10 });
    expect(r.lines.map((l) => l.msg)).toEqual(['last']);
    expect(r.scanned_bytes).toBeLessThanOrEqual(MAX_SCAN_BYTES);
    expect(r.more).toBe(true);
  });

  it('answers with no lines when there is no log yet', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitssy-log-'));
    expect(await readLogs(dir, { limit: 10 })).toEqual({ lines: [], scanned_bytes: 0, more: false });
  });
});
