// Naming rules for accounts and repositories, shared by the services (validation) and the git
// path resolver (defence in depth). Patterns follow Gitea's.

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

export function ownerNameProblem(name: string): string | null {
  if (!OWNER_NAME_RE.test(name)) {
    return 'must be 1-40 letters, digits, and single dashes, underscores or dots between them';
  }
  if (RESERVED_OWNER_NAMES.has(name.toLowerCase())) return `"${name}" is reserved`;
  return null;
}

export function repoNameProblem(name: string): string | null {
  if (!REPO_NAME_RE.test(name)) {
    return "must be 1-100 letters, digits, '.', '_' or '-', and may not start with '-' or '.'";
  }
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
