// `gitssy doctor`: checks the database and every repository, and says what is wrong.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkIntegrity, openDatabase } from '../db/index.js';
import type { Services } from '../services.js';

export interface DoctorReport {
  repositories: number;
  problems: string[];
}

export async function runDoctor(s: Services, reposRoot: string, progress: (line: string) => void): Promise<DoctorReport> {
  const problems: string[] = [];
  progress('checking the database ...');
  const opened = await openDatabase({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl });
  try {
    for (const p of await checkIntegrity(opened)) problems.push(`database: ${p}`);
  } finally {
    await opened.close();
  }

  const repos = await s.repos.allNames();
  const known = new Set<string>();
  let i = 0;
  for (const r of repos) {
    i++;
    const ref = { owner: r.owner, name: r.name };
    const dir = s.store.dir(ref);
    known.add(dir);
    const label = `${r.owner}/${r.name}`;
    let isDir = false;
    try {
      isDir = (await stat(dir)).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) {
      problems.push(`${label}: repository directory ${dir} is missing`);
      progress(`[${i}/${repos.length}] ${label}: missing`);
      continue;
    }
    const found = await s.store.fsck(ref);
    for (const p of found) problems.push(`${label}: ${p}`);
    progress(`[${i}/${repos.length}] ${label}: ${found.length ? 'PROBLEMS' : 'ok'}`);
  }

  // Repositories on disk that the database doesn't know are worth a warning, not a failure.
  for (const owner of await readdir(reposRoot).catch(() => [] as string[])) {
    if (owner.startsWith('.')) continue;
    for (const entry of await readdir(path.join(reposRoot, owner)).catch(() => [] as string[])) {
      const dir = path.join(reposRoot, owner, entry);
      if (entry.endsWith('.git') && !known.has(dir)) progress(`note: ${owner}/${entry} is on disk but not registered (gitssy admin import can adopt it)`);
    }
  }
  return { repositories: repos.length, problems };
}
