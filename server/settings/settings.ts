// Runtime settings: typed key/value pairs in the db, editable by site admins while the server
// runs. Each key has a zod schema and a default; reads are served from memory.
import { z } from 'zod';
import { appearanceSchema, DEFAULT_APPEARANCE } from '../appearance/index.js';
import type { Db } from '../db/index.js';
import { Invalid } from '../lib/errors.js';
import { cidrProblem } from '../lib/cidr.js';

export const settingsSchema = z.strictObject({
  /** Who may create an account: anyone, anyone but an admin approves, or only admins. */
  'registration.mode': z.enum(['open', 'approval', 'closed']),
  /** Largest push accepted, in bytes (git's receive.maxInputSize); 0 = no limit. */
  'git.maxPushBytes': z.number().int().min(0),
  /** Largest a repository may grow through pushes, in bytes; 0 = no quota. */
  'git.maxRepoBytes': z.number().int().min(0),
  /** Instance name shown in the UI and the console. */
  'instance.name': z.string().min(1).max(100),
  /** Scheduled backups: off, daily or weekly (on backup.weekday, 0 = Sunday) at backup.time (local "HH:MM"); the newest backup.keep scheduled ones are kept. */
  'backup.schedule': z.enum(['off', 'daily', 'weekly']),
  'backup.time': z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time like 03:00'),
  'backup.weekday': z.number().int().min(0).max(6),
  'backup.keep': z.number().int().min(1).max(1000),
  /** Failed password attempts before an account locks, and for how long (GitLab's defaults). */
  'auth.maxFailedLogins': z.number().int().min(1).max(1000),
  'auth.lockMinutes': z.number().int().min(1).max(10_080),
  /** Every account must use two-factor sign-in: one without it is sent to enrolment after signing in. */
  'security.require2fa': z.boolean(),
  /** Failed authentications (any transport) one address may make in 10 minutes. */
  'limits.authFailuresPerIp': z.number().int().min(1).max(100_000),
  /** Concurrent git sessions (clone, fetch, push on any transport) per user and per address; 0 = no cap. */
  'limits.gitSessionsPerUser': z.number().int().min(0).max(10_000),
  'limits.gitSessionsPerIp': z.number().int().min(0).max(10_000),
  /** Maintenance mode (the switch comes with the appliance; the setting exists now). */
  'maintenance.enabled': z.boolean(),
  'maintenance.message': z.string().max(500),
  /** Site administrators may still push during maintenance. */
  'maintenance.adminsExempt': z.boolean(),
  /** The look anonymous visitors and users without their own choice get. */
  'ui.defaultAppearance': appearanceSchema,
  /** Trusted IP ranges (CIDR) for web, API and git on every transport; empty = everyone. The operator's own machine is always let in. */
  'access.allowCidrs': z
    .array(
      z.string().superRefine((c, ctx) => {
        const problem = cidrProblem(c);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(200),
  /** Webhook targets on loopback, link-local or private addresses that are let through anyway (CIDR; e.g. the office LAN); the forge's own ports never are. */
  'webhooks.allowCidrs': z
    .array(
      z.string().superRefine((c, ctx) => {
        const problem = cidrProblem(c);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .max(200),
  /** Outgoing mail (SMTP); an empty host means mail is off. The password is write-only over the API. */
  'smtp.host': z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9.:_%-]*$/, 'must be a host name or IP address'),
  'smtp.port': z.number().int().min(1).max(65535),
  /** true = TLS from the first byte (port 465); false = STARTTLS when the server offers it. */
  'smtp.secure': z.boolean(),
  'smtp.user': z.string().max(255),
  'smtp.password': z.string().max(1024),
  'smtp.from': z.string().max(320),
  /** Transports: git over HTTP (the web UI and API stay on), SSH, git:// (the daemon also needs a port). */
  'transports.http': z.boolean(),
  'transports.ssh': z.boolean(),
  'transports.git': z.boolean(),
  /** Largest clone or fetch (pack bytes sent), in bytes; 0 = no limit. */
  'git.maxCloneBytes': z.number().int().min(0),
  /** How far (KiB) git over SSH may send ahead of what an OpenSSH client has acknowledged (see ssh/send-window.ts). */
  'ssh.sendAheadKiB': z.number().int().min(256).max(65536),
  /** CI: the backend (GITSSY_CI_BACKEND wins), parallel jobs, the default image, and every job's limits. */
  'ci.backend': z.enum(['auto', 'docker', 'podman', 'sandbox', 'off']),
  'ci.workers': z.number().int().min(1).max(32),
  'ci.defaultImage': z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$|^$/, 'must be an image reference like debian:12 or ghcr.io/org/image:tag'),
  'ci.cpus': z.number().min(0.1).max(256),
  'ci.memoryMb': z.number().int().min(64).max(1_048_576),
  'ci.pids': z.number().int().min(16).max(100_000),
  'ci.diskMb': z.number().int().min(16).max(16_777_216),
  'ci.network': z.enum(['none', 'lan', 'open']),
  'ci.timeoutSeconds': z.number().int().min(5).max(86_400),
  'ci.logMaxBytes': z
    .number()
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024),
  /** Dev shells: each new shell's limits (per-user and per-organization overrides win), how many may run, and the image. */
  'shells.defaultCpus': z.number().min(0.1).max(256),
  'shells.defaultMemoryMb': z.number().int().min(64).max(1_048_576),
  'shells.defaultDiskMb': z.number().int().min(64).max(16_777_216),
  'shells.defaultPids': z.number().int().min(16).max(100_000),
  'shells.defaultRuntimeMinutes': z.number().int().min(1).max(10_080),
  'shells.idleMinutes': z.number().int().min(1).max(10_080),
  /** none, LAN blocked (the internet and this forge only) or open; true/false from before map to open/none. */
  'shells.defaultNetwork': z.preprocess((v) => (v === true ? 'open' : v === false ? 'none' : v), z.enum(['none', 'lan', 'open'])),
  /** Running shells one user may have, and the whole machine (0 = shells are off). */
  'shells.maxPerUser': z.number().int().min(0).max(100),
  'shells.maxTotal': z.number().int().min(0).max(1000),
  /** Container backends: the image shells run (empty = ci.defaultImage); the host sandbox uses the host's system. */
  'shells.image': z
    .string()
    .max(255)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._\/:@-]*$|^$/, 'must be an image reference like debian:12 or ghcr.io/org/image:tag'),
  /** Advertise the forge on the LAN with mDNS / DNS-SD (never while it listens on loopback only). */
  'lan.mdns': z.boolean(),
  /** The address teammates use (clone links, QR codes, mDNS); empty = GITSSY_BASE_URL or the detected LAN address. */
  'instance.publicUrl': z.union([
    z.literal(''),
    z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .max(500)
      .transform((u) => u.replace(/\/+$/, '')),
  ]),
  /** Paid credits (off: the feature is gone): Stripe's keys (write-only), what a shell or CI minute costs, the fallback currency. */
  'billing.enabled': z.boolean(),
  'billing.stripeSecretKey': z
    .string()
    .max(255)
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$|^$/, 'must be a Stripe secret key (sk_test_…, sk_live_…) or a restricted key'),
  'billing.stripeWebhookSecret': z
    .string()
    .max(255)
    .regex(/^whsec_[A-Za-z0-9]+$|^$/, 'must be a Stripe webhook signing secret (whsec_…)'),
  'billing.shellMinuteCredits': z.number().int().min(0).max(1_000_000),
  'billing.ciMinuteCredits': z.number().int().min(0).max(1_000_000),
  'billing.defaultCurrency': z.string().regex(/^[a-z]{3}$/, 'must be a three-letter ISO 4217 code in lower case, like usd'),
  /** Commit messages from a local model: the Ollama server (empty = off) and the model it runs. Never a cloud service. */
  'ai.ollamaHost': z
    .string()
    .max(500)
    .superRefine((u, ctx) => {
      const problem = ollamaHostProblem(u);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((u) => u.replace(/\/+$/, '')),
  'ai.model': z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9._:/-]*$/, 'must be an Ollama model name like llama3.2 or qwen2.5-coder:7b'),
  /** How long one suggestion may take in all, in seconds (fetch's own header and body timeouts are 300 s). */
  'ai.timeoutSeconds': z.number().int().min(1).max(300),
});

