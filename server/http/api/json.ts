// The API's JSON shapes, field for field as Gitea returns them, so Gitea and GitHub-style
// clients and scripts work unchanged.
import type { Request } from 'express';
import type { AccessLevel } from '../../access/index.js';
import { LEVEL_ORDER } from '../../access/index.js';
import type { RepoRow, UserRow } from '../../db/schema.js';
import type { RepoRecord } from '../../repos/index.js';
import type { Services } from '../../services.js';
import type { TokenRecord } from '../../users/index.js';

const iso = (ms: number | null) => new Date(ms ?? 0).toISOString();

/** Where clients reach us: the configured base URL, else what this request was sent to. */
export function baseUrl(s: Services, req: Request): string {
  // the console's public address first, then GITSSY_BASE_URL
  const configured = s.settings.get('instance.publicUrl') || s.config.baseUrl;
  if (configured) return configured;
  return `${req.protocol}://${req.get('host') ?? `localhost:${s.config.httpPort}`}`;
}

export function sshUrl(s: Services, req: Request, path: string): string {
  const port = s.sshPort();
  if (port === null) return '';
  const host = new URL(baseUrl(s, req)).hostname;
  const h = host.includes(':') ? `[${host}]` : host;
  return port === 22 ? `git@${h}:${path}` : `ssh://git@${h}:${port}/${path}`;
}

export function userJson(s: Services, req: Request, u: UserRow, opts: { full?: boolean } = {}) {
  const viewer = req.user;
  const seePrivate = opts.full || (viewer && (viewer.id === u.id || viewer.is_admin === 1));
  const base = baseUrl(s, req);
  return {
    id: u.id,
    login: u.name,
    login_name: '',
    source_id: 0,
    full_name: u.full_name,
    email: seePrivate ? u.email : '',
    avatar_url: `${base}/avatars/${encodeURIComponent(u.lower_name)}`,
    html_url: `${base}/${u.name}`,
    language: '',
    is_admin: u.is_admin === 1,
    last_login: iso(seePrivate ? u.last_login_at : null),
    created: iso(u.created_at),
    restricted: false,
    active: u.is_active === 1,
    prohibit_login: u.prohibit_login === 1,
    /** Gitea's field: the user must choose a new password before using the account (the user and admins see it) */
    must_change_password: seePrivate ? u.must_change_password === 1 : false,
    location: u.location,
    website: u.website,
    description: u.description,
    visibility: u.visibility,
    /** Gitssy: shown on the profile */
    pronouns: u.pronouns,
    followers_count: u.num_followers,
    following_count: u.num_following,
    starred_repos_count: 0,
    username: u.name,
    /** Gitssy (GitHub's field): tells a user from an organization */
    type: u.type === 1 ? 'Organization' : 'User',
  };
}

export function orgJson(s: Services, req: Request, o: UserRow) {
  const base = baseUrl(s, req);
  return {
    id: o.id,
    name: o.name,
    username: o.name,
    full_name: o.full_name,
    email: '',
    avatar_url: `${base}/avatars/${encodeURIComponent(o.lower_name)}`,
    description: o.description,
    website: o.website,
    location: '',
    visibility: o.visibility,
    repo_admin_change_team_access: false,
    public_writable: o.public_writable === 1,
  };
}

export function permissionsJson(level: AccessLevel) {
  return { admin: level === 'admin', push: LEVEL_ORDER[level] >= LEVEL_ORDER.write, pull: LEVEL_ORDER[level] >= LEVEL_ORDER.read };
}

export function repoJson(
  s: Services,
  req: Request,
  rec: RepoRecord,
  level: AccessLevel,
  parent?: { rec: RepoRecord; level: AccessLevel } | null,
  counts: { issues: number; pulls: number } = { issues: 0, pulls: 0 },
): Record<string, unknown> {
  const { repo, owner } = rec;
  const base = baseUrl(s, req);
  const full = `${owner.name}/${repo.name}`;
  return {
    id: repo.id,
    owner: userJson(s, req, owner),
    name: repo.name,
    full_name: full,
    description: repo.description,
    empty: repo.is_empty === 1,
    private: repo.visibility === 'private',
    internal: repo.visibility === 'internal',
    fork: repo.fork_id !== null,
    template: false,
    parent: parent ? repoJson(s, req, parent.rec, parent.level) : null,
    mirror: false,
    size: Math.round(repo.size / 1024),
    language: '',
    languages_url: `${base}/api/v1/repos/${full}/languages`,
    html_url: `${base}/${full}`,
    url: `${base}/api/v1/repos/${full}`,
    link: '',
    ssh_url: sshUrl(s, req, `${full}.git`),
    clone_url: `${base}/${full}.git`,
    original_url: '',
    website: repo.website,
    stars_count: repo.num_stars,
    forks_count: repo.num_forks,
    watchers_count: repo.num_watches,
    open_issues_count: counts.issues,
    open_pr_counter: counts.pulls,
    release_counter: 0,
    default_branch: repo.default_branch,
    archived: false,
    created_at: iso(repo.created_at),
    updated_at: iso(repo.updated_at),
    permissions: permissionsJson(level),
    has_issues: false,
    has_wiki: true,
    has_pull_requests: false,
    has_projects: false,
    has_releases: false,
    object_format_name: 'sha1',
    visibility: repo.visibility,
  };
}

export function tokenJson(t: TokenRecord, secret?: string) {
  return {
    id: t.id,
    name: t.name,
    ...(secret ? { sha1: secret } : {}),
    token_last_eight: t.tokenLastEight,
    scopes: t.scopes,
    created_at: iso(t.createdAt),
    last_used_at: t.lastUsedAt ? iso(t.lastUsedAt) : null,
  };
}

export type { RepoRow };
