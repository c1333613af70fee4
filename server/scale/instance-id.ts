// This server's name among the forge's instances, kept in <data>/run/instance-id so it is the
// same after a restart (and after kill -9). One server runs per data dir (lib/data-lock.ts), so
// work in the shared database marked with this name while no server of this data dir runs was
// cut off by a crash: the next start may take it back at once instead of waiting for a lease to
// run out, which it must do for another instance's work. `run/` is never backed up or restored,
// so a copy of the data elsewhere gets a name of its own.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const FILE = 'instance-id';
/** What an instance id may hold (it goes into varchar(64) columns and logs). */
const VALID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function instanceIdOf(runDir: string): Promise<string> {
  const file = path.join(runDir, FILE);
  const known = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (VALID.test(known)) return known;
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 40) || 'gitssy';
  const id = `${host}-${randomBytes(4).toString('hex')}`;
  await writeFile(file, `${id}\n`);
  return id;
}
