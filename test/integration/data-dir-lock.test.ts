// One server per data directory. A second `gitssy serve` on a data dir a server is using is
// refused with that server's pid and ports before it writes anything there, and the first one
// keeps serving with its ports.json intact; so are `backup restore --force` and `admin import
// --move`. The lock dies with its process: after kill -9 the next server starts. A restore
// from the console restarts the app in the same process and keeps the lock.
// Its main server runs on SQLite in the PostgreSQL pass too: the console restore tested here
// replaces the data in place, which on PostgreSQL needs DATABASE_URL in the data dir's .gitssy.env
// alone, and that pass sets it in the environment as well (backup-postgres.test.ts covers PostgreSQL).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, createRepo, createUser, gitOk, makeRepo, run, startServer, tempDir, waitFor, type RunResult, type TestServer } from '../fixtures/rig.js';

const alice: [string, string] = ['alice', 'alice-pass-123'];
const env = { PATH: process.env.PATH! };

interface Ports {
  http: number;
  ssh: number | null;
  git: number | null;
  pid: number;
}
const readPorts = async (data: string) => JSON.parse(await readFile(path.join(data, 'run', 'ports.json'), 'utf8')) as Ports;
const serve = (data: string): Promise<RunResult> => run(process.execPath, [CLI, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], { env, timeoutMs: 60_000 });
const holder = (data: string, p: Ports) => `a Gitssy server (pid ${p.pid}) is running on ${data}, listening on HTTP port ${p.http}, SSH port ${p.ssh}`;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const ping = async (s: { url: string }) => (await fetch(`${s.url}/ping`).catch(() => null))?.status ?? 0;

/** Inode, size and time of every file the server writes at start (hooks, git config, ports, keys). */
async function startupFiles(data: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const dir of ['hooks', 'run', 'run/git-home', 'ssh']) {
    for (const e of await readdir(path.join(data, dir), { withFileTypes: true })) {
      if (!e.isFile()) continue;
      const st = await stat(path.join(data, dir, e.name));
      out[`${dir}/${e.name}`] = `${st.ino} ${st.size} ${st.mtimeMs}`;
    }
  }
  return out;
}

let s: TestServer;
let first: Ports;
let src: string;

beforeAll(async () => {
  s = await startServer({ sqlite: true });
  first = await readPorts(s.data);
  await createUser(s, 'alice', alice[1], { admin: true });
  src = await tempDir();
  await makeRepo(src, 2);
  await createRepo(s, alice, { name: 'kept' });
  await gitOk(['push', '-q', s.gitUrl('alice/kept.git', alice), 'main'], { cwd: src });
});
afterAll(async () => s?.stop());

describe('a second server on the same data dir', () => {
  it("is refused with the first one's pid and ports, writes nothing, and the first keeps serving", async () => {
    expect(first.pid).toBe(s.pid);
    const portsBefore = await readFile(path.join(s.data, 'run', 'ports.json'), 'utf8');
    const filesBefore = await startupFiles(s.data);

    const r = await serve(s.data);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`gitssy: ${holder(s.data, first)}; stop it first, or serve another data directory with --data\n`);

    // nothing rewritten (hooks, git config), and the first server's ports.json is still there, unchanged
    expect(await readFile(path.join(s.data, 'run', 'ports.json'), 'utf8')).toBe(portsBefore);
    expect(await startupFiles(s.data)).toEqual(filesBefore);
    expect(await ping(s)).toBe(200);
    expect(await gitOk(['ls-remote', s.gitUrl('alice/kept.git', alice), 'refs/heads/main'])).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main\n$/);
    expect(alive(s.pid)).toBe(true);
  });

  it('is refused however the path is spelt: through a symlink, or with .. in it', async () => {
    const link = path.join(await tempDir(), 'alias');
    await symlink(s.data, link);
    const viaLink = await serve(link);
    expect(viaLink.code).toBe(1);
    expect(viaLink.stderr).toContain(`(pid ${s.pid}) is running on ${link}, listening on HTTP port ${first.http}`);
    const dotted = await serve(path.join(s.data, '..', path.basename(s.data)));
    expect(dotted.code).toBe(1);
    expect(dotted.stderr).toContain(`(pid ${s.pid}) is running on ${s.data}`);
    expect(await ping(s)).toBe(200);
  });
});

