// A profile's pictures, links and pins:
//   POST   /user/avatar {image: base64}            Gitea's: 204; re-encoded 256×256 WebP (422 not an image, too many pixels)
//   DELETE /user/avatar                            Gitea's: 204, back to the drawn default
//   GET    /users/{u}/profile                      Gitssy: {bio_html, links, pinned}: what the profile page shows besides the user
//   PUT    /user/profile/links {links}             Gitssy: your links (http/https, at most 5), in order
//   PUT    /user/profile/pinned {repos}            Gitssy: your pinned repositories ("owner/name", at most 6), in order
// and, outside the API, GET /avatars/{name}: the avatar image for anyone (a drawn one when none
// was uploaded, or when there is no such account).
import type { Request, Router } from 'express';
import { z } from 'zod';
import { renderRepo, requireUser, type ApiRouter } from '../http/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { USER_TYPE } from '../users/index.js';
import { IMAGE_MAX_BYTES } from './images.js';
import { LINK_MAX_LENGTH, LINKS_MAX, PINS_MAX, type ProfileService } from './profile.js';

const BASE64_MAX = Math.ceil(IMAGE_MAX_BYTES / 3) * 4 + 4;
const avatarBody = z.strictObject({ image: z.string().max(BASE64_MAX) });
const linksBody = z.strictObject({ links: z.array(z.string().max(LINK_MAX_LENGTH * 2)).max(LINKS_MAX * 2) });
const pinnedBody = z.strictObject({ repos: z.array(z.string().max(300)).max(PINS_MAX * 2) });

/** Base64 (standard or URL-safe, with or without a `data:image/…;base64,` prefix) to bytes, or a 422. */
export function base64Image(text: string, what: string): Buffer {
  const bare = text.replace(/^data:[\w/+.-]+;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(bare)) throw Invalid(`${what}: not base64`);
  return Buffer.from(bare, 'base64');
}

export function registerProfileRoutes(api: ApiRouter, s: Services, profiles: ProfileService): void {
  api.route(
    {
      method: 'post',
      path: '/user/avatar',
      tag: 'user',
      summary: 'Set your avatar: a PNG, JPEG, WebP or GIF (base64), cropped to a square and re-encoded by the server',
      auth: 'user',
      body: avatarBody,
      bodyLimit: BASE64_MAX + 1024,
      responses: { 204: 'set', 422: 'not an image we read, damaged, or too many pixels' },
    },
    async ({ req, body }) => {
      await profiles.setAvatar(requireUser(req), base64Image(body.image, 'image'));
    },
  );
  api.route({ method: 'delete', path: '/user/avatar', tag: 'user', summary: 'Remove your avatar (the drawn default shows again)', auth: 'user', responses: { 204: 'removed' } }, async ({ req }) => {
    await profiles.deleteAvatar(requireUser(req));
  });

  const profileJson = async (req: Request, userId: number, bio: string) => ({
    bio_html: bio ? ((await s.markup.markdown(bio, null)) ?? '') : '',
    links: await profiles.links(userId),
    pinned: await Promise.all((await profiles.pinned(req.actor, userId)).map((rec) => renderRepo(s, req, rec))),
  });

  api.route(
    {
      method: 'get',
      path: '/users/:username/profile',
      tag: 'user',
      summary: 'Gitssy: what a profile shows besides the user: the bio rendered, the links, and the pinned repositories the caller may see',
      responses: { 200: '{bio_html, links, pinned}', 404: 'no such user' },
    },
    async ({ req, params }) => {
      const u = await s.users.byName(params.username ?? '');
      if (!u || u.type !== USER_TYPE.individual) throw NotFound(`user "${params.username}" does not exist`);
      return { body: await profileJson(req, u.id, u.description) };
    },
  );
  api.route(
    {
      method: 'put',
      path: '/user/profile/links',
      tag: 'user',
      summary: `Gitssy: set the links your profile shows (absolute http or https URLs, at most ${LINKS_MAX}), in order`,
      auth: 'user',
      body: linksBody,
      responses: { 200: '{links}', 422: 'not an http(s) URL, or too many' },
    },
    async ({ req, body }) => ({ body: { links: await profiles.setLinks(requireUser(req), body.links) } }),
  );
  api.route(
    {
      method: 'put',
      path: '/user/profile/pinned',
      tag: 'user',
      summary: `Gitssy: pin repositories to your profile ("owner/name", at most ${PINS_MAX}), in order; each is shown to those who may read it`,
      auth: 'user',
      body: pinnedBody,
      responses: { 200: 'the pinned repositories', 422: 'no such repository you can see, or too many' },
    },
    async ({ req, body }) => {
      const recs = await profiles.setPinned(requireUser(req), req.actor, body.repos);
      return { body: await Promise.all(recs.map((rec) => renderRepo(s, req, rec))) };
    },
  );
}

/** GET /avatars/{name}: public, as Gitea's avatars are; revalidated by ETag, never sniffed. */
export function registerAvatarRoute(web: Router, profiles: ProfileService): void {
  web.get('/avatars/:name', async (req, res, next) => {
    try {
      const name = String(req.params.name ?? '');
      if (!/^[\w.-]{1,100}$/.test(name)) return void res.status(404).end();
      const img = await profiles.avatar(name);
      res.set({ 'Content-Type': img.type, ETag: img.etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'" });
      if (req.fresh) return void res.status(304).end();
      res.send(img.body);
    } catch (err) {
      next(err);
    }
  });
}
