// Which backend runs jobs: GITSSY_CI_BACKEND if set, else the console's `ci.backend`. `auto`
// takes the first that works of Docker, Podman and the host sandbox; naming one means that one
// or none (jobs wait in the queue, and the console says why). Availability is probed once and
// then kept: past its age the kept answer is still given at once while a probe runs in the
// background (a push or a shell start never waits on an engine's ping), and it is probed afresh,
// waited for, when the setting changes or the console asks.
import type { BackendName, Runtime } from './types.js';

export const BACKEND_SETTINGS = ['auto', 'docker', 'podman', 'sandbox', 'off'] as const;
export type BackendSetting = (typeof BACKEND_SETTINGS)[number];

export interface Candidate {
  name: BackendName;
  ok: boolean;
  detail?: string;
  reason?: string;
}

export interface BackendChoice {
  setting: BackendSetting;
  /** Where the setting came from. */
  source: 'env' | 'console';
  active: Runtime | null;
  /** A sentence for the console: what runs jobs and why, or why nothing does. */
  reason: string;
  /** CI is off (switched off, or nothing can run here): pushes queue nothing. */
  off: boolean;
  candidates: Candidate[];
}

const ORDER: readonly BackendName[] = ['docker', 'podman', 'sandbox'];
const LABEL: Record<BackendName, string> = { docker: 'Docker', podman: 'Podman', sandbox: 'the host sandbox' };
const cap = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
const CACHE_MS = 30_000;

export class BackendSelector {
  private cached: { at: number; key: string; choice: BackendChoice } | null = null;
  private inflight: Promise<BackendChoice> | null = null;

  constructor(
    private readonly runtimes: readonly Runtime[],
    private readonly setting: () => BackendSetting,
    private readonly env: () => string | undefined = () => process.env.GITSSY_CI_BACKEND,
    private readonly maxAgeMs = CACHE_MS,
  ) {}

  /** The configured setting and where it came from (an invalid env value is reported, not used). */
  configured(): { setting: BackendSetting; source: 'env' | 'console'; invalidEnv?: string } {
    const raw = this.env()?.trim().toLowerCase();
    if (raw) {
      if ((BACKEND_SETTINGS as readonly string[]).includes(raw)) return { setting: raw as BackendSetting, source: 'env' };
      return { setting: this.setting(), source: 'console', invalidEnv: raw };
    }
    return { setting: this.setting(), source: 'console' };
  }

  /** Forgets what was probed (the setting changed, or the console asks again). */
  invalidate(): void {
    this.cached = null;
    this.inflight = null;
  }

  async choose(fresh = false): Promise<BackendChoice> {
    const conf = this.configured();
    const key = `${conf.source}:${conf.setting}`;
    if (!fresh && this.cached && this.cached.key === key) {
      if (Date.now() - this.cached.at >= this.maxAgeMs && !this.inflight) void this.reprobe(conf, key).catch(() => {});
      return this.cached.choice;
    }
    if (this.inflight && !fresh) return this.inflight;
    return this.reprobe(conf, key);
  }

  private reprobe(conf: ReturnType<BackendSelector['configured']>, key: string): Promise<BackendChoice> {
    const p = this.probe(conf)
      .then((choice) => {
        // a newer probe (or an invalidation) since this one started wins
        if (this.inflight === p) this.cached = { at: Date.now(), key, choice };
        return choice;
      })
      .finally(() => {
        if (this.inflight === p) this.inflight = null;
      });
    this.inflight = p;
    return p;
  }

  private async probe(conf: ReturnType<BackendSelector['configured']>): Promise<BackendChoice> {
    const { setting, source } = conf;
    const from = source === 'env' ? `GITSSY_CI_BACKEND=${setting}` : `ci.backend is ${setting}`;
    const note = conf.invalidEnv ? ` (GITSSY_CI_BACKEND=${conf.invalidEnv} is not a backend and was ignored)` : '';
    const wanted = setting === 'auto' ? ORDER : setting === 'off' ? [] : [setting];
    const candidates: Candidate[] = [];
    const found = new Map<BackendName, Runtime>();
    for (const name of ORDER) {
      const rt = this.runtimes.find((r) => r.name === name);
      if (!rt) {
        candidates.push({ name, ok: false, reason: 'not built into this server' });
        continue;
      }
      // only what could be chosen is probed (probing an engine costs a connection attempt)
      if (!wanted.includes(name)) {
        candidates.push({ name, ok: false, reason: setting === 'off' ? 'CI is off' : `not selected (${from})` });
        continue;
      }
      const a = await rt.available().catch((err: unknown) => ({ ok: false as const, reason: err instanceof Error ? err.message : String(err) }));
      if (a.ok) {
        candidates.push({ name, ok: true, detail: a.detail });
        found.set(name, rt);
      } else candidates.push({ name, ok: false, reason: a.reason });
    }
    const base = { setting, source, candidates };
    if (setting === 'off') return { ...base, active: null, off: true, reason: `CI is off: ${from}${note}` };
    if (setting !== 'auto') {
      const rt = found.get(setting);
      const c = candidates.find((x) => x.name === setting)!;
      if (rt) return { ...base, active: rt, off: false, reason: `${cap(LABEL[setting])} runs jobs (${from}): ${c.detail}${note}` };
      return { ...base, active: null, off: false, reason: `${cap(LABEL[setting])} is not available (${from}): ${c.reason}; jobs wait in the queue until it is${note}` };
    }
    const first = ORDER.find((n) => found.has(n));
    const skipped = candidates
      .filter((c) => !c.ok && ORDER.indexOf(c.name) < (first ? ORDER.indexOf(first) : ORDER.length))
      .map((c) => `${LABEL[c.name]}: ${c.reason}`)
      .join('; ');
    if (first) {
      const c = candidates.find((x) => x.name === first)!;
      return { ...base, active: found.get(first)!, off: false, reason: `${cap(LABEL[first])} runs jobs (${from}: the first that works${skipped ? `; ${skipped}` : ''}): ${c.detail}${note}` };
    }
    return { ...base, active: null, off: true, reason: `CI is off: no container engine and no host sandbox can run jobs here (${skipped})${note}` };
  }
}

/** The runtime layer as the service graph holds it (`s.runtime`). */
export interface RuntimeService {
  readonly selector: BackendSelector;
  readonly runtimes: readonly Runtime[];
  /** The backend that runs code now (probed, cached for a while). */
  backend(fresh?: boolean): Promise<BackendChoice>;
}
