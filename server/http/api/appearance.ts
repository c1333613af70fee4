// Personalization: the signed-in user's look (color preset, background, cursor, UI font).
// The instance default is the `ui.defaultAppearance` admin setting (PATCH /admin/settings).
import { appearanceSchema, BACKGROUNDS, CURSORS, FONTS, PRESETS } from '../../appearance/index.js';
import type { Services } from '../../services.js';
import { requireUser } from '../auth.js';
import type { ApiRouter } from './route.js';

export function registerAppearanceRoutes(api: ApiRouter, s: Services): void {
  api.route(
    {
      method: 'get',
      path: '/appearance/options',
      tag: 'miscellaneous',
      summary: 'Gitssy: the presets, backgrounds, cursors and fonts to choose from, and the instance default',
      responses: { 200: '{presets, backgrounds, cursors, fonts, default}' },
    },
    async () => ({ body: { presets: PRESETS, backgrounds: BACKGROUNDS, cursors: CURSORS, fonts: FONTS, default: s.appearance.defaults() } }),
  );
  api.route(
    {
      method: 'get',
      path: '/user/appearance',
      tag: 'user',
      summary: "Gitssy: the signed-in user's appearance (`custom` false when it is the instance default)",
      auth: 'user',
      responses: { 200: '{preset, background, cursor, font, custom}' },
    },
    async ({ req }) => {
      const user = requireUser(req);
      const own = await s.appearance.ofUser(user.id);
      return { body: { ...(own ?? s.appearance.defaults()), custom: own !== null } };
    },
  );
  api.route(
    {
      method: 'put',
      path: '/user/appearance',
      tag: 'user',
      summary: "Gitssy: set the signed-in user's appearance (all four fields)",
      auth: 'user',
      body: appearanceSchema,
      responses: { 200: 'the appearance', 422: 'unknown choice' },
    },
    async ({ req, body }) => {
      const user = requireUser(req);
      return { body: { ...(await s.appearance.set(user.id, body)), custom: true } };
    },
  );
  api.route({ method: 'delete', path: '/user/appearance', tag: 'user', summary: 'Gitssy: go back to the instance default', auth: 'user', responses: { 204: 'reset' } }, async ({ req }) => {
    await s.appearance.reset(requireUser(req).id);
    return { status: 204 };
  });
}
