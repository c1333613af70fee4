// Typed configuration: flags > environment > <data>/.gitssy.env > defaults, validated with zod.
// A bad value stops start-up with a message that names the setting and where it came from.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';

const port = z.coerce.number().int('must be a whole number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535');
const url = (protocols: string[]) =>
  z
    .string()
    .url('must be a URL')
    .refine((u) => protocols.includes(new URL(u).protocol), `must start with ${protocols.join(' or ')}`);

const configSchema = z.object({
  dataDir: z.string().min(1),
  host: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9.:_%-]+$/, 'must be an IP address or host name'),
  httpPort: port,
  sshPort: port,
  gitPort: port.nullable(),
  baseUrl: url(['http:', 'https:'])
    .transform((u) => u.replace(/\/+$/, ''))
    .nullable(),
  databaseUrl: url(['postgres:', 'postgresql:']).nullable(),
  /** The repositories' folder when it is not `<data>/repos`: a store several instances share. */
  reposDir: z
    .string()
    .min(1)
    .transform((d) => path.resolve(d))
    .nullable(),
  redisUrl: url(['redis:', 'rediss:']).nullable(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  slowRequestMs: z.coerce.number().int().min(0),
  gitTimeoutSec: z.coerce.number().int().min(1).max(86_400),
  gitConcurrency: z.coerce.number().int().min(1, 'must be at least 1').max(1024).nullable(),
  /** Which reverse proxies to believe about the client address: false, or Express's trust list. */
  trustProxy: z
    .string()
    .regex(/^(true|false|0|1|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/, 'must be true, false, or the proxy addresses (IPs or CIDRs, comma-separated)')
    .transform((v): false | string => (v === 'false' || v === '0' ? false : v === 'true' || v === '1' ? 'loopback' : v)),
  mdnsInterface: z
    .string()
    .regex(/^[A-Za-z0-9.:_%-]+$/, 'must be an IP address')
    .nullable(),
  mdnsPort: port.nullable(),
  mdnsPeerPort: port.nullable(),
});

export type Config = z.infer<typeof configSchema>;
type Key = keyof Config;

/** Where each setting comes from: its environment name and its flag, for messages and --help. */
export const SETTINGS: Record<Key, { env: string; flag?: string; default: string | null }> = {
  dataDir: { env: 'GITSSY_DATA', flag: '--data', default: './data' },
  host: { env: 'GITSSY_HOST', flag: '--host', default: '0.0.0.0' },
  httpPort: { env: 'GITSSY_HTTP_PORT', flag: '--http-port', default: '3000' },
  sshPort: { env: 'GITSSY_SSH_PORT', flag: '--ssh-port', default: '2222' },
  gitPort: { env: 'GITSSY_GIT_PORT', flag: '--git-port', default: null },
  baseUrl: { env: 'GITSSY_BASE_URL', default: null },
  databaseUrl: { env: 'DATABASE_URL', default: null },
  reposDir: { env: 'GITSSY_REPOS_DIR', default: null },
  redisUrl: { env: 'REDIS_URL', default: null },
  logLevel: { env: 'GITSSY_LOG_LEVEL', default: 'info' },
  slowRequestMs: { env: 'GITSSY_SLOW_REQUEST_MS', default: '0' },
  gitTimeoutSec: { env: 'GITSSY_GIT_TIMEOUT', default: '3600' },
  gitConcurrency: { env: 'GITSSY_GIT_CONCURRENCY', default: null },
  trustProxy: { env: 'GITSSY_TRUST_PROXY', default: 'false' },
  /** mDNS: bind to one interface address; with a port, multicast is off and packets go to that address and port (tests). */
  mdnsInterface: { env: 'GITSSY_MDNS_INTERFACE', default: null },
  mdnsPort: { env: 'GITSSY_MDNS_PORT', default: null },
  mdnsPeerPort: { env: 'GITSSY_MDNS_PEER_PORT', default: null },
};

export class ConfigError extends Error {}

/** Reads `<data>/.gitssy.env` (KEY=value lines); a missing file is no error. */
function readEnvFile(dataDir: string): Record<string, string> {
  const file = path.join(dataDir, '.gitssy.env');
  if (!existsSync(file)) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/**
 * Where the files the forge's instances share besides the repositories live (the CI job logs,
 * in `ci/`): the data dir, or `<GITSSY_REPOS_DIR>/.gitssy` when the repositories live in a store
 * outside it (several instances share it), so a job's log written by the instance that ran the
 * job is read by every instance. Owner names never start with a dot, so it is no repository's.
 */
export function sharedFilesDir(config: { dataDir: string; reposDir: string | null }): string {
  const data = path.resolve(config.dataDir);
  if (!config.reposDir || path.resolve(config.reposDir) === path.join(data, 'repos')) return data;
  return path.join(path.resolve(config.reposDir), '.gitssy');
}

/** A value as `<data>/.gitssy.env` holds it (undefined when it doesn't), whatever overrides it. */
export function envFileValue(dataDir: string, name: string): string | undefined {
  return readEnvFile(path.resolve(dataDir))[name] || undefined;
}

/**
 * Builds the configuration. `flags` holds values given on the command line (already named by
 * config key); `env` is normally process.env.
 */
export function loadConfig(flags: Partial<Record<Key, string | undefined>>, env: NodeJS.ProcessEnv = process.env): Config {
  const dataRaw = flags.dataDir ?? env.GITSSY_DATA ?? SETTINGS.dataDir.default!;
  const dataDir = path.resolve(dataRaw);
  const fileEnv = readEnvFile(dataDir);
  const raw: Record<string, string | null> = {};
  const origin: Record<string, string> = {};
  for (const [key, meta] of Object.entries(SETTINGS) as [Key, (typeof SETTINGS)[Key]][]) {
    const fromFlag = flags[key];
    const fromEnv = env[meta.env];
    const fromFile = fileEnv[meta.env];
    if (fromFlag !== undefined) {
      raw[key] = fromFlag;
      origin[key] = `${meta.flag ?? meta.env} flag`;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[key] = fromEnv;
      origin[key] = `environment variable ${meta.env}`;
    } else if (fromFile !== undefined && fromFile !== '') {
      raw[key] = fromFile;
      origin[key] = `${meta.env} in ${path.join(dataDir, '.gitssy.env')}`;
    } else {
      raw[key] = meta.default;
      origin[key] = 'default';
    }
  }
  raw.dataDir = dataDir;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]) as Key;
      const meta = SETTINGS[key];
      const name = meta ? [meta.flag, meta.env].filter(Boolean).join(' / ') : key;
      return `invalid setting ${name}: ${issue.message} (got ${JSON.stringify(raw[key])} from ${origin[key] ?? 'default'})`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  return parsed.data;
}
