// The git test image (TEST_GIT_IMAGE) the dockerd fixture builds on demand: git, its HTTP
// transport and bash work in it as the unprivileged user, on a read-only root with a tmpfs /tmp
// (how the runtime starts jobs and dev shells).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDockerd, TEST_GIT_IMAGE, TEST_IMAGE_USER, type EngineFixture } from '../fixtures/dockerd.js';

let fx: EngineFixture | null = null;
let skip = '';

beforeAll(async () => {
  const started = await startDockerd();
  if ('skip' in started) skip = started.skip;
  else fx = started;
});

afterAll(async () => {
  await fx?.stop();
});

/** Runs a script in the image as TEST_IMAGE_USER, as a job would be run; answers its exit code and output. */
async function run(image: string, script: string): Promise<{ code: number; output: string }> {
  const container = await fx!.client.createContainer({
    Image: image,
    Entrypoint: [''],
    Cmd: ['sh', '-c', script],
    User: `${TEST_IMAGE_USER.uid}:${TEST_IMAGE_USER.gid}`,
    WorkingDir: '/tmp',
    // a pty: one stream, no multiplexing headers
    Tty: true,
    HostConfig: { ReadonlyRootfs: true, Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m,mode=1777' }, NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, logs: true });
    let output = '';
    stream.on('data', (c: Buffer) => (output += c.toString()));
    const ended = new Promise((r) => stream.once('end', r));
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([ended, new Promise((r) => setTimeout(r, 1000))]);
    return { code: StatusCode, output: output.replace(/\r\n/g, '\n') };
  } finally {
    await container.remove({ force: true }).catch(() => {});
  }
}

test('git, git-remote-http and bash run as uid 10001 on a read-only root', async (ctx) => {
  if (skip) return ctx.skip(skip);
  const t0 = Date.now();
  const image = await fx!.gitImage();
  const buildMs = Date.now() - t0;
  expect(image).toBe(TEST_GIT_IMAGE);
  // a second call answers the same build
  expect(await fx!.gitImage()).toBe(TEST_GIT_IMAGE);
  const r = await run(
    image,
    [
      'set -e',
      'id -u',
      'git --version',
      'git init -q -b main repo',
      'cd repo',
      'echo hi > a.txt',
      'git add a.txt',
      'git -c user.name=CI -c user.email=ci@example.test commit -q -m first',
      // on a pty git pages through `pager` (busybox less, which would wait for a key here: cat)
      'GIT_PAGER=cat git log --format=%s',
      'test -x /usr/bin/pager',
      // the templates were found (no "templates not found" warning, hooks/ samples are there)
      'ls .git/hooks | grep -c sample',
      "bash -c 'echo ok from bash $BASH_VERSION'",
      // git-remote-http loads (its libraries are all there): it gets as far as connecting
      'git ls-remote http://127.0.0.1:9/x.git 2>&1 || true',
      'echo done',
    ].join('\n'),
  );
  expect(r.output).not.toMatch(/templates not found|error while loading shared libraries|not a git command|cannot run pager/);
  expect(r.code, r.output).toBe(0);
  const lines = r.output.trim().split('\n');
  expect(lines[0]).toBe(String(TEST_IMAGE_USER.uid));
  expect(lines[1]).toMatch(/^git version \d+\./);
  expect(r.output).toContain('\nfirst\n');
  expect(r.output).toMatch(/^ok from bash \d+\./m);
  expect(r.output).toMatch(/unable to access 'http:\/\/127\.0\.0\.1:9\/x\.git\/'.*(Failed to connect|Couldn't connect)/);
  expect(r.output.trim().endsWith('done')).toBe(true);
  console.log(`${TEST_GIT_IMAGE} built in ${buildMs} ms`);
});
