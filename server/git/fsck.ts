// `git fsck --connectivity-only` on a bare repository, judged by its exit status. git reports
// on both streams: missing objects and broken links go to stdout, bad refs to stderr, and a
// damaged repository may print nothing at all on one of them; so both are read and neither
// one's silence means "sound".
import { spawnGit, type GitEnv } from './command.js';

/** The lines reported per repository; the rest is counted. */
const MAX_LINES = 20;
/** What is read from each stream; a badly broken repository can print a line per object. */
const MAX_BYTES = 256 * 1024;

/**
 * git's lines, each one a finding: a continuation line (git indents "to blob …" under
 * "broken link from tree …") is joined to the line it continues, runs of spaces collapsed.
 */
export function fsckLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    const line = raw.trim().replace(/\s+/g, ' ');
    if (/^\s/.test(raw) && lines.length) lines[lines.length - 1] += ` ${line}`;
    else lines.push(line);
  }
  return lines;
}

/** Problems found by `git fsck --connectivity-only`; empty exactly when git exits 0. */
export function fsckRepository(git: GitEnv, gitDir: string, opts: { timeoutMs?: number } = {}): Promise<string[]> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (problems: string[]) => {
      if (settled) return;
      settled = true;
      resolve(problems);
    };
    let g: ReturnType<typeof spawnGit>;
    try {
      g = spawnGit(git, ['--git-dir', gitDir, 'fsck', '--connectivity-only', '--no-progress', '--no-dangling'], { timeoutMs });
    } catch (err) {
      finish([`could not run git fsck: ${(err as Error).message}`]);
      return;
    }
    let cut = false;
    const read = (stream: NodeJS.ReadableStream) => {
      let text = '';
      stream.on('data', (chunk: Buffer) => {
        if (text.length < MAX_BYTES) text += chunk.toString('utf8');
        else cut = true; // keep reading, so git never blocks on a full pipe
      });
      return () => text;
    };
    const stdout = read(g.child.stdout!);
    const stderr = read(g.child.stderr!);
    g.child.once('error', (err) => finish([`could not run git fsck: ${err.message}`]));
    g.child.once('close', (code, signal) => {
      const killed = g.killedFor();
      if (killed === 'timeout') return finish([`git fsck did not finish within ${Math.round(timeoutMs / 60_000)} minutes`]);
      if (code === 0 && !killed) return finish([]);
      const lines = fsckLines(`${stdout()}\n${stderr()}`);
      if (!lines.length) return finish([`git fsck failed (${code !== null ? `exit status ${code}` : `signal ${signal}`}) and printed nothing`]);
      const more = lines.length - MAX_LINES;
      if (cut) finish([...lines.slice(0, MAX_LINES), '… and more: git fsck printed more than is shown here']);
      else if (more > 0) finish([...lines.slice(0, MAX_LINES), `… and ${more} more line${more === 1 ? '' : 's'} from git fsck`]);
      else finish(lines);
    });
    g.child.stdin!.end();
  });
}