/** Why an Ollama host is refused ('' is off): not an http(s) URL, credentials, a query or fragment, or Ollama's cloud. */
function ollamaHostProblem(value: string): string | null {
  if (value === '') return null;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (u.username || u.password) return 'must not contain a user name or password';
  if (u.search || u.hash || value.includes('?') || value.includes('#')) return 'must not have a query or fragment';
  if (/(^|\.)ollama\.com\.?$/i.test(u.hostname)) return 'must be your own Ollama server, not a cloud service';
  return null;
}

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = {
  'registration.mode': 'open',
  'git.maxPushBytes': 2 * 1024 * 1024 * 1024,
  'git.maxRepoBytes': 0,
  'instance.name': 'Gitssy',
  'backup.schedule': 'off',
  'backup.time': '03:00',
  'backup.weekday': 0,
  'backup.keep': 7,
  'auth.maxFailedLogins': 10,
  'auth.lockMinutes': 10,
  'security.require2fa': false,
  'limits.authFailuresPerIp': 50,
  'limits.gitSessionsPerUser': 32,
  'limits.gitSessionsPerIp': 64,
  'maintenance.enabled': false,
  'maintenance.message': '',
  'maintenance.adminsExempt': false,
  'ui.defaultAppearance': DEFAULT_APPEARANCE,
  'access.allowCidrs': [],
  'webhooks.allowCidrs': [],
  'smtp.host': '',
  'smtp.port': 587,
  'smtp.secure': false,
  'smtp.user': '',
  'smtp.password': '',
  'smtp.from': '',
  'transports.http': true,
  'transports.ssh': true,
  'transports.git': true,
  'git.maxCloneBytes': 0,
  'ssh.sendAheadKiB': 512,
  'ci.backend': 'auto',
  'ci.workers': 1,
  'ci.defaultImage': '',
  'ci.cpus': 2,
  'ci.memoryMb': 2048,
  'ci.pids': 512,
  'ci.diskMb': 2048,
  'ci.network': 'none',
  'ci.timeoutSeconds': 600,
  'ci.logMaxBytes': 5 * 1024 * 1024,
  'shells.defaultCpus': 2,
  'shells.defaultMemoryMb': 2048,
  'shells.defaultDiskMb': 10_240,
  'shells.defaultPids': 512,
  'shells.defaultRuntimeMinutes': 240,
  'shells.idleMinutes': 30,
  'shells.defaultNetwork': 'open',
  'shells.maxPerUser': 2,
  'shells.maxTotal': 8,
  'shells.image': '',
  'lan.mdns': true,
  'instance.publicUrl': '',
  'billing.enabled': false,
  'billing.stripeSecretKey': '',
  'billing.stripeWebhookSecret': '',
  'billing.shellMinuteCredits': 1,
  'billing.ciMinuteCredits': 1,
  'billing.defaultCurrency': 'usd',
  'ai.ollamaHost': '',
  'ai.model': '',
  'ai.timeoutSeconds': 60,
};

