// What a profile shows besides the account's own fields: the avatar (the server's re-encoding of
// an upload, or a pattern drawn from the name), the links its owner lists (http and https only)
// and the repositories they pinned (up to six, in their order; each shown only to viewers who
// may read it).
import type { Actor } from '../access/index.js';
import type { UserRow } from '../db/schema.js';
import { Invalid } from '../lib/errors.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import { identicon, reencode } from './images.js';

export const AVATAR_SIZE = 256;
export const LINKS_MAX = 5;
export const LINK_MAX_LENGTH = 500;
export const PINS_MAX = 6;
/** Drawn default avatars kept (a few kilobytes each). */
const IDENTICONS_KEPT = 2000;

export interface AvatarImage {
  body: Buffer;
  type: 'image/webp' | 'image/png';
  etag: string;
}

/** `raw` as a link a profile may show: an absolute http(s) URL, or a 422 saying why not. */
export function profileLink(raw: string): string {
  const text = raw.trim();
  if (text.length > LINK_MAX_LENGTH) throw Invalid(`links: at most ${LINK_MAX_LENGTH} characters each`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw Invalid(`links: "${text.slice(0, 60)}" is not a URL (write it with https://)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw Invalid(`links: only http and https links (not ${url.protocol})`);
  if (url.username || url.password) throw Invalid('links: no user name or password in a link');
  return url.href;
}

export class ProfileService {
  private readonly drawn = new Map<string, Buffer>();

  constructor(private readonly s: Services) {}

  /** Replaces `user`'s avatar with `bytes` re-encoded (a 422 for anything that isn't an acceptable image). */
  async setAvatar(user: UserRow, bytes: Buffer): Promise<void> {
    const img = await reencode(bytes, { square: AVATAR_SIZE }, 'image');
    const now = Date.now();
    await this.s.db
      .insertInto('user_avatars')
      .values({ user_id: user.id, image: img.data, updated_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ image: img.data, updated_at: now }))
      .execute();
  }

  /** Back to the drawn one. */
  async deleteAvatar(user: UserRow): Promise<void> {
    await this.s.db.deleteFrom('user_avatars').where('user_id', '=', user.id).execute();
  }

  /** The avatar of the account named `name`; for a name nobody has, the drawn one (so avatars don't tell who exists). */
  async avatar(name: string): Promise<AvatarImage> {
    const lower = name.toLowerCase();
    const row = await this.s.db.selectFrom('users as u').innerJoin('user_avatars as a', 'a.user_id', 'u.id').select(['a.image', 'a.updated_at']).where('u.lower_name', '=', lower).executeTakeFirst();
    if (row) return { body: Buffer.from(row.image), type: 'image/webp', etag: `"a${Number(row.updated_at).toString(36)}"` };
    let body = this.drawn.get(lower);
    if (!body) {
      body = await identicon(lower);
      if (this.drawn.size >= IDENTICONS_KEPT) this.drawn.delete(this.drawn.keys().next().value!);
      this.drawn.set(lower, body);
    }
    return { body, type: 'image/png', etag: `"d1"` };
  }

  async links(userId: number): Promise<string[]> {
    const rows = await this.s.db.selectFrom('profile_links').select('url').where('user_id', '=', userId).orderBy('position').execute();
    return rows.map((r) => r.url);
  }

  /** Replaces `user`'s links (in this order; the same link twice is kept once). */
  async setLinks(user: UserRow, raw: readonly string[]): Promise<string[]> {
    const urls = [...new Set(raw.filter((r) => r.trim() !== '').map(profileLink))];
    if (urls.length > LINKS_MAX) throw Invalid(`links: at most ${LINKS_MAX}`);
    await this.s.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('profile_links').where('user_id', '=', user.id).execute();
      if (urls.length)
        await trx
          .insertInto('profile_links')
          .values(urls.map((url, position) => ({ user_id: user.id, position, url })))
          .execute();
    });
    return urls;
  }

  /** `userId`'s pinned repositories that `viewer` may read, in their owner's order. */
  async pinned(viewer: Actor, userId: number): Promise<RepoRecord[]> {
    const rows = await this.s.db.selectFrom('pinned_repos').select('repo_id').where('user_id', '=', userId).orderBy('position').execute();
    const out: RepoRecord[] = [];
    for (const r of rows) {
      const rec = await this.s.repos.byId(r.repo_id);
      if (rec && (await this.s.repos.level(viewer, rec)) !== 'none') out.push(rec);
    }
    return out;
  }

  /** Replaces `user`'s pins with `names` (`owner/name`, each a repository `actor` may read), in this order. */
  async setPinned(user: UserRow, actor: Actor, names: readonly string[]): Promise<RepoRecord[]> {
    const wanted = [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))];
    if (wanted.length > PINS_MAX) throw Invalid(`repos: at most ${PINS_MAX} pinned repositories`);
    const recs: RepoRecord[] = [];
    for (const full of wanted) {
      const [owner, name, ...rest] = full.split('/');
      const rec = owner && name && rest.length === 0 ? await this.s.repos.find(owner, name) : undefined;
      if (!rec || (await this.s.repos.level(actor, rec)) === 'none') throw Invalid(`repos: no repository "${full}" that you can see`);
      recs.push(rec);
    }
    await this.s.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('pinned_repos').where('user_id', '=', user.id).execute();
      if (recs.length)
        await trx
          .insertInto('pinned_repos')
          .values(recs.map((rec, position) => ({ user_id: user.id, repo_id: rec.repo.id, position })))
          .execute();
    });
    return recs;
  }
}
