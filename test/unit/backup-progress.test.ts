// The console's backup progress line: what the job's counts are, in units a person reads.
import { describe, expect, it } from 'vitest';
import { jobProgressText } from '../../renderer/src/features/console/format.js';

describe('backup job progress text', () => {
  it('ends a backup with the data size and the archive it made, not the raw byte counts', () => {
    expect(jobProgressText({ type: 'create', phase: 'done', done: 225082, total: 225082, bytes: 14 * 1024 })).toBe('100% · 220 KiB of data in a 14 KiB archive');
  });

  it('names the unit of each phase: repositories, files, bytes', () => {
    expect(jobProgressText({ type: 'create', phase: 'capture', done: 0, total: 3, bytes: 0 })).toBe('capturing refs · 0% · 3 repositories');
    expect(jobProgressText({ type: 'create', phase: 'copy', done: 1, total: 1, bytes: 0 })).toBe('copying repositories · 100% · 1 of 1 repository');
    expect(jobProgressText({ type: 'create', phase: 'checksum', done: 5, total: 20, bytes: 3 * 1024 * 1024 })).toBe('checksumming files · 25% · 5 of 20 files (3.0 MiB)');
    expect(jobProgressText({ type: 'create', phase: 'archive', done: 512 * 1024, total: 2 * 1024 * 1024, bytes: 100 * 1024 })).toBe(
      'writing the archive · 25% · 512 KiB of 2.0 MiB read · 100 KiB written',
    );
    expect(jobProgressText({ type: 'restore', phase: 'unpack', done: 1024, total: 4096, bytes: 1024 })).toBe('unpacking · 25% · 1.0 KiB of 4.0 KiB');
    expect(jobProgressText({ type: 'verify', phase: 'repositories', done: 2, total: 4, bytes: 0 })).toBe('checking repositories · 50% · 2 of 4 repositories');
  });

  it('says just 100% for a finished verify or restore, and starting before any count', () => {
    expect(jobProgressText({ type: 'verify', phase: 'done', done: 1, total: 1, bytes: 0 })).toBe('100%');
    expect(jobProgressText({ type: 'create', phase: 'starting', done: 0, total: 0, bytes: 0 })).toBe('starting');
  });
});