describe('CLI commands that need the data dir to themselves', () => {
  it('refuses backup restore --force while a server runs, naming it, and changes nothing', async () => {
    const made = await s.cli(['backup', 'create']);
    expect(made.code, made.stderr).toBe(0);
    const archive = made.stdout.match(/^backup: (\S+),/m)![1]!;
    const backupsBefore = (await readdir(path.join(s.data, 'backups'))).sort();

    const r = await s.cli(['backup', 'restore', archive, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`gitssy: restore refused: ${holder(s.data, first)}; stop it first, or restore from the console`);
    expect((await readdir(path.join(s.data, 'backups'))).sort()).toEqual(backupsBefore); // no safety backup
    expect((await readdir(path.dirname(s.data))).filter((f) => f.startsWith(`${path.basename(s.data)}.`))).toEqual([]);
    expect(await ping(s)).toBe(200);
  });

  it('refuses admin import --move while a server runs, and leaves the folders where they were', async () => {
    const from = await tempDir();
    await gitOk(['clone', '-q', '--bare', src, path.join(from, 'moved.git')]);
    const r = await s.cli(['admin', 'import', '--from', from, '--owner', 'alice', '--move']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`gitssy: ${holder(s.data, first)}; stop it first, or import without --move (a copy)\n`);
    expect(existsSync(path.join(from, 'moved.git', 'HEAD'))).toBe(true);
    expect((await s.api('GET', '/api/v1/repos/alice/moved', { auth: alice })).status).toBe(404);
  });
});

describe('a server killed with SIGKILL', () => {
  it('leaves no lock that stops the next server, which is then the one refusing others', async () => {
    const data = path.join(await tempDir(), 'd');
    const a = await startServer({ data });
    try {
      process.kill(a.pid, 'SIGKILL');
      await waitFor(async () => !alive(a.pid), 10_000, 20);
      // what it leaves behind: its ports.json and a lock file nobody listens on
      expect((await readPorts(data)).pid).toBe(a.pid);
      expect(await readdir(path.join(data, 'run', 'lock'))).toEqual(['0.sock']);
      await unlink(path.join(data, 'run', 'ports.json')); // else the rig would take the dead server's ports for the new one's

      const b = await startServer({ data });
      try {
        const ports = await readPorts(data);
        expect(ports.pid).toBe(b.pid);
        expect(await ping(b)).toBe(200);
        const refused = await serve(data);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain(holder(data, ports));
      } finally {
        await b.stop();
      }
      // a clean stop removes its own lock file; the dead one's stays, superseded
      expect(await readdir(path.join(data, 'run', 'lock'))).toEqual(['0.sock']);
      const c = await startServer({ data });
      await c.stop();
    } finally {
      if (alive(a.pid)) process.kill(a.pid, 'SIGKILL');
    }
  });

  it('lets exactly one of several servers started at once take its place', async () => {
    const data = path.join(await tempDir(), 'd');
    const a = await startServer({ data });
    process.kill(a.pid, 'SIGKILL');
    await waitFor(async () => !alive(a.pid), 10_000, 20);
    await unlink(path.join(data, 'run', 'ports.json'));

    const children = Array.from({ length: 3 }, () => {
      const child = spawn(process.execPath, [CLI, 'serve', '--data', data, '--host', '127.0.0.1', '--http-port', '0', '--ssh-port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.stdout.resume();
      const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
      return { child, exited, stderr: () => stderr };
    });
    try {
      const ports = await waitFor(async () => readPorts(data).catch(() => null), 60_000, 100);
      const winner = children.find((c) => c.child.pid === ports.pid);
      expect(winner).toBeDefined();
      for (const c of children) {
        if (c === winner) continue;
        expect(await c.exited).toBe(1);
        // a loser that looked before the winner was listening is told it is starting; either
        // way the message names the winner's pid
        const said = c.stderr();
        if (!said.includes(holder(data, ports))) expect(said).toContain(`a Gitssy server (pid ${ports.pid}) is starting on ${data}`);
      }
      expect(winner!.child.exitCode).toBeNull();
      expect(await ping({ url: `http://127.0.0.1:${ports.http}` })).toBe(200);
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
      await Promise.all(children.map((c) => c.exited));
    }
  });
});

describe('a restore from the console', () => {
  it('restarts the app in the same process, which keeps the data dir locked', async () => {
    const job = async (res: Response) => {
      expect(res.status).toBe(202);
      const { id } = (await res.json()) as { id: string };
      return waitFor(
        async () => {
          const r = await s.api('GET', `/api/v1/admin/backups/jobs/${id}`, { auth: alice }).catch(() => null);
          const j = r?.status === 200 ? ((await r.json()) as { state: string; name: string | null; error: string | null }) : null;
          return j && (j.state === 'done' || j.state === 'failed') ? j : null;
        },
        120_000,
        100,
      );
    };
    const backup = await job(await s.api('POST', '/api/v1/admin/backups', { auth: alice, json: {} }));
    expect(backup.state).toBe('done');
    const restored = await job(await s.api('POST', `/api/v1/admin/backups/${backup.name}/restore`, { auth: alice }));
    expect(restored.error).toBeNull();
    expect(restored.state).toBe('done');

    // the same process, on the same ports, serving the restored data, and still the data dir's only server
    const after = await readPorts(s.data);
    expect(after).toEqual(first);
    expect(await ping(s)).toBe(200);
    const r = await serve(s.data);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(holder(s.data, first));
    expect(await readPorts(s.data)).toEqual(first);
    expect(await ping(s)).toBe(200);
  });
});
