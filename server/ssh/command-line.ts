// Parsing what an SSH client asks to run. Arguments follow shell quoting rules, but nothing is
// ever run through a shell: operators, redirections and substitutions are refused outright.
import { parse } from 'shell-quote';
import { OWNER_NAME_RE, REPO_NAME_RE } from '../lib/names.js';

export const MAX_COMMAND_LENGTH = 4096;
export type GitSshService = 'upload-pack' | 'receive-pack' | 'upload-archive';

export class CommandLineError extends Error {}

/** Splits a command line into words; throws for anything a shell would interpret. */
export function splitCommandLine(line: string): string[] {
  if (line.length > MAX_COMMAND_LENGTH) throw new CommandLineError(`command is longer than ${MAX_COMMAND_LENGTH} characters`);
  if (/[\0\r\n]/.test(line)) throw new CommandLineError('command may not contain control characters');
  // variables stay literal text: there is no environment to expand them from
  const tokens = parse(line, (name) => `$${name}`);
  return tokens.map((t) => {
    if (typeof t === 'string') return t;
    if ('pattern' in t) return t.pattern; // no globbing either: a pattern is just its text
    if ('comment' in t) throw new CommandLineError('comments are not allowed in commands');
    throw new CommandLineError(`shell operator "${(t as { op: string }).op}" is not allowed; Gitssy runs no shell`);
  });
}

export interface RepoPathRef {
  owner: string;
  name: string;
}

/**
 * `owner/repo`, `/owner/repo`, with or without `.git`, and the seed shell's aliases
 * `u/<user>/<repo>` and `g/<org>/<repo>`. Null for anything else.
 */
export function parseRepoPath(raw: string): RepoPathRef | null {
  let p = raw.replace(/^\/+/, '');
  if (p.length > 200) return null;
  const parts = p.split('/');
  if (parts.length === 3 && (parts[0] === 'u' || parts[0] === 'g')) parts.shift();
  if (parts.length !== 2) return null;
  const owner = parts[0]!;
  let name = parts[1]!;
  if (name.toLowerCase().endsWith('.git')) name = name.slice(0, -4);
  p = `${owner}/${name}`;
  if (!OWNER_NAME_RE.test(owner) || !REPO_NAME_RE.test(name) || /\.git$/i.test(name)) return null;
  return { owner, name };
}

/**
 * A path a git client names: a repository as parseRepoPath reads it, or its wiki,
 * `<owner>/<repo>.wiki[.git]` (repository names never end in .wiki). The shell's own commands
 * use parseRepoPath, so they never take a wiki for its repository.
 */
export function parseGitRepoPath(raw: string): (RepoPathRef & { wiki: boolean }) | null {
  const m = /^(.*?)\.wiki(?:\.git)?$/i.exec(raw);
  const ref = parseRepoPath(m ? m[1]! : raw);
  return ref ? { ...ref, wiki: m !== null } : null;
}

/** `git-upload-pack '<path>'` and friends (also `git upload-pack`): exactly one path argument. */
export function parseGitCommand(words: string[]): { service: GitSshService; path: string } | null {
  let rest = words;
  let verb = rest[0];
  if (verb === 'git' && rest.length >= 2) {
    verb = `git-${rest[1]}`;
    rest = rest.slice(1);
  }
  const service = verb === 'git-upload-pack' ? 'upload-pack' : verb === 'git-receive-pack' ? 'receive-pack' : verb === 'git-upload-archive' ? 'upload-archive' : null;
  if (!service) return null;
  if (rest.length !== 2) throw new CommandLineError(`usage: git-${service} '<owner>/<repo>.git'`);
  return { service, path: rest[1]! };
}
