// The container backend run directly on a real engine started for the test (dockerd by hand,
// then `podman system service`), with the busybox test image: results, streaming, timeout,
// cancel, and each isolation case a hostile .ci/run would try. Then, on the same engine, the
// real forge with GITSSY_CI_BACKEND set to it: pushed jobs, their logs, statuses and the console.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DockerRuntime, engineSockets } from '../../server/runtime/docker.js';
import type { RunLimits, RunResult, RunSpec } from '../../server/runtime/types.js';
import { startDockerd, startPodman, TEST_IMAGE_ENTRYPOINT, TEST_IMAGE_USER, type EngineFixture } from '../fixtures/dockerd.js';
import { createRepo, createUser, gitOk, startServer, tempDir, waitFor, type TestServer } from '../fixtures/rig.js';
import { outboxIdle } from './outbox-probe.js';

// a marker in the environment of the test process and of the engine it starts: a job must never see it
const HOST_SECRET = `host-secret-${process.pid}-${Date.now()}`;
process.env.GITSSY_TEST_HOST_SECRET = HOST_SECRET;

const LIMITS: RunLimits = { cpus: 1, memoryMb: 256, pids: 128, diskMb: 64, timeoutSec: 60, network: 'none' };

const ALICE: [string, string] = ['alice', 'alice-pass-123'];
const FINISHED = ['success', 'failure', 'error', 'timed_out', 'cancelled', 'skipped'];

/** A job as the API answers it (the fields these tests read). */
interface ForgeJob {
  id: number;
  sha: string;
  ref: string;
  state: string;
  backend: string | null;
  image: string | null;
  exit_code: number | null;
  reason: string | null;
  html_url: string;
}

interface Ran extends RunResult {
  output: string;
  ms: number;
  /** Milliseconds from the start of the run to each chunk of output. */
  chunkTimes: number[];
}

