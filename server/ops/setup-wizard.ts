// The first-run wizard behind POST /api/v1/setup: besides the administrator it may name the
// instance, pick the address teammates use, the ports (stored in <data>/.gitssy.env for the
// next start), the transports, the registration policy and LAN discovery. Everything is
// validated before anything is written, so a bad field changes nothing.
import os from 'node:os';
import { z } from 'zod';
import type { UserRow } from '../db/schema.js';
import { lanAddresses } from '../lib/net.js';
import { Invalid } from '../lib/errors.js';
import { teammateUrls } from '../lan/index.js';
import type { Services } from '../services.js';
import { settingsSchema, type Settings } from '../settings/index.js';
import { setEnvValues } from './env-file.js';

const port = z.number().int().min(1).max(65535);

/** The wizard's optional fields, added to the setup body (older clients send none of them). */
export const wizardFields = {
  instance_name: settingsSchema.shape['instance.name'].optional(),
  public_url: settingsSchema.shape['instance.publicUrl'].optional().describe('the address teammates use, e.g. one of GET /setup/info addresses'),
  registration: settingsSchema.shape['registration.mode'].optional(),
  transports: z.strictObject({ http: z.boolean().optional(), ssh: z.boolean().optional(), git: z.boolean().optional() }).optional(),
  ports: z
    .strictObject({ http: port.optional(), ssh: port.optional(), git: port.nullable().optional().describe('null = no git:// daemon') })
    .optional()
    .describe('stored in <data>/.gitssy.env; used from the next start'),
  mdns: z.boolean().optional(),
};

export interface WizardInput {
  token: string;
  username: string;
  email: string;
  password: string;
  full_name?: string | undefined;
  instance_name?: string | undefined;
  public_url?: string | undefined;
  registration?: Settings['registration.mode'] | undefined;
  transports?: { http?: boolean | undefined; ssh?: boolean | undefined; git?: boolean | undefined } | undefined;
  ports?: { http?: number | undefined; ssh?: number | undefined; git?: number | null | undefined } | undefined;
  mdns?: boolean | undefined;
}

export interface WizardResult {
  user: UserRow;
  /** True when ports changed: they apply from the next start. */
  restart_required: boolean;
}

export async function completeSetup(s: Services, input: WizardInput, ip: string | null): Promise<WizardResult> {
  const patch: Partial<Settings> = {};
  if (input.instance_name !== undefined) patch['instance.name'] = input.instance_name;
  if (input.public_url !== undefined) patch['instance.publicUrl'] = input.public_url;
  if (input.registration !== undefined) patch['registration.mode'] = input.registration;
  if (input.transports?.http !== undefined) patch['transports.http'] = input.transports.http;
  if (input.transports?.ssh !== undefined) patch['transports.ssh'] = input.transports.ssh;
  if (input.transports?.git !== undefined) patch['transports.git'] = input.transports.git;
  if (input.mdns !== undefined) patch['lan.mdns'] = input.mdns;
  const env: Record<string, string | null> = {};
  const p = input.ports;
  if (p) {
    const chosen = [p.http, p.ssh, p.git].filter((v): v is number => typeof v === 'number');
    if (new Set(chosen).size !== chosen.length) throw Invalid('ports: HTTP, SSH and git:// need different port numbers');
    if (p.http !== undefined) env.GITSSY_HTTP_PORT = String(p.http);
    if (p.ssh !== undefined) env.GITSSY_SSH_PORT = String(p.ssh);
    if (p.git !== undefined) env.GITSSY_GIT_PORT = p.git === null ? null : String(p.git);
  }
  // the same checks the settings store makes, before the account exists
  const parsed = settingsSchema.partial().safeParse(patch);
  if (!parsed.success) throw Invalid(`invalid setup: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);

  const user = await s.setup.complete(input.token, { username: input.username, email: input.email, password: input.password, ...(input.full_name ? { fullName: input.full_name } : {}) }, ip);
  if (Object.keys(patch).length) await s.settings.update(patch);
  if (Object.keys(env).length) await setEnvValues(s.config.dataDir, env);
  const restart = (p?.http !== undefined && p.http !== s.httpPort()) || (p?.ssh !== undefined && p.ssh !== s.sshPort()) || (p?.git !== undefined && p.git !== s.ops.gitPort());
  await s.audit.record({ actorId: user.id, action: 'setup.complete', targetType: 'settings', detail: { settings: patch, ports: p ?? null }, ip });
  return { user, restart_required: restart };
}

/** Detected LAN addresses with their interface names, for the wizard's address picker. */
function detectedAddresses(host: string): { address: string; interface: string | null }[] {
  const names = new Map<string, string>();
  for (const [name, list] of Object.entries(os.networkInterfaces())) for (const a of list ?? []) names.set(a.address, name);
  return lanAddresses(host).map((address) => ({ address, interface: names.get(address) ?? null }));
}

/** What the wizard shows before the administrator exists (the caller checked the token). */
export function setupInfo(s: Services) {
  const sshPort = s.sshPort();
  const urls = teammateUrls({ host: s.config.host, httpPort: s.httpPort(), sshPort, publicUrl: s.settings.get('instance.publicUrl'), baseUrl: s.config.baseUrl });
  return {
    setup_required: true,
    addresses: detectedAddresses(s.config.host).map((a) => ({ ...a, url: `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${s.httpPort()}` })),
    urls: urls.map((u) => ({ kind: u.kind, http: u.http, ssh: u.ssh })),
    listening: { host: s.config.host, http: s.httpPort(), ssh: sshPort, git: s.ops.gitPort() },
    defaults: {
      instance_name: s.settings.get('instance.name'),
      public_url: s.settings.get('instance.publicUrl') || s.config.baseUrl || urls.find((u) => u.kind === 'lan')?.http.replace(/\/$/, '') || '',
      registration: s.settings.get('registration.mode'),
      transports: { http: s.settings.get('transports.http'), ssh: s.settings.get('transports.ssh'), git: s.settings.get('transports.git') },
      ports: { http: s.config.httpPort || s.httpPort(), ssh: s.config.sshPort || sshPort, git: s.config.gitPort },
      mdns: s.settings.get('lan.mdns'),
    },
  };
}
