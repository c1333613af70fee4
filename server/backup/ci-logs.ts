// CI job logs in a backup. They live at <data>/ci/<repo-id>/<job-id>.log (server/ci/log-store.ts)
// and can add up to a lot, so every backup lists them in its manifest (how many, how big, which
// jobs) and carries their bytes only when the operator asks. Carried logs are ordinary archive
// files under ci/, checksummed like the rest and restored where they were; the check here makes
// sure an archive holds exactly the logs its list says it does.
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder of the data dir the logs live in, and the archive's too. */
export const CI_LOGS_DIR = 'ci';
const LOG_PATH_RE = /^ci\/(\d{1,15})\/(\d{1,15})\.log$/;

export interface CiLogEntry {
  /** In the data dir and in the archive: `ci/<repo-id>/<job-id>.log`. */
  path: string;
  repo_id: number;
  job_id: number;
  /** `owner/name` when the backup was taken (null: no such repository any more). */
  repository: string | null;
  bytes: number;
}

/** The manifest's `ci_logs`. */
export interface CiLogsManifest {
  /** Whether the archive holds the logs' bytes, or only this list. */
  included: boolean;
  count: number;
  bytes: number;
  jobs: CiLogEntry[];
}

/** What a list, a verify and a restore report about them. */
export interface CiLogsSummary {
  included: boolean;
  count: number;
  bytes: number;
}

export const summarize = (m: CiLogsManifest): CiLogsSummary => ({ included: m.included, count: m.count, bytes: m.bytes });

const readdirOrEmpty = (dir: string) => readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));

/** Every job log under `root` (the data dir, or the shared files' folder: sharedFilesDir) now, oldest job first, with its size. */
export async function listCiLogs(root: string, repoNames: Map<number, string>): Promise<CiLogEntry[]> {
  const out: CiLogEntry[] = [];
  for (const d of await readdirOrEmpty(path.join(root, CI_LOGS_DIR))) {
    if (!d.isDirectory() || !/^\d{1,15}$/.test(d.name)) continue;
    for (const f of await readdirOrEmpty(path.join(root, CI_LOGS_DIR, d.name))) {
      const rel = `${CI_LOGS_DIR}/${d.name}/${f.name}`;
      const m = LOG_PATH_RE.exec(rel);
      if (!f.isFile() || !m) continue;
      const st = await stat(path.join(root, rel)).catch(() => null);
      if (!st) continue; // deleted while we looked
      const repoId = Number(m[1]);
      out.push({ path: rel, repo_id: repoId, job_id: Number(m[2]), repository: repoNames.get(repoId) ?? null, bytes: st.size });
    }
  }
  return out.sort((a, b) => a.job_id - b.job_id);
}

/**
 * Copies the listed logs into the backup's staging folder and answers them with the sizes
 * copied. Copied, not linked: a running job's log keeps growing, and the archive must hold
 * the bytes its checksum was taken of. A log deleted since the listing (its repository went)
 * is left out.
 */
export async function copyCiLogs(root: string, stage: string, logs: CiLogEntry[]): Promise<CiLogEntry[]> {
  const out: CiLogEntry[] = [];
  for (const log of logs) {
    const to = path.join(stage, log.path);
    await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
    try {
      await copyFile(path.join(root, log.path), to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    out.push({ ...log, bytes: (await stat(to)).size });
  }
  return out;
}

export function ciLogsManifest(logs: CiLogEntry[], included: boolean): CiLogsManifest {
  return { included, count: logs.length, bytes: logs.reduce((n, l) => n + l.bytes, 0), jobs: logs };
}

/**
 * Checks an archive's CI logs against its manifest: the list is well formed and adds up, and
 * the archive holds exactly the listed logs at their listed sizes when they are included, and
 * none when they are not (their checksums are checked with every other file). Archives from
 * before CI have no list and no logs. Answers the summary, or the problem.
 */
export function checkCiLogs(manifest: { ci_logs?: unknown; files: Record<string, { size: number }> }): { summary: CiLogsSummary; problem: string | null } {
  const inArchive = Object.keys(manifest.files).filter((f) => f === CI_LOGS_DIR || f.startsWith(`${CI_LOGS_DIR}/`));
  const none: CiLogsSummary = { included: false, count: 0, bytes: 0 };
  const m = manifest.ci_logs as Partial<CiLogsManifest> | undefined;
  if (m === undefined) return { summary: none, problem: inArchive.length ? `the archive holds CI logs its manifest doesn't list (${inArchive[0]})` : null };
  const bad = (why: string) => ({ summary: none, problem: `the manifest's list of CI logs is damaged (${why})` });
  if (!m || typeof m !== 'object' || typeof m.included !== 'boolean' || !Array.isArray(m.jobs) || !Number.isSafeInteger(m.count) || !Number.isSafeInteger(m.bytes)) return bad('missing fields');
  let total = 0;
  const listed = new Map<string, number>();
  for (const j of m.jobs as unknown[]) {
    const e = j as Partial<CiLogEntry> | null;
    const p = typeof e?.path === 'string' ? LOG_PATH_RE.exec(e.path) : null;
    if (!e || !p || Number(p[1]) !== e.repo_id || Number(p[2]) !== e.job_id || !Number.isSafeInteger(e.bytes) || e.bytes! < 0) return bad(`entry ${JSON.stringify(j).slice(0, 120)}`);
    if (listed.has(e.path!)) return bad(`${e.path} is listed twice`);
    listed.set(e.path!, e.bytes!);
    total += e.bytes!;
  }
  if (listed.size !== m.count || total !== m.bytes) return bad(`it counts ${m.count} logs and ${m.bytes} bytes, its entries ${listed.size} and ${total}`);
  const summary: CiLogsSummary = { included: m.included, count: m.count, bytes: m.bytes };
  if (!m.included) return { summary, problem: inArchive.length ? `the archive holds CI logs (${inArchive[0]}) though its manifest says they were left out` : null };
  for (const f of inArchive) if (!listed.has(f)) return { summary, problem: `the archive holds a CI log its manifest doesn't list (${f})` };
  for (const [p, bytes] of listed) {
    const f = manifest.files[p];
    if (!f) return { summary, problem: `the archive is missing the CI log ${p}` };
    if (f.size !== bytes) return { summary, problem: `the CI log ${p} has ${f.size} bytes, its list says ${bytes}` };
  }
  return { summary, problem: null };
}
