// /api/v1 routes for the signed-in user's own account: profile settings (Gitea's
// GET/PATCH /user/settings), a password change (Gitssy: POST /user/password, which Gitea's API
// lacks), and the organizations they belong to (Gitea's GET /user/orgs).
import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import type { Services } from '../../services.js';
import { requireUser } from '../auth.js';
import { orgJson } from './json.js';
import { pageQuery, setPageHeaders, type ApiRouter } from './route.js';
import { signIn } from './session.js';

const settingsBody = z.strictObject({
  full_name: z.string().max(100).optional(),
  description: z.string().max(255).optional(),
  website: z.string().max(255).optional(),
  location: z.string().max(1000).optional(),
  pronouns: z.string().max(1000).optional(),
});

const passwordBody = z.strictObject({
  old_password: z.string().min(1).max(256),
  new_password: z.string().min(1).max(256),
});

/** Gitea's UserSettings shape; emails are never shown to other users here, so hide_email is fixed. */
function settingsJson(u: UserRow) {
  return {
    full_name: u.full_name,
    website: u.website,
    description: u.description,
    location: u.location,
    /** Gitssy: shown on the profile */
    pronouns: u.pronouns,
    language: '',
    theme: '',
    diff_view_style: '',
    hide_email: true,
    hide_activity: false,
  };
}

export function registerAccountRoutes(api: ApiRouter, s: Services): void {
  api.route({ method: 'get', path: '/user/settings', tag: 'user', summary: "The signed-in user's profile settings", auth: 'user', responses: { 200: 'settings' } }, async ({ req }) => {
    return { body: settingsJson(requireUser(req)) };
  });

  api.route(
    {
      method: 'patch',
      path: '/user/settings',
      tag: 'user',
      summary: "Edit the signed-in user's full name, description, website (an http(s) URL or empty), location and pronouns",
      auth: 'user',
      body: settingsBody,
      responses: { 200: 'settings', 422: 'invalid input' },
    },
    async ({ req, body }) => {
      const me = requireUser(req);
      const updated = await s.users.updateProfile(
        me,
        { fullName: body.full_name, description: body.description, website: body.website, location: body.location, pronouns: body.pronouns },
        { ip: req.ip ?? null },
      );
      return { body: settingsJson(updated) };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/user/password',
      tag: 'user',
      summary: 'Gitssy: change your password with the current one; every other session ends, this one continues',
      auth: 'user',
      body: passwordBody,
      responses: { 204: 'changed', 401: 'the current password is wrong', 422: 'the new password is not acceptable', 429: 'too many attempts' },
    },
    async ({ req, body }) => {
      const me = requireUser(req);
      await s.limits.assertMayAuthenticate(req.ip);
      await s.users.changePassword(me, body.old_password, body.new_password, { ip: req.ip ?? null }).catch(async (err) => {
        if ((err as { code?: string }).code === 'unauthorized') await s.limits.authFailed(req.ip);
        throw err;
      });
      // the change ended every session of this user; a browser that made it gets a fresh one
      if (req.actor.kind === 'user' && req.actor.via === 'session') await signIn(req, me);
    },
  );

  api.route(
    { method: 'get', path: '/user/orgs', tag: 'organization', summary: 'Organizations the signed-in user belongs to', auth: 'user', query: pageQuery, responses: { 200: 'organizations' } },
    async ({ req, res, query }) => {
      const me = requireUser(req);
      const rows = await s.db.selectFrom('org_members as m').innerJoin('users as u', 'u.id', 'm.org_id').selectAll('u').where('m.user_id', '=', me.id).orderBy('u.lower_name').execute();
      setPageHeaders(req, res, rows.length, query.page, query.limit);
      return { body: rows.slice((query.page - 1) * query.limit, query.page * query.limit).map((o) => orgJson(s, req, o)) };
    },
  );
}
