import { describe, expect, it } from 'vitest';
import { BackendSelector, type BackendSetting } from './select.js';
import type { Availability, BackendName, RunResult, Runtime } from './types.js';

/** A backend whose availability the test decides (the selector only asks available()). */
function backend(name: BackendName, a: Availability): Runtime & { probes: number } {
  return {
    name,
    probes: 0,
    async available() {
      this.probes++;
      return a;
    },
    async run(): Promise<RunResult> {
      throw new Error('not run here');
    },
    async openTerminal(): Promise<never> {
      throw new Error('not run here');
    },
    async removeLeftovers() {
      return 0;
    },
  };
}

describe('BackendSelector', () => {
  const docker = (ok: boolean) => backend('docker', ok ? { ok: true, detail: 'Docker 27' } : { ok: false, reason: 'no socket' });
  const podman = (ok: boolean) => backend('podman', ok ? { ok: true, detail: 'Podman 4' } : { ok: false, reason: 'no socket' });
  const sandbox = (ok: boolean) => backend('sandbox', ok ? { ok: true, detail: 'bubblewrap 0.8.0' } : { ok: false, reason: 'needs Linux' });
  const select = (rts: Runtime[], setting: BackendSetting, env?: string) =>
    new BackendSelector(
      rts,
      () => setting,
      () => env,
    ).choose();

  it('auto takes Docker, then Podman, then the sandbox, whichever works first, and says why', async () => {
    expect((await select([docker(true), podman(true), sandbox(true)], 'auto')).active?.name).toBe('docker');
    const c = await select([docker(false), podman(false), sandbox(true)], 'auto');
    expect(c.active?.name).toBe('sandbox');
    expect(c.off).toBe(false);
    expect(c.reason).toMatch(/^The host sandbox runs jobs \(ci\.backend is auto.*Docker: no socket; Podman: no socket\): bubblewrap 0\.8\.0$/);
  });

  it('auto with nothing usable is off, with every reason', async () => {
    const c = await select([docker(false), podman(false), sandbox(false)], 'auto');
    expect(c).toMatchObject({ active: null, off: true });
    expect(c.reason).toMatch(/^CI is off: .*Docker: no socket; Podman: no socket; the host sandbox: needs Linux/);
  });

  it('a named backend is that one or none (jobs wait), and only it is probed', async () => {
    const d = docker(true);
    const c = await select([d, podman(true), sandbox(false)], 'sandbox');
    expect(c).toMatchObject({ active: null, off: false });
    expect(c.reason).toMatch(/not available.*needs Linux; jobs wait in the queue/);
    expect(d.probes).toBe(0);
  });

  it('GITSSY_CI_BACKEND wins over the setting; an unknown value is ignored and reported', async () => {
    const c = await select([docker(true), podman(false), sandbox(true)], 'docker', 'sandbox');
    expect(c).toMatchObject({ setting: 'sandbox', source: 'env' });
    expect(c.active?.name).toBe('sandbox');
    const bad = await select([docker(true), podman(false), sandbox(true)], 'docker', 'kubernetes');
    expect(bad).toMatchObject({ setting: 'docker', source: 'console' });
    expect(bad.reason).toContain('GITSSY_CI_BACKEND=kubernetes is not a backend');
    const off = await select([docker(true), podman(true), sandbox(true)], 'auto', 'off');
    expect(off).toMatchObject({ active: null, off: true });
  });

  it('caches the probe until the setting changes or it is invalidated', async () => {
    let setting: BackendSetting = 'auto';
    const d = docker(true);
    const sel = new BackendSelector(
      [d, podman(false), sandbox(true)],
      () => setting,
      () => undefined,
    );
    await sel.choose();
    await sel.choose();
    expect(d.probes).toBe(1);
    setting = 'docker';
    await sel.choose();
    expect(d.probes).toBe(2);
    sel.invalidate();
    await sel.choose();
    expect(d.probes).toBe(3);
  });

  it('answers at once past its age, probing again in the background', async () => {
    let ok = true;
    let probes = 0;
    const flaky: Runtime = {
      ...docker(true),
      async available() {
        probes++;
        return ok ? { ok: true, detail: 'Docker 27' } : { ok: false, reason: 'the engine went away' };
      },
    };
    const sel = new BackendSelector(
      [flaky, podman(false), sandbox(true)],
      () => 'auto',
      () => undefined,
      0,
    );
    expect((await sel.choose()).active?.name).toBe('docker');
    ok = false;
    // the kept answer comes back without waiting; the probe behind it sees the change
    expect((await sel.choose()).active?.name).toBe('docker');
    await new Promise((r) => setTimeout(r, 10));
    expect(probes).toBe(2);
    expect((await sel.choose()).active?.name).toBe('sandbox');
  });
});
