// Gitea's CommitStatus and CombinedStatus shapes. URLs are made absolute with `base` ('' makes
// them site-relative, as in live events when no public URL is configured).
import type { UserRow } from '../db/schema.js';
import type { StatusRecord } from './schema.js';

/** What the JSON needs of the repository a status belongs to. */
export interface StatusRepo {
  id: number;
  name: string;
  owner: string;
}

const iso = (ms: number | null) => new Date(ms ?? 0).toISOString();

/**
 * Gitea's User, field for field as the rest of the API renders it (server/http/api/json.ts
 * userJson, which features can't reach through http's public index yet): the email and last
 * login only to the user themselves and site administrators.
 */
export function creatorJson(u: UserRow, base: string, viewer: UserRow | null) {
  const seePrivate = viewer !== null && (viewer.id === u.id || viewer.is_admin === 1);
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
    must_change_password: seePrivate ? u.must_change_password === 1 : false,
    location: '',
    website: u.website,
    description: u.description,
    visibility: u.visibility,
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: u.name,
    type: u.type === 1 ? 'Organization' : 'User',
  };
}

/** Gitea's CommitStatus; `url` is the commit's status list, as Gitea links it. */
export function statusJson(rec: StatusRecord, repo: StatusRepo, base: string, viewer: UserRow | null) {
  return {
    id: rec.id,
    state: rec.state,
    target_url: rec.target_url,
    description: rec.description,
    url: `${base}/api/v1/repos/${repo.owner}/${repo.name}/statuses/${rec.sha}`,
    context: rec.context,
    creator: rec.creator ? creatorJson(rec.creator, base, viewer) : null,
    created_at: iso(rec.created_at),
    updated_at: iso(rec.updated_at),
  };
}

export type CommitStatusJson = ReturnType<typeof statusJson>;
