// Naming rules for accounts, repositories, branches and wiki pages, shared by the services
// (validation) and the git path resolver (defence in depth). Patterns follow Gitea's. Every name
// that becomes a file or folder must also be one Windows can store: the desktop app runs there,
// and a backup made on Linux must restore there.

/** Letters, digits and single '-', '_' or '.' between them; 1-40 characters. */
export const OWNER_NAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9]|[-_.](?=[A-Za-z0-9])){0,39}$/;

/** Letters, digits, '.', '_', '-'; not starting with '-' or '.'; 1-100 characters. */
export const REPO_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Names that would collide with our own top-level routes or are otherwise confusing. */
export const RESERVED_OWNER_NAMES = new Set([
  '-',
  '.',
  '..',
  'admin',
  'api',
  'assets',
  'attachments',
  'avatar',
  'avatars',
  'captcha',
  'commits',
  'console',
  'debug',
  'error',
  'explore',
  'favicon.ico',
  'ghost',
  'help',
  'install',
  'issues',
  'less',
  'login',
  'manifest.json',
  'metrics',
  'milestones',
  'new',
  'notifications',
  'org',
  'pulls',
  'raw',
  'repo',
  'repo-avatars',
  'robots.txt',
  'search',
  'serviceworker.js',
  'setup',
  'ssh_info',
  'static',
  'swagger.v1.json',
  'user',
  'users',
  'v2',
  'gitea-actions',
  'ping',
  'healthz',
  'u',
  'g',
  'src',
  'socket.io',
  'sitemap.xml',
  'stars',
  'settings',
  'git',
  'gitssy',
  'internal',
]);

export const RESERVED_REPO_NAMES = new Set(['.', '..', '-', 'api', 'admin', 'assets', 'raw', 'explore', 'settings', 'info', 'objects', 'refs', 'hooks']);

/** Suffixes a repository name may not end in: they are ours in URLs and on disk. */
const RESERVED_REPO_SUFFIX_RE = /\.(git|wiki|rss|atom)$/i;

// ---- Windows ---------------------------------------------------------------------------------

