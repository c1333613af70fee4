// The SSH command shell (`ssh git@host <command>`), in the spirit of gitolite and the seed's
// restricted shell: manage repositories and keys without a browser. Every command goes
// through the same services and access check as the web and the API; output is plain text
// for people, or JSON with --json.
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import type { Actor } from '../access/index.js';
import { runGit, userArg } from '../git/command.js';
import type { UserRow } from '../db/schema.js';
import { AppError, isAppError } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import { USER_TYPE } from '../users/index.js';
import type { Services } from '../services.js';
import { parseRepoPath } from './command-line.js';
import { lanAddresses } from '../lib/net.js';

export interface ShellContext {
  actor: Actor;
  user: UserRow;
  ip: string;
  sshPort: number | null;
}

export interface ShellIO {
  out(text: string): void;
  err(text: string): void;
  /** Everything the client sends on stdin until EOF (at most `maxBytes`); '' when there is no input. */
  input?(maxBytes: number): Promise<string>;
}

/** A public key line is a few hundred bytes (RSA 16384: about 2.8 KB); stdin beyond this is not a key. */
const MAX_KEY_INPUT = 16 * 1024;
const KEYS_USAGE = 'keys list | keys add [--title T] [key] | keys remove <id>';

class Usage extends Error {}

interface Command {
  usage: string;
  summary: string;
  /** Hidden from help for users who could never run it. */
  visible?: (ctx: ShellContext) => boolean;
  /**
   * Whether this invocation (its arguments after the command name) would change anything.
   * Such invocations are refused while maintenance mode is on, exactly like API writes.
   */
  writes?: (args: string[]) => boolean;
  run(s: Services, ctx: ShellContext, args: string[], io: Output): Promise<void>;
}

