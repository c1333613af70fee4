import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseBackupFileName } from './backup.js';
import { listBackups, pruneScheduled } from './catalog.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gitssy-catalog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const touch = (names: string[]) => Promise.all(names.map((n) => writeFile(path.join(dir, n), 'not an archive')));

describe('parseBackupFileName', () => {
  it('reads the kind, the second and the sequence within that second', () => {
    expect(parseBackupFileName('gitssy-2026-01-01T10-30-00Z.tar.gz')).toEqual({ kind: 'manual', created_at: new Date('2026-01-01T10:30:00Z'), seq: 1 });
    expect(parseBackupFileName('gitssy-safety-2026-01-01T10-30-00Z-12.tar.gz')).toEqual({ kind: 'safety', created_at: new Date('2026-01-01T10:30:00Z'), seq: 12 });
    expect(parseBackupFileName('gitssy-2026-13-45T10-30-00Z.tar.gz')).toBeNull();
    expect(parseBackupFileName('mine.tar.gz')).toBeNull();
  });
});

describe('listBackups', () => {
  it('lists newest first, and within one second the later sequence first (…Z-10 after …Z-2 after …Z)', async () => {
    await touch([
      'gitssy-safety-2026-01-01T00-00-00Z.tar.gz',
      'gitssy-safety-2026-01-01T00-00-00Z-2.tar.gz',
      'gitssy-safety-2026-01-01T00-00-00Z-10.tar.gz',
      'gitssy-2026-01-01T00-00-01Z.tar.gz',
      'gitssy-2025-12-31T23-59-59Z.tar.gz',
    ]);
    expect((await listBackups(dir)).map((b) => b.name)).toEqual([
      'gitssy-2026-01-01T00-00-01Z.tar.gz',
      'gitssy-safety-2026-01-01T00-00-00Z-10.tar.gz',
      'gitssy-safety-2026-01-01T00-00-00Z-2.tar.gz',
      'gitssy-safety-2026-01-01T00-00-00Z.tar.gz',
      'gitssy-2025-12-31T23-59-59Z.tar.gz',
    ]);
  });

  it('prunes the oldest scheduled backups of one second first, and nothing else', async () => {
    await touch([
      'gitssy-scheduled-2026-01-01T00-00-00Z.tar.gz',
      'gitssy-scheduled-2026-01-01T00-00-00Z-2.tar.gz',
      'gitssy-scheduled-2026-01-01T00-00-00Z-3.tar.gz',
      'gitssy-2020-01-01T00-00-00Z.tar.gz',
    ]);
    expect((await pruneScheduled(dir, 1)).sort()).toEqual(['gitssy-scheduled-2026-01-01T00-00-00Z-2.tar.gz', 'gitssy-scheduled-2026-01-01T00-00-00Z.tar.gz']);
    expect((await readdir(dir)).sort()).toEqual(['gitssy-2020-01-01T00-00-00Z.tar.gz', 'gitssy-scheduled-2026-01-01T00-00-00Z-3.tar.gz']);
  });
});