/** Settings the API never sends back (write-only). */
export const SECRET_SETTINGS: readonly SettingKey[] = ['smtp.password', 'billing.stripeSecretKey', 'billing.stripeWebhookSecret'];

export class SettingsService {
  private cache: Settings = { ...DEFAULT_SETTINGS };
  private readonly listeners: ((changed: Partial<Settings>) => void)[] = [];
  private readonly updatedHere: (() => void)[] = [];

  constructor(private readonly db: Db) {}

  /**
   * Reads the stored values again (another instance on the same database changed them) and
   * tells the onChange listeners what differs from what this process had.
   */
  async reload(): Promise<void> {
    const before = this.cache;
    await this.load();
    const changed: Record<string, unknown> = {};
    for (const key of Object.keys(this.cache) as SettingKey[]) if (JSON.stringify(before[key]) !== JSON.stringify(this.cache[key])) changed[key] = this.cache[key];
    if (Object.keys(changed).length) this.notify(changed as Partial<Settings>);
  }

  /** Calls `fn` after each update made through this process (to tell the other instances). */
  onLocalUpdate(fn: () => void): void {
    this.updatedHere.push(fn);
  }

  private notify(changed: Partial<Settings>): void {
    for (const fn of this.listeners) {
      try {
        fn(changed);
      } catch {
        // a listener's trouble is its own (each logs it); the update has happened
      }
    }
  }

  /** Loads stored values over the defaults; unknown or invalid stored keys are ignored. */
  async load(): Promise<void> {
    const rows = await this.db.selectFrom('settings').select(['key', 'value']).execute();
    const next: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const row of rows) {
      const schema = settingsSchema.shape[row.key as SettingKey];
      if (!schema) continue;
      try {
        const parsed = schema.safeParse(JSON.parse(row.value));
        if (parsed.success) next[row.key] = parsed.data;
      } catch {
        // an unreadable value falls back to the default
      }
    }
    this.cache = next as Settings;
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.cache[key];
  }

  all(): Settings {
    return { ...this.cache };
  }

  /** Validates and stores a partial update; nothing is written unless every value is valid. */
  async update(patch: Record<string, unknown>): Promise<Settings> {
    const parsed = settingsSchema.partial().safeParse(patch);
    if (!parsed.success) {
      throw Invalid(`invalid settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`);
    }
    const entries = Object.entries(parsed.data);
    const now = Date.now();
    await this.db.transaction().execute(async (trx) => {
      for (const [key, value] of entries) {
        await trx
          .insertInto('settings')
          .values({ key, value: JSON.stringify(value), updated_at: now })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now }))
          .execute();
      }
    });
    this.cache = { ...this.cache, ...parsed.data };
    this.notify(parsed.data);
    for (const fn of this.updatedHere) fn();
    return this.all();
  }

  /** Calls `fn` with the changed keys after every successful update (live toggles: mDNS, ...). */
  onChange(fn: (changed: Partial<Settings>) => void): void {
    this.listeners.push(fn);
  }

  /** Every setting, with the write-only ones replaced by whether they are set. */
  redacted(): Record<string, unknown> {
    const out: Record<string, unknown> = this.all();
    for (const key of SECRET_SETTINGS) {
      delete out[key];
      out[`${key}Set`] = this.cache[key] !== '';
    }
    return out;
  }

  /** Internal values not exposed as settings (setup token hash, secrets). */
  async getInternal(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', `internal.${key}`).executeTakeFirst();
    return row ? row.value : null;
  }

  async setInternal(key: string, value: string | null): Promise<void> {
    const k = `internal.${key}`;
    if (value === null) {
      await this.db.deleteFrom('settings').where('key', '=', k).execute();
      return;
    }
    const now = Date.now();
    await this.db
      .insertInto('settings')
      .values({ key: k, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
  }
}