/** Device names: a file called one of these, with any extension (`con.txt`), opens the device. */
const WINDOWS_DEVICE_RE = /^(?:CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])$/i;
// eslint-disable-next-line no-control-regex
const WINDOWS_FORBIDDEN_RE = /[<>:"\\|?*\x00-\x1f]/;

const quote = (s: string) => JSON.stringify(s);

/** The first character Windows forbids in a file name, as the rule that forbids it, or null. */
function windowsCharRule(name: string): string | null {
  const bad = WINDOWS_FORBIDDEN_RE.exec(name)?.[0];
  if (bad === undefined) return null;
  return bad < ' ' ? 'may not contain control characters (Windows forbids them in file names)' : `may not contain '${bad}' (Windows forbids it in file names)`;
}

/** Why one file or folder name could not exist on Windows, as a rule ("is reserved on Windows …"), or null. */
function windowsRule(part: string): string | null {
  const chars = windowsCharRule(part);
  if (chars) return chars;
  // Windows ignores the extension and trailing spaces when it looks for a device: `Aux .git`
  const device = (part.split('.')[0] ?? '').replace(/ +$/, '');
  if (WINDOWS_DEVICE_RE.test(device)) return `is reserved on Windows (device name ${device.toUpperCase()})`;
  if (part !== '.' && part !== '..' && /[. ]$/.test(part)) return 'may not end with a dot or a space (Windows drops them from file names)';
  return null;
}

/**
 * Why `name`, used as one file or folder name, could not exist on Windows — a device name
 * (CON, PRN, AUX, NUL, COM0-9, LPT0-9, with or without an extension), a trailing dot or space,
 * or a character Windows forbids (`< > : " \ | ? *`, control characters) — or null.
 */
export function windowsNameProblem(name: string): string | null {
  const rule = windowsRule(name);
  return rule ? `${quote(name)} ${rule}` : null;
}

/**
 * The same for a `/`-separated path (a branch under refs/heads/, a file in a backup): the
 * problem of its first part that could not exist on Windows, naming that part, or null.
 */
export function windowsPathProblem(name: string): string | null {
  for (const part of name.split('/')) {
    const rule = windowsRule(part);
    if (rule) return part === name ? `${quote(name)} ${rule}` : `${quote(name)}: ${quote(part)} ${rule}`;
  }
  return null;
}

// ---- owners and repositories -------------------------------------------------------------------

export function ownerNameProblem(name: string): string | null {
  const chars = windowsCharRule(name);
  if (chars) return `${quote(name)} ${chars}`;
  if (!OWNER_NAME_RE.test(name)) {
    return 'must be 1-40 letters, digits, and single dashes, underscores or dots between them';
  }
  if (RESERVED_OWNER_NAMES.has(name.toLowerCase())) return `"${name}" is reserved`;
  return windowsNameProblem(name);
}

export function repoNameProblem(name: string): string | null {
  const chars = windowsCharRule(name);
  if (chars) return `${quote(name)} ${chars}`;
  if (!REPO_NAME_RE.test(name)) {
    return "must be 1-100 letters, digits, '.', '_' or '-', and may not start with '-' or '.'";
  }
  // before the suffix rule, so `Aux.git` is told what is really wrong with it
  const windows = windowsNameProblem(name);
  if (windows) return windows;
  if (RESERVED_REPO_SUFFIX_RE.test(name)) return 'may not end in .git, .wiki, .rss or .atom';
  if (RESERVED_REPO_NAMES.has(name.toLowerCase())) return `"${name}" is reserved`;
  return null;
}

/** git check-ref-format's rules for a branch name, checked before git ever sees it. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 255) return 'must be 1-255 characters';
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.') || name.endsWith('.lock')) {
    return "may not start with '-' or '/', or end with '/', '.' or '.lock'";
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|\/\./.test(name) || name === '@') {
    return 'is not a valid git branch name';
  }
  return null;
}

/**
 * Why a name can't be a new branch created through the server, or null: git's rules, no part
 * starting with '-' or '.', not HEAD or refs/…, and every part a file name Windows can store
 * (a loose ref is the file refs/heads/<name>). Existing branches are only held to git's rules,
 * so ones made before this rule stay readable and deletable.
 */
export function newBranchNameProblem(name: string): string | null {
  const problem = branchNameProblem(name);
  if (problem) return problem;
  if (name.split('/').some((c) => c.startsWith('-') || c.startsWith('.'))) return "may not have components starting with '-' or '.'";
  if (name === 'HEAD' || name.startsWith('refs/')) return 'is reserved';
  return windowsPathProblem(name);
}

// ---- wiki pages --------------------------------------------------------------------------------

/** Names the wiki's own web routes use (Gitea reserves the same idea: `_pages`, `_new`, `_edit`). */
const RESERVED_WIKI_PAGES = new Set(['_pages', '_new', '_edit', '_search', '_history', '_compare']);

/**
 * Why a wiki page name can't be a page, or null. A page is one file `<name>.md` at the root of
 * the wiki repository (Gitea's wikis are flat too), so the name is one file name: no `/`, no
 * leading dot (a hidden file, or `..`), and one Windows can store.
 */
export function wikiPageNameProblem(name: string): string | null {
  if (name.trim().length === 0 || name.length > 200) return 'must be 1-200 characters';
  if (name !== name.trim()) return 'may not start or end with a space';
  if (name.includes('/')) return "may not contain '/' (wiki pages are one flat folder)";
  if (name.startsWith('.')) return "may not start with '.'";
  if (RESERVED_WIKI_PAGES.has(name.toLowerCase())) return `"${name}" is reserved for the wiki's own pages`;
  return windowsNameProblem(name);
}