class Output {
  constructor(
    private readonly io: ShellIO,
    readonly json: boolean,
  ) {}
  input(maxBytes: number): Promise<string> {
    return this.io.input ? this.io.input(maxBytes) : Promise.resolve('');
  }
  /** Prints a result: text for people, the value as JSON with --json. */
  result(text: string, value: unknown): void {
    this.io.out(this.json ? `${JSON.stringify(value, null, 2)}\n` : text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  note(text: string): void {
    this.io.err(`${text}\n`);
  }
}

const MAX_PATTERN = 100;

/**
 * Filters names by a user's regular expression. JavaScript regexps backtrack, and a pattern
 * like ((a+))+$ can take minutes on a short name; no syntax check catches every such pattern.
 * So the whole match runs in a separate V8 context with a time budget, and a pattern that
 * needs longer is refused instead of stalling the server.
 */
export function filterByPattern(pattern: string, names: string[], budgetMs = 250): boolean[] {
  if (pattern.length > MAX_PATTERN) throw new Usage(`pattern is longer than ${MAX_PATTERN} characters`);
  const slow = 'pattern is too slow to evaluate (it backtracks too much); simplify it: avoid nested quantifiers like (a+)+, and backreferences';
  // the obvious shapes are refused up front; the time budget below catches the rest
  if (/\((?:[^()\\]|\\.)*(?:[+*?}]|\|)(?:[^()\\]|\\.)*\)\s*(?:[+*?]|\{\d)/.test(pattern) || /\\[1-9]|\\k</.test(pattern)) throw new Usage(slow);
  try {
    new RegExp(pattern, 'i');
  } catch (err) {
    throw new Usage(`invalid pattern: ${(err as Error).message}`);
  }
  const sandbox = vm.createContext({ pattern, names: names.map((n) => n.slice(0, 200)) });
  try {
    return vm.runInContext('const re = new RegExp(pattern, "i"); names.map((n) => re.test(n));', sandbox, { timeout: budgetMs }) as boolean[];
  } catch {
    throw new Usage(slow);
  }
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: [number, number]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new Usage((err as Error).message);
  }
  if (parsed.positionals.length < positionals[0] || parsed.positionals.length > positionals[1]) throw new Usage('wrong number of arguments');
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

function repoArg(raw: string): { owner: string; name: string } {
  const ref = parseRepoPath(raw);
  if (!ref) throw new AppError('not_found', `repository '${raw.slice(0, 200)}' not found`);
  return ref;
}

/** The host teammates use: the configured base URL's, else the address we listen on. */
export function publicHost(s: Services): string {
  const configured = s.settings.get('instance.publicUrl') || s.config.baseUrl;
  if (configured) return new URL(configured).hostname;
  if (s.config.host !== '0.0.0.0' && s.config.host !== '::') return s.config.host;
  return lanAddresses(s.config.host)[0] ?? 'localhost';
}

function cloneUrls(s: Services, ctx: ShellContext, rec: RepoRecord) {
  const full = `${rec.owner.name}/${rec.repo.name}`;
  const host = publicHost(s);
  const base = s.settings.get('instance.publicUrl') || s.config.baseUrl || `http://${host.includes(':') ? `[${host}]` : host}:${s.httpPort()}`;
  return { http: `${base}/${full}.git`, ssh: ctx.sshPort === 22 ? `git@${host}:${full}.git` : `ssh://git@${host}:${ctx.sshPort}/${full}.git` };
}

/** A user or an organization the caller can see; anything else reads as missing. */
async function visibleOwner(s: Services, ctx: ShellContext, name: string): Promise<UserRow> {
  const owner = await s.users.byName(name);
  if (!owner || (owner.type === USER_TYPE.organization && !(await s.orgs.canSee(ctx.actor, owner)))) {
    throw new AppError('not_found', `no user or organization named "${name.slice(0, 40)}"`);
  }
  return owner;
}

function repoSummary(s: Services, ctx: ShellContext, rec: RepoRecord, level: string) {
  return {
    full_name: `${rec.owner.name}/${rec.repo.name}`,
    description: rec.repo.description,
    visibility: rec.repo.visibility,
    default_branch: rec.repo.default_branch,
    empty: rec.repo.is_empty === 1,
    size: rec.repo.size,
    fork: rec.repo.fork_id !== null,
    permission: level,
    clone_url: cloneUrls(s, ctx, rec),
  };
}

const always = () => true;
/** Subcommands write unless they list: a new subcommand is refused during maintenance until it says otherwise. */
const allButListing = (args: string[]) => args[0] !== 'list';

const COMMANDS: Record<string, Command> = {
  help: {
    usage: 'help [command]',
    summary: 'list the commands you can run, or explain one',
    async run(_s, ctx, args, out) {
      const { positionals } = parse(args, {}, [0, 1]);
      if (positionals[0]) {
        const cmd = COMMANDS[positionals[0]];
        if (!cmd || (cmd.visible && !cmd.visible(ctx))) throw new Usage(`unknown command "${positionals[0]}"`);
        out.result(`usage: ${cmd.usage}\n  ${cmd.summary}\n`, { command: positionals[0], usage: cmd.usage, summary: cmd.summary });
        return;
      }
      const names = Object.keys(COMMANDS).filter((n) => !COMMANDS[n]!.visible || COMMANDS[n]!.visible!(ctx));
      const width = Math.max(...names.map((n) => COMMANDS[n]!.usage.length));
      const text = `Gitssy commands (add --json for machine-readable output):\n${names.map((n) => `  ${COMMANDS[n]!.usage.padEnd(width)}  ${COMMANDS[n]!.summary}`).join('\n')}\n`;
      out.result(
        text,
        names.map((n) => ({ command: n, usage: COMMANDS[n]!.usage, summary: COMMANDS[n]!.summary })),
      );
    },
  },

  whoami: {
    usage: 'whoami',
    summary: 'show who you are signed in as',
    async run(_s, ctx, args, out) {
      parse(args, {}, [0, 0]);
      const u = ctx.user;
      out.result(`${u.name}${u.full_name ? ` (${u.full_name})` : ''}${u.is_admin ? ', site administrator' : ''}`, {
        username: u.name,
        full_name: u.full_name,
        email: u.email,
        is_admin: u.is_admin === 1,
      });
    },
  },

  list: {
    usage: 'list [--mine | --writable] [--] [pattern]',
    summary: 'repositories you can read, filtered by a regular expression',
    async run(s, ctx, args, out) {
      const { values, positionals } = parse(args, { mine: { type: 'boolean' }, writable: { type: 'boolean' } }, [0, 1]);
      if (values.mine && values.writable) throw new Usage('use either --mine or --writable');
      const readable: RepoRecord[] = [];
      for (let page = 1; page <= 200; page++) {
        const { items } = await s.repos.search(ctx.actor, { page, limit: 50, ownerId: values.mine ? ctx.user.id : undefined });
        readable.push(...items);
        if (items.length < 50) break;
      }
      const keep = positionals[0]
        ? filterByPattern(
            positionals[0],
            readable.map((r) => `${r.owner.name}/${r.repo.name}`),
          )
        : readable.map(() => true);
      const rows: { name: string; visibility: string; level: string; description: string }[] = [];
      for (const [i, rec] of readable.entries()) {
        if (!keep[i]) continue;
        const level = await s.repos.level(ctx.actor, rec);
        if (values.writable && level !== 'write' && level !== 'admin') continue;
        rows.push({ name: `${rec.owner.name}/${rec.repo.name}`, visibility: rec.repo.visibility, level, description: rec.repo.description });
      }
      const width = Math.max(0, ...rows.map((r) => r.name.length));
      out.result(rows.map((r) => `${r.name.padEnd(width)}  ${r.visibility.padEnd(8)}  ${r.level.padEnd(5)}  ${r.description}`.trimEnd()).join('\n') + (rows.length ? '\n' : ''), rows);
    },
  },

  create: {
    usage: 'create <owner/name> [--private | --internal] [--description TEXT]',
    summary: 'create a repository',
    writes: always,
    async run(s, ctx, args, out) {
      const { values, positionals } = parse(args, { private: { type: 'boolean' }, internal: { type: 'boolean' }, description: { type: 'string' } }, [1, 1]);
      if (values.private && values.internal) throw new Usage('use either --private or --internal');
      const raw = positionals[0]!;
      const parts = raw.replace(/\.git$/i, '').split('/');
      const [ownerName, name] = parts.length === 1 ? [ctx.user.name, parts[0]!] : parts.length === 2 ? [parts[0]!, parts[1]!] : [null, null];
      if (!ownerName || !name) throw new Usage('name the repository as <owner>/<name>');
      const owner = await visibleOwner(s, ctx, ownerName);
      const rec = await s.repos.create(
        ctx.actor,
        owner,
        { name, description: values.description as string | undefined, visibility: values.private ? 'private' : values.internal ? 'internal' : 'public' },
        { ip: ctx.ip },
      );
      const urls = cloneUrls(s, ctx, rec);
      out.result(`created ${rec.owner.name}/${rec.repo.name} (${rec.repo.visibility})\n  git clone ${urls.ssh}\n`, repoSummary(s, ctx, rec, 'admin'));
    },
  },

  fork: {
    usage: 'fork <existing> <new>',
    summary: 'fork a repository you can read to <owner>/<name>',
    writes: always,
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [2, 2]);
      const from = repoArg(positionals[0]!);
      const source = await s.repos.resolve(ctx.actor, from.owner, from.name, 'read');
      const to = positionals[1]!.replace(/\.git$/i, '').split('/');
      if (to.length !== 2) throw new Usage('name the new repository as <owner>/<name>');
      const owner = await visibleOwner(s, ctx, to[0]!);
      const fork = await s.repos.fork(ctx.actor, source, { owner, name: to[1]! }, { ip: ctx.ip });
      out.result(`forked ${from.owner}/${from.name} to ${fork.owner.name}/${fork.repo.name}`, repoSummary(s, ctx, fork, 'admin'));
    },
  },