describe('engine socket discovery', () => {
  test('looks at DOCKER_HOST, CONTAINER_HOST and the standard sockets, in order', () => {
    expect(engineSockets('docker', { DOCKER_HOST: 'unix:///x/d.sock', XDG_RUNTIME_DIR: '/run/user/1000' })).toEqual(['/x/d.sock', '/var/run/docker.sock', '/run/user/1000/docker.sock']);
    expect(engineSockets('docker', { DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toEqual(['/var/run/docker.sock']);
    expect(engineSockets('podman', { CONTAINER_HOST: 'unix:///c.sock', XDG_RUNTIME_DIR: '/run/user/1000' })).toEqual([
      '/c.sock',
      '/run/user/1000/podman/podman.sock',
      '/run/podman/podman.sock',
      '/var/run/docker.sock',
    ]);
  });

  test('says why a tcp:// DOCKER_HOST is not used', async (ctx) => {
    if (existsSync('/var/run/docker.sock')) return ctx.skip('this machine has /var/run/docker.sock, which would be found instead');
    const a = await new DockerRuntime({ engine: 'docker', env: { DOCKER_HOST: 'tcp://10.0.0.1:2375' } }).available();
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.reason).toMatch(/DOCKER_HOST=tcp:\/\/10\.0\.0\.1:2375 is not used: only a unix socket works/);
  });
});

for (const engine of ['docker', 'podman'] as const) {
  // Both engines run behind the same runtime code. Scenarios that exercise our side of it
  // (the output stream, time limit and cancel, the disk watcher, the ulimit fallback, the
  // work-folder guard, error mapping) run once, on Docker; Podman runs what the engine
  // itself decides: starting and running as a user, the process limit, the socket and the
  // network staying out of the job, and a job from a real push.
  const ourSide = (engine === 'docker' ? test : () => undefined) as typeof test;
  describe(`CI container backend on ${engine}`, () => {
    let fx: EngineFixture | null = null;
    let skip = '';
    let runtime: DockerRuntime;
    let root: string;
    let seq = 0;

    beforeAll(async () => {
      const started = engine === 'docker' ? await startDockerd() : await startPodman();
      if ('skip' in started) {
        skip = started.skip;
        return;
      }
      fx = started;
      runtime = new DockerRuntime({ engine, socketPath: fx.socketPath, instance: `test-${process.pid}` });
      root = await mkdtemp(path.join(os.tmpdir(), `gitssy-ci-${engine}-`));
    });

    afterAll(async () => {
      await fx?.stop();
      if (root) await rm(root, { recursive: true, force: true });
    });

    async function workdir(): Promise<string> {
      const dir = path.join(root, `ws-${++seq}`);
      await mkdir(dir);
      await writeFile(path.join(dir, 'README'), 'checkout\n');
      return dir;
    }

    async function run(script: string, opts: { limits?: Partial<RunLimits>; env?: Record<string, string>; signal?: AbortSignal; image?: string | null; dir?: string } = {}): Promise<Ran> {
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      const t0 = Date.now();
      const spec: RunSpec = {
        id: `${engine}-${process.pid}-${++seq}`,
        image: opts.image === undefined ? fx!.image : opts.image,
        workdir: opts.dir ?? (await workdir()),
        command: ['sh', '-c', script],
        env: opts.env ?? {},
        limits: { ...LIMITS, ...opts.limits },
        onOutput: (c) => {
          chunks.push(c);
          chunkTimes.push(Date.now() - t0);
        },
        signal: opts.signal ?? new AbortController().signal,
      };
      const result = await runtime.run(spec);
      return { ...result, output: Buffer.concat(chunks).toString(), ms: Date.now() - t0, chunkTimes };
    }

    async function ours() {
      return fx!.client.listContainers({ all: true, filters: { label: ['gitssy.ci=1'] } });
    }

    test('is available and says what the engine enforces', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const a = await runtime.available();
      expect(a).toMatchObject({ ok: true });
      if (a.ok) expect(a.detail).toMatch(new RegExp(`^${engine === 'docker' ? 'Docker' : 'Podman'} \\d\\S* \\(OCI runtime runc\\) on ${fx!.socketPath} \\(rootful\\)\\. The engine enforces`));
      const other = new DockerRuntime({ engine: engine === 'docker' ? 'podman' : 'docker', socketPath: fx!.socketPath });
      const b = await other.available();
      expect(b.ok).toBe(false);
      if (!b.ok) expect(b.reason).toMatch(/is (Docker|Podman), not/);
    });

    test('is unavailable with a reason when nothing listens on the socket', async () => {
      const none = new DockerRuntime({ engine, socketPath: path.join(os.tmpdir(), `no-such-${process.pid}.sock`) });
      const a = await none.available();
      expect(a.ok).toBe(false);
      if (!a.ok) expect(a.reason).toMatch(/does not exist/);
    });

    test('runs a command and reports its exit code and output', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const ok = await run('echo hello from $(pwd); cat README');
      expect(ok).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
      expect(ok.error).toBeUndefined();
      expect(ok.output).toContain('hello from /workspace');
      expect(ok.output).toContain('checkout');
      const bad = await run('echo to stderr >&2; exit 3');
      expect(bad).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false });
      expect(bad.output).toContain('to stderr');
    });

    ourSide("runs the job's command as given, never wrapped by the image's ENTRYPOINT", async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('echo plain', { image: TEST_IMAGE_ENTRYPOINT });
      expect(r).toMatchObject({ exitCode: 0 });
      expect(r.output).toBe('plain\n');
    });

    ourSide('streams output while the job runs', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('echo first; sleep 2; echo second');
      expect(r.exitCode).toBe(0);
      expect(r.output).toMatch(/first\s+second/);
      // the first line arrived well before the job ended
      expect(r.chunkTimes[0]!).toBeLessThan(r.ms - 1500);
    });

    test('passes the environment and writes into the work folder, which the forge owns again afterwards', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const dir = await workdir();
      const before = await stat(dir);
      const r = await run('echo "$GREETING" > out.txt; mkdir -p sub && echo x > sub/f', { dir, env: { GREETING: 'hi there' } });
      expect(r.exitCode).toBe(0);
      expect(await readFile(path.join(dir, 'out.txt'), 'utf8')).toBe('hi there\n');
      const after = await stat(path.join(dir, 'sub', 'f'));
      expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
    });

    ourSide('a missing image is a backend error with a clear sentence', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('true', { image: 'gitssy-test:no-such-tag' });
      expect(r.exitCode).toBeNull();
      expect(r.error).toMatch(/image "gitssy-test:no-such-tag" is not on this .* engine/);
      const none = await run('true', { image: null });
      expect(none.error).toMatch(/No image/);
    });

    ourSide('refuses a work folder that contains a protected path', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const data = await workdir();
      await mkdir(path.join(data, 'repos'));
      const guarded = new DockerRuntime({ engine, socketPath: fx!.socketPath, protectedPaths: [path.join(data, 'repos')] });
      const r = await guarded.run({
        id: `guard-${seq++}`,
        image: fx!.image,
        workdir: data,
        command: ['true'],
        env: {},
        limits: LIMITS,
        onOutput: () => {},
        signal: new AbortController().signal,
      });
      expect(r.error).toMatch(/Refusing to mount/);
    });

    ourSide('stops a job past its time limit', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('echo started; sleep 120', { limits: { timeoutSec: 2 } });
      expect(r).toMatchObject({ exitCode: null, timedOut: true, cancelled: false });
      expect(r.output).toContain('started');
      expect(r.ms).toBeLessThan(20_000);
      expect(await ours()).toEqual([]);
    });

    ourSide('cancelling kills the container at once', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const ac = new AbortController();
      let seen = 0;
      const pending = run('echo running; sleep 120', { signal: ac.signal });
      // abort once the container is really there and running
      for (let i = 0; i < 100 && seen === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = (await ours()).filter((c) => c.State === 'running').length;
      }
      expect(seen).toBe(1);
      const t = Date.now();
      ac.abort();
      const r = await pending;
      expect(r).toMatchObject({ exitCode: null, timedOut: false, cancelled: true });
      expect(Date.now() - t).toBeLessThan(10_000);
      expect(await ours()).toEqual([]);
    });

    test('runs as an unprivileged user with no capabilities and no-new-privileges', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; touch /etc/x 2>&1 || echo ro-root');
      expect(r.exitCode).toBe(0);
      expect(r.output).toMatch(/^10001$/m);
      expect(r.output).toMatch(/CapEff:\s+0+$/m);
      expect(r.output).toMatch(/CapBnd:\s+0+$/m);
      expect(r.output).toMatch(/NoNewPrivs:\s+1$/m);
      expect(r.output).toContain('ro-root');
    });

    test('a fork bomb is stopped at the process limit', async (ctx) => {
      if (skip) return ctx.skip(skip);
      // many processes at once: past the limit the shell can't fork and gives up; it counts how far it got
      const many = await run('i=0; while [ $i -lt 300 ]; do sleep 5 & i=$((i+1)); echo $i; done', { limits: { pids: 64 } });
      expect(many.exitCode).not.toBe(0);
      expect(many.output).toMatch(/can't fork|Resource temporarily unavailable/);
      const started = Number(many.output.match(/^\d+$/gm)?.at(-1));
      expect(started).toBeGreaterThan(10);
      expect(started).toBeLessThan(64);
      // the real thing: it never ends by itself, so it runs into the time limit and is removed
      const bomb = await run('bomb() { bomb | bomb & }; bomb; sleep 60', { limits: { pids: 64, timeoutSec: 5 } });
      expect(bomb.timedOut || bomb.exitCode !== 0).toBe(true);
      expect(await ours()).toEqual([]);
    });

    ourSide('filling the disk fails', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const limits = { diskMb: 16 };
      // one big file in the workspace: the file-size limit stops it
      const dir = await workdir();
      const big = await run('head -c 100000000 /dev/zero > /workspace/big; echo rc=$?', { dir, limits });
      expect(big.output).not.toMatch(/rc=0/);
      expect((await stat(path.join(dir, 'big'))).size).toBeLessThanOrEqual(16 * 1024 * 1024);
      // /tmp is a tmpfs of the same size
      const tmp = await run('i=0; while [ $i -lt 10 ]; do head -c 4000000 /dev/zero > /tmp/f$i || exit 9; i=$((i+1)); done', { limits });
      expect(tmp.exitCode).toBe(9);
      expect(tmp.output).toMatch(/No space left|I\/O error|can't create|write error/i);
      // the root filesystem is read-only
      const rootfs = await run('head -c 1000 /dev/zero > /big', { limits });
      expect(rootfs.exitCode).not.toBe(0);
      // many files in the workspace, each under the file-size limit: the workspace watch stops the job
      const dir2 = await workdir();
      const many = await run('i=0; while [ $i -lt 200 ]; do head -c 2000000 /dev/zero > /workspace/f$i || exit 9; i=$((i+1)); sleep 0.1; done; echo wrote all', { dir: dir2, limits });
      expect(many.output).not.toContain('wrote all');
      expect(many.reason).toMatch(/disk limit \(16 MiB\)/);
      expect(many.exitCode).not.toBe(0);
    });

    ourSide('allocating past the memory limit fails', async (ctx) => {
      if (skip) return ctx.skip(skip);
      // doubles a string until it is 16 × 2^24 bytes (256 MiB) long, more than the 64 MiB allowed
      const r = await run('awk "BEGIN { s = \\"xxxxxxxxxxxxxxxx\\"; for (i = 0; i < 24; i++) s = s s; print length(s) }"; echo rc=$?', {
        limits: { memoryMb: 64 },
      });
      expect(r.output).not.toContain('268435456');
      expect(r.output).not.toMatch(/rc=0/);
      // where Docker enforces memory (a cgroup), the result says why the job died (Podman does not
      // reliably report OOMKilled when the killed process is not the container's first)
      const a = await runtime.available();
      if (engine === 'docker' && a.ok && /enforces the memory/.test(a.detail)) expect(r.reason).toMatch(/ran out of memory \(limit 64 MiB\)/);
    });

    ourSide('without cgroup limits (a machine without controllers) the ulimits stop a fork bomb and a big allocation', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const plain = runtime;
      runtime = new DockerRuntime({ engine, socketPath: fx!.socketPath, enforce: { memory: false, swap: false, pids: false, cpu: false } });
      try {
        const a = await runtime.available();
        expect(a.ok && a.detail).toMatch(/no resource limits here.*Falling back to memory by a per-process data-size ulimit, processes by the nproc ulimit/);
        const many = await run('i=0; while [ $i -lt 300 ]; do sleep 5 & i=$((i+1)); echo $i; done', { limits: { pids: 64 } });
        expect(many.exitCode).not.toBe(0);
        expect(Number(many.output.match(/^\d+$/gm)?.at(-1))).toBeLessThan(64);
        const mem = await run('awk "BEGIN { s = \\"xxxxxxxxxxxxxxxx\\"; for (i = 0; i < 24; i++) s = s s; print length(s) }"; echo rc=$?', { limits: { memoryMb: 64 } });
        expect(mem.output).not.toContain('268435456');
        expect(mem.output).not.toMatch(/rc=0/);
      } finally {
        runtime = plain;
      }
    });

    test('the engine socket is not inside the job', async (ctx) => {
      if (skip) return ctx.skip(skip);
      const paths = ['/var/run/docker.sock', '/run/docker.sock', '/run/podman/podman.sock', fx!.socketPath];
      const r = await run(`for p in ${paths.join(' ')}; do test -e "$p" && echo "FOUND $p"; done; grep -c sock /proc/mounts; echo checked`);
      expect(r.output).toContain('checked');
      expect(r.output).not.toContain('FOUND');
      expect(r.output).toMatch(/^0$/m);
    });

    ourSide("/proc/1/environ is the job's own, not the host's", async (ctx) => {
      if (skip) return ctx.skip(skip);
      const r = await run('tr "\\0" "\\n" < /proc/1/environ; echo ---; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c host-secret', { env: { JOB_MARK: 'inside' } });
      expect(r.output).toContain('JOB_MARK=inside');
      expect(r.output).not.toContain(HOST_SECRET);
      expect(r.output).toMatch(/---\s+0\s*$/);
    });

    test("with network none the host's ports (loopback, where the internal endpoint listens, and LAN) are unreachable", async (ctx) => {
      if (skip) return ctx.skip(skip);
      const server = net.createServer((s) => s.end('hello\n'));
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      const port = (server.address() as net.AddressInfo).port;
      try {
        // the server answers from the host: the probes below could succeed
        const fromHost = await new Promise<string>((resolve, reject) => {
          const c = net.connect(port, '127.0.0.1');
          let got = '';
          c.on('data', (d) => (got += d));
          c.on('end', () => resolve(got));
          c.on('error', reject);
        });
        expect(fromHost).toBe('hello\n');
        const lan =
          Object.values(os.networkInterfaces())
            .flat()
            .find((i) => i && i.family === 'IPv4' && !i.internal)?.address ?? '10.0.0.1';
        const r = await run(
          `for h in 127.0.0.1 ${lan}; do if echo | nc -w 3 $h ${port} 2>/dev/null | grep -q hello; then echo "REACHED $h"; else echo "blocked $h"; fi; done; echo "interfaces:" $(ls /sys/class/net)`,
        );
        expect(r.output).toContain('blocked 127.0.0.1');
        expect(r.output).toContain(`blocked ${lan}`);
        expect(r.output).not.toContain('REACHED');
        expect(r.output).toMatch(/^interfaces: lo$/m);
      } finally {
        server.close();
      }
    });

    test('leaves no containers behind', async (ctx) => {
      if (skip) return ctx.skip(skip);
      expect(await ours()).toEqual([]);
      expect(await runtime.removeLeftovers()).toBe(0);
    });

    // The whole forge on this engine: a real server started with GITSSY_CI_BACKEND=<engine> and
    // the fixture's socket in DOCKER_HOST (CONTAINER_HOST for Podman), real pushes over HTTP,
    // each job one container of the busybox image. It reuses the engine started above: a second
    // daemon would cost more start-up time than all of these jobs together.
    describe(`the forge running jobs on ${engine}`, () => {
      const label = engine === 'docker' ? 'Docker' : 'Podman';
      const repo = 'alice/proj';
      let s: TestServer | null = null;
      let work = '';

      beforeAll(async () => {
        if (skip) return;
        const socket = `unix://${fx!.socketPath}`;
        s = await startServer({ env: { GITSSY_CI_BACKEND: engine, ...(engine === 'docker' ? { DOCKER_HOST: socket } : { CONTAINER_HOST: socket }) } });
        await createUser(s, 'alice', ALICE[1], { admin: true });
        expect((await api('PATCH', '/api/v1/admin/settings', { 'ci.defaultImage': fx!.image })).status).toBe(200);
        await createRepo(s, ALICE, { name: 'proj', private: true });
        work = await tempDir('gitssy-ci-work-');
        await gitOk(['init', '-q', '-b', 'main', work]);
      });

      afterAll(async () => {
        await s?.stop();
        if (work) await rm(work, { recursive: true, force: true });
      });

      async function api<T = unknown>(method: string, p: string, json?: unknown): Promise<{ status: number; body: T }> {
        const res = await s!.api(method, p, { auth: ALICE, ...(json !== undefined ? { json } : {}) });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // a log is text/plain
        }
        return { status: res.status, body: body as T };
      }

      /** Commits .ci/run.sh with this script (and a change, so every commit is new), pushes it to main. */
      async function pushScript(script: string): Promise<string> {
        await mkdir(path.join(work, '.ci'), { recursive: true });
        await writeFile(path.join(work, '.ci', 'run.sh'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
        await writeFile(path.join(work, 'nonce.txt'), `${Date.now()}-${Math.random()}\n`);
        await gitOk(['add', '-A'], { cwd: work });
        await gitOk(['commit', '-q', '-m', 'change'], { cwd: work });
        const sha = (await gitOk(['rev-parse', 'HEAD'], { cwd: work })).trim();
        await gitOk(['push', '-q', s!.gitUrl(`${repo}.git`, ALICE), 'HEAD:refs/heads/main'], { cwd: work });
        return sha;
      }

      async function settled(sha: string): Promise<ForgeJob> {
        return waitFor(
          async () => {
            const r = await api<ForgeJob[]>('GET', `/api/v1/repos/${repo}/ci/jobs?limit=50`);
            const job = r.body.find((j) => j.sha === sha);
            return job && FINISHED.includes(job.state) ? job : null;
          },
          60_000,
          100,
        );
      }

      async function ciStatuses(sha: string): Promise<{ state: string; description: string; target_url: string }[]> {
        await outboxIdle(s!.data);
        const r = await api<{ state: string; context: string; description: string; target_url: string }[]>('GET', `/api/v1/repos/${repo}/commits/${sha}/statuses?limit=50`);
        return r.body.filter((x) => x.context === 'gitssy/ci');
      }

      /** Every container any forge's job made on this engine (jobs are labelled gitssy.ci=1). */
      async function jobContainers() {
        return fx!.client.listContainers({ all: true, filters: { label: ['gitssy.ci=1'] } });
      }

      test(`GET /api/v1/admin/ci says ${engine} runs jobs, because GITSSY_CI_BACKEND says so, on the fixture's socket`, async (ctx) => {
        if (skip) return ctx.skip(skip);
        const r = await api<{
          backend: { setting: string; source: string; active: string | null; reason: string; candidates: { name: string; ok: boolean; reason?: string }[] };
          default_image: string;
        }>('GET', '/api/v1/admin/ci');
        expect(r.status).toBe(200);
        expect(r.body.backend).toMatchObject({ setting: engine, source: 'env', active: engine });
        const socket = fx!.socketPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        expect(r.body.backend.reason).toMatch(new RegExp(`^${label} runs jobs \\(GITSSY_CI_BACKEND=${engine}\\): ${label} \\d\\S* \\(OCI runtime runc\\) on ${socket} \\(rootful\\)\\.`));
        expect(r.body.backend.candidates.find((c) => c.name === engine)).toMatchObject({ ok: true });
        for (const other of r.body.backend.candidates.filter((c) => c.name !== engine)) expect(other).toMatchObject({ ok: false, reason: `not selected (GITSSY_CI_BACKEND=${engine})` });
        expect(r.body.default_image).toBe(fx!.image);
      });

      test('runs a passing .ci/run.sh in a container of the default image, logs it, posts pending then success, and removes the container', async (ctx) => {
        if (skip) return ctx.skip(skip);
        const sha = await pushScript('echo "hello-ci CI=$CI repo=$GIT_REPO sha=$GIT_SHA ref=$GIT_REF"; echo "user=$(id -un) uid=$(id -u)"; pwd; cat nonce.txt');
        const job = await settled(sha);
        expect(job).toMatchObject({ sha, ref: 'refs/heads/main', state: 'success', backend: engine, image: fx!.image, exit_code: 0, reason: null });
        const log = String((await api('GET', `/api/v1/repos/${repo}/ci/jobs/${job.id}/log`)).body);
        expect(log).toContain(`on the ${engine} backend (${fx!.image})`);
        expect(log).toContain(`hello-ci CI=true repo=${repo} sha=${sha} ref=refs/heads/main`);
        // the image's own user (its /etc/passwd names 10001 "ci"): the job ran in the image, not on the host
        expect(log).toContain(`user=${TEST_IMAGE_USER.name} uid=${TEST_IMAGE_USER.uid}`);
        expect(log).toMatch(/^\/workspace$/m);
        expect(log).toMatch(/Passed \(\d+\.\d s\)/);
        const st = await ciStatuses(sha);
        expect(st[0]).toMatchObject({ state: 'success', target_url: job.html_url });
        expect(st.length).toBeGreaterThanOrEqual(2);
        expect(st.slice(1).every((x) => x.state === 'pending')).toBe(true);
        expect(await jobContainers()).toEqual([]);
      });

      ourSide('records a failing .ci/run.sh as failure with its exit code and output, posts failure, and removes the container', async (ctx) => {
        if (skip) return ctx.skip(skip);
        const sha = await pushScript('echo "broken on purpose" >&2; exit 3');
        const job = await settled(sha);
        expect(job).toMatchObject({ state: 'failure', backend: engine, exit_code: 3, reason: '.ci/run.sh exited with 3' });
        const log = String((await api('GET', `/api/v1/repos/${repo}/ci/jobs/${job.id}/log`)).body);
        expect(log).toContain('broken on purpose');
        expect((await ciStatuses(sha))[0]).toMatchObject({ state: 'failure', description: '.ci/run.sh exited with 3' });
        expect(await jobContainers()).toEqual([]);
      });

      test("a repository image the engine doesn't have ends the job as an error that says so, and posts error", async (ctx) => {
        if (skip) return ctx.skip(skip);
        expect((await api('PATCH', `/api/v1/repos/${repo}/ci/settings`, { image: 'gitssy-test:no-such-tag' })).status).toBe(200);
        try {
          const sha = await pushScript('echo never');
          const job = await settled(sha);
          expect(job).toMatchObject({ state: 'error', image: 'gitssy-test:no-such-tag', exit_code: null });
          expect(job.reason).toMatch(new RegExp(`The image "gitssy-test:no-such-tag" is not on this ${label} engine`));
          expect((await ciStatuses(sha))[0]).toMatchObject({ state: 'error' });
          expect(await jobContainers()).toEqual([]);
        } finally {
          expect((await api('PATCH', `/api/v1/repos/${repo}/ci/settings`, { image: null })).status).toBe(200);
        }
      });
    });
  });
}
