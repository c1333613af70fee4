// The shell's own settings: <userData>/settings.json, where the operator can move the data
// directory or pin the ports. Parsing is strict: a wrong value is reported, never guessed,
// because starting a fresh instance on a default folder would look like lost data.
import path from 'node:path';

export interface ShellSettings {
  /** Data directory; default <userData>/data. `--data DIR` on the command line wins. */
  dataDir: string | null;
  /** Address to listen on; default the server's (0.0.0.0, the LAN). */
  host: string | null;
  httpPort: number | null;
  sshPort: number | null;
  /** git:// port; off unless set. */
  gitPort: number | null;
}

export const DEFAULT_SETTINGS: ShellSettings = { dataDir: null, host: null, httpPort: null, sshPort: null, gitPort: null };

const KEYS = new Set(Object.keys(DEFAULT_SETTINGS));

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Parses settings.json (null when the file does not exist); throws SettingsError saying what to fix. */
export function parseShellSettings(text: string | null, file: string): ShellSettings {
  if (text === null || text.trim() === '') return { ...DEFAULT_SETTINGS };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`${file} is not valid JSON (${(err as Error).message}); fix it or delete it to use the defaults`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new SettingsError(`${file} must hold a JSON object like {"dataDir": "/path/to/data"}`);
  const obj = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(obj)) if (!KEYS.has(key)) problems.push(`unknown setting "${key}" (known: ${[...KEYS].join(', ')})`);
  const out: ShellSettings = { ...DEFAULT_SETTINGS };
  const str = (key: 'dataDir' | 'host') => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'string' || v.trim() === '' || v.length > 4096) problems.push(`"${key}" must be a non-empty string`);
    else out[key] = v;
  };
  const port = (key: 'httpPort' | 'sshPort' | 'gitPort') => {
    const v = obj[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) problems.push(`"${key}" must be a port number from 0 to 65535 (0 = any free port)`);
    else out[key] = v;
  };
  str('dataDir');
  str('host');
  port('httpPort');
  port('sshPort');
  port('gitPort');
  if (out.dataDir !== null && !path.isAbsolute(out.dataDir)) problems.push('"dataDir" must be an absolute path');
  if (problems.length) throw new SettingsError(`${file}: ${problems.join('; ')}`);
  return out;
}

/** `--data DIR` or `--data=DIR` from the command line, if given. */
export function dataDirFromArgv(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data') {
      const v = argv[i + 1];
      if (!v || v.startsWith('-')) throw new SettingsError('--data needs a directory, e.g. --data /srv/gitssy');
      return path.resolve(v);
    }
    if (a.startsWith('--data=')) {
      const v = a.slice('--data='.length);
      if (!v) throw new SettingsError('--data needs a directory, e.g. --data=/srv/gitssy');
      return path.resolve(v);
    }
  }
  return null;
}

/** The data directory: command line > settings.json > GITSSY_DATA > <userData>/data. */
export function resolveDataDir(argv: readonly string[], settings: ShellSettings, env: NodeJS.ProcessEnv, userData: string): string {
  return dataDirFromArgv(argv) ?? settings.dataDir ?? (env.GITSSY_DATA ? path.resolve(env.GITSSY_DATA) : path.join(userData, 'data'));
}

/** The arguments for `gitssy serve`. */
export function serveArgs(dataDir: string, settings: ShellSettings): string[] {
  const args = ['serve', '--data', dataDir];
  if (settings.host !== null) args.push('--host', settings.host);
  if (settings.httpPort !== null) args.push('--http-port', String(settings.httpPort));
  if (settings.sshPort !== null) args.push('--ssh-port', String(settings.sshPort));
  if (settings.gitPort !== null) args.push('--git-port', String(settings.gitPort));
  return args;
}