  rename: {
    usage: 'rename <existing> <new-name>',
    summary: 'rename a repository (remotes must change)',
    writes: always,
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [2, 2]);
      const from = repoArg(positionals[0]!);
      const rec = await s.repos.resolve(ctx.actor, from.owner, from.name, 'admin');
      const target = positionals[1]!.replace(/\.git$/i, '');
      const parts = target.split('/');
      if (parts.length === 2 && parts[0]!.toLowerCase() !== rec.owner.lower_name) throw new Usage('rename keeps the owner; give just the new name');
      const updated = await s.repos.update(ctx.actor, rec, { name: parts[parts.length - 1]! }, { ip: ctx.ip });
      const urls = cloneUrls(s, ctx, updated);
      out.note(`warning: clones must point at the new address: git remote set-url origin ${urls.ssh}`);
      out.result(`renamed ${from.owner}/${rec.repo.name} to ${updated.owner.name}/${updated.repo.name}`, repoSummary(s, ctx, updated, 'admin'));
    },
  },

  delete: {
    usage: 'delete <repo> --yes <repo>',
    summary: 'delete a repository (type its name twice)',
    writes: always,
    async run(s, ctx, args, out) {
      const { values, positionals } = parse(args, { yes: { type: 'string' } }, [1, 1]);
      const ref = repoArg(positionals[0]!);
      if (
        !values.yes ||
        (values.yes as string)
          .replace(/\.git$/i, '')
          .replace(/^\/+/, '')
          .toLowerCase() !== `${ref.owner}/${ref.name}`.toLowerCase()
      ) {
        throw new Usage(`to delete, confirm with: delete ${ref.owner}/${ref.name} --yes ${ref.owner}/${ref.name}`);
      }
      const rec = await s.repos.resolve(ctx.actor, ref.owner, ref.name, 'admin');
      await s.repos.delete(ctx.actor, rec, { ip: ctx.ip });
      out.result(`deleted ${rec.owner.name}/${rec.repo.name}`, { deleted: `${rec.owner.name}/${rec.repo.name}` });
    },
  },

  show: {
    usage: 'show <repo>',
    summary: 'description, visibility, default branch, size and clone URLs',
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [1, 1]);
      const ref = repoArg(positionals[0]!);
      const rec = await s.repos.resolve(ctx.actor, ref.owner, ref.name, 'read');
      const info = repoSummary(s, ctx, rec, rec.level);
      out.result(
        [
          `${info.full_name}${info.fork ? ' (fork)' : ''}`,
          info.description ? `  ${info.description}` : null,
          `  visibility:     ${info.visibility}`,
          `  default branch: ${info.default_branch}${info.empty ? ' (empty repository)' : ''}`,
          `  size:           ${(info.size / 1024).toFixed(0)} KiB`,
          `  your access:    ${info.permission}`,
          `  clone (ssh):    ${info.clone_url.ssh}`,
          `  clone (http):   ${info.clone_url.http}`,
        ]
          .filter((l) => l !== null)
          .join('\n'),
        info,
      );
    },
  },

  ls: {
    usage: 'ls <repo> [ref] [path]',
    summary: 'list a folder of a repository without cloning it',
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [1, 3]);
      const ref = repoArg(positionals[0]!);
      const rec = await s.repos.resolve(ctx.actor, ref.owner, ref.name, 'read');
      const rev = positionals[1] ?? rec.repo.default_branch;
      const dir = (positionals[2] ?? '').replace(/^\/+|\/+$/g, '');
      const treeish = dir ? `${rev}:${dir}` : `${rev}:`;
      let stdout: Buffer;
      try {
        ({ stdout } = await runGit(s.git, ['--git-dir', s.store.dir({ owner: rec.owner.name, name: rec.repo.name }), 'ls-tree', '-z', '--long', '--end-of-options', userArg(treeish)], {
          maxOutputBytes: 8 * 1024 * 1024,
        }));
      } catch {
        throw new AppError('not_found', `no folder "${dir || '/'}" at "${rev}"`);
      }
      const entries = stdout
        .toString()
        .split('\0')
        .filter(Boolean)
        .map((line) => {
          const [meta, name] = line.split('\t') as [string, string];
          const [mode, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
          return { name, type, mode, sha, size: size === '-' ? null : Number(size) };
        });
      out.result(
        entries.map((e) => `${e.type === 'tree' ? 'dir ' : e.type === 'commit' ? 'sub ' : 'file'}  ${String(e.size ?? '').padStart(9)}  ${e.name}${e.type === 'tree' ? '/' : ''}`).join('\n') +
          (entries.length ? '\n' : ''),
        entries,
      );
    },
  },

  cat: {
    usage: 'cat <repo> <ref> <path>',
    summary: 'print a file of a repository without cloning it',
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [3, 3]);
      const ref = repoArg(positionals[0]!);
      const rec = await s.repos.resolve(ctx.actor, ref.owner, ref.name, 'read');
      const file = positionals[2]!.replace(/^\/+/, '');
      const gitDir = s.store.dir({ owner: rec.owner.name, name: rec.repo.name });
      const spec = userArg(`${positionals[1]}:${file}`);
      let type: string;
      let size: number;
      try {
        const { stdout } = await runGit(s.git, ['--git-dir', gitDir, 'cat-file', '--batch-check'], { input: `${spec.value}\n` });
        [, type, size] = stdout
          .toString()
          .trim()
          .split(' ')
          .map((v, i) => (i === 2 ? Number(v) : v)) as [string, string, number];
      } catch {
        throw new AppError('not_found', `no file "${file}" at "${positionals[1]}"`);
      }
      if (type !== 'blob') throw new AppError('not_found', `no file "${file}" at "${positionals[1]}"`);
      if (size > 4 * 1024 * 1024) throw new AppError('too_large', `file is ${size} bytes; cat prints files up to 4 MiB (clone for bigger ones)`);
      const { stdout } = await runGit(s.git, ['--git-dir', gitDir, 'cat-file', 'blob', spec], { maxOutputBytes: 4 * 1024 * 1024 + 1 });
      if (out.json) out.result('', { path: file, size, content_base64: stdout.toString('base64') });
      else out.result(stdout.toString('utf8'), null);
    },
  },

  config: {
    usage: 'config <repo> description|visibility|default-branch <value>',
    summary: "change a repository's description, visibility (public, internal, private) or default branch",
    writes: always,
    async run(s, ctx, args, out) {
      const { positionals } = parse(args, {}, [3, 3]);
      const ref = repoArg(positionals[0]!);
      const rec = await s.repos.resolve(ctx.actor, ref.owner, ref.name, 'admin');
      const [, key, value] = positionals as [string, string, string];
      const patch =
        key === 'description'
          ? { description: value }
          : key === 'visibility'
            ? (() => {
                if (value !== 'public' && value !== 'internal' && value !== 'private') throw new Usage('visibility is public, internal or private');
                return { visibility: value as 'public' | 'internal' | 'private' };
              })()
            : key === 'default-branch'
              ? { defaultBranch: value }
              : (() => {
                  throw new Usage('config keys: description, visibility, default-branch');
                })();
      const updated = await s.repos.update(ctx.actor, rec, patch, { ip: ctx.ip });
      out.result(`${updated.owner.name}/${updated.repo.name}: ${key} = ${value}`, repoSummary(s, ctx, updated, 'admin'));
    },
  },

  keys: {
    usage: KEYS_USAGE,
    summary: 'manage your SSH keys; keys add without a key reads it from stdin (keys add < key.pub)',
    writes: allButListing,
    async run(s, ctx, args, out) {
      const [sub, ...rest] = args;
      if (sub === 'list') {
        parse(rest, {}, [0, 0]);
        const keys = await s.keys.list(ctx.user.id);
        out.result(
          keys.map((k) => `${String(k.id).padStart(4)}  ${k.fingerprint}  ${k.key_type}  ${k.name}`).join('\n') + (keys.length ? '\n' : ''),
          keys.map((k) => ({ id: k.id, title: k.name, fingerprint: k.fingerprint, type: k.key_type })),
        );
      } else if (sub === 'add') {
        // ssh joins its arguments with spaces, so `keys add "$(cat key.pub)"` arrives as the
        // key's words: they are put back together; with no words the key is read from stdin
        const { values, positionals } = parse(rest, { title: { type: 'string' } }, [0, Infinity]);
        const line = positionals.length ? positionals.join(' ') : await readKeyFromStdin(out);
        const key = await s.keys.add(ctx.user.id, (values.title as string | undefined) ?? '', line, { actorId: ctx.user.id, ip: ctx.ip });
        out.result(`added key ${key.id} ${key.fingerprint}`, { id: key.id, title: key.name, fingerprint: key.fingerprint });
      } else if (sub === 'remove') {
        const { positionals } = parse(rest, {}, [1, 1]);
        if (!/^\d+$/.test(positionals[0]!)) throw new Usage('give the key id shown by "keys list"');
        await s.keys.remove(ctx.user.id, Number(positionals[0]), { actorId: ctx.user.id, ip: ctx.ip });
        out.result(`removed key ${positionals[0]}`, { removed: Number(positionals[0]) });
      } else throw new Usage(KEYS_USAGE);
    },
  },

  token: {
    usage: 'token create [--name N] [--scopes read:repository,...]',
    summary: 'create a personal access token (printed once)',
    writes: allButListing,
    async run(s, ctx, args, out) {
      const [sub, ...rest] = args;
      if (sub !== 'create') throw new Usage('token create [--name N] [--scopes read:repository,...]');
      const { values } = parse(rest, { name: { type: 'string' }, scopes: { type: 'string' } }, [0, 0]);
      const name = (values.name as string | undefined) ?? `ssh-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
      const { token, record } = await s.users.createToken(ctx.user.id, name, (values.scopes as string | undefined) ?? 'all', { ip: ctx.ip });
      out.result(`created token "${record.name}" with scopes ${record.scopes.join(',')}\n${token}\n`, { name: record.name, scopes: record.scopes, token });
    },
  },
};

/** `ssh host keys add < key.pub`: one key line from stdin (blank lines and # comments skipped). */
async function readKeyFromStdin(out: Output): Promise<string> {
  const text = await out.input(MAX_KEY_INPUT + 1);
  if (text.length > MAX_KEY_INPUT) throw new Usage(`stdin is longer than ${MAX_KEY_INPUT / 1024} KiB; send one public key (the .pub file)`);
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new Usage('no key given: put it on the line, or send it on stdin (ssh … keys add < ~/.ssh/id_ed25519.pub)');
  if (lines.length > 1) throw new Usage('stdin holds more than one key; add them one at a time');
  return lines[0]!;
}

/** Runs one shell command; returns the exit status. */
export async function runShellCommand(s: Services, ctx: ShellContext, words: string[], io: ShellIO): Promise<number> {
  const json = words.includes('--json');
  const args = words.filter((w) => w !== '--json');
  const name = args[0] ?? 'help';
  const cmd = COMMANDS[name];
  if (!cmd || (cmd.visible && !cmd.visible(ctx))) {
    io.err(`Gitssy: unknown command "${name.slice(0, 100)}"; run "help" to see the commands\n`);
    return 2;
  }
  try {
    // maintenance mode pauses every change on every transport; reads keep working
    if (cmd.writes?.(args.slice(1))) await s.maintenance.assertWritable(ctx.user);
    await cmd.run(s, ctx, args.slice(1), new Output(io, json));
    return 0;
  } catch (err) {
    if (err instanceof Usage) {
      io.err(`Gitssy: ${err.message}\nusage: ${cmd.usage}\n`);
      return 2;
    }
    if (isAppError(err)) {
      // a repository the user can't read is reported like a missing one
      const message = err.code === 'unauthorized' ? 'not found' : err.message;
      io.err(`Gitssy: ${message}\n`);
      return 1;
    }
    throw err;
  }
}
