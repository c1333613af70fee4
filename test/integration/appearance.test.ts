// Personalization API: each user's look, validation, the instance default for everyone else,
// and index.html carrying the viewer's look before first paint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createUser, startServer, type TestServer } from '../fixtures/rig.js';

const htmlAttrs = async (s: TestServer, b?: Browser) => {
  const res = b ? await b.request('GET', '/') : await s.api('GET', '/');
  const html = await res.text();
  return /<html ([^>]*)>/.exec(html)![1]!;
};

describe('appearance', () => {
  let s: TestServer;
  const alice: [string, string] = ['alice', 'alice-pass-123'];
  const bob: [string, string] = ['bob', 'bob-pass-1234'];
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, ...alice, { admin: true });
    await createUser(s, ...bob);
  });
  afterAll(() => s?.stop());

  it('lists the choices and the default; anonymous callers can read options but have no own look', async () => {
    const opts = await (await s.api('GET', '/api/v1/appearance/options')).json();
    expect(opts.presets.length).toBeGreaterThanOrEqual(8);
    expect(opts.backgrounds).toEqual(['none', 'stars', 'waves', 'drips', 'aurora']);
    expect(opts.cursors).toEqual(['default', 'minimal', 'ring', 'glow']);
    expect(opts.fonts.length).toBeGreaterThanOrEqual(4);
    expect(opts.default).toEqual({ preset: 'violet', background: 'none', cursor: 'default', font: 'inter' });
    expect((await s.api('GET', '/api/v1/user/appearance')).status).toBe(401);
  });

  it('saves a look, refuses unknown choices without changing anything, and resets', async () => {
    const mine = await (await s.api('GET', '/api/v1/user/appearance', { auth: bob })).json();
    expect(mine.custom).toBe(false);
    const look = { preset: 'ocean', background: 'stars', cursor: 'ring', font: 'grotesk' };
    const put = await s.api('PUT', '/api/v1/user/appearance', { auth: bob, json: look });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ ...look, custom: true });
    for (const bad of [{ ...look, preset: 'neon<script>' }, { ...look, font: 'comic-sans' }, { ...look, extra: 1 }, { preset: 'ocean' }]) {
      const res = await s.api('PUT', '/api/v1/user/appearance', { auth: bob, json: bad });
      expect(res.status).toBe(422);
    }
    expect(await (await s.api('GET', '/api/v1/user/appearance', { auth: bob })).json()).toEqual({ ...look, custom: true });

    const b = new Browser(s.url);
    await b.session();
    expect((await b.request('POST', '/api/v1/auth/signin', { json: { username: 'bob', password: 'bob-pass-1234' } })).status).toBe(200);
    expect(await htmlAttrs(s, b)).toBe('lang="en" data-preset="ocean" data-bg="stars" data-cursor="ring" data-font="grotesk"');
    expect(await htmlAttrs(s)).toContain('data-preset="violet"');

    expect((await s.api('DELETE', '/api/v1/user/appearance', { auth: bob })).status).toBe(204);
    expect((await (await s.api('GET', '/api/v1/user/appearance', { auth: bob })).json()).custom).toBe(false);
  });

  it('the admin sets the instance default that anonymous visitors and users without a choice get', async () => {
    const def = { preset: 'emerald', background: 'aurora', cursor: 'default', font: 'plex' };
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: bob, json: { 'ui.defaultAppearance': def } })).status).toBe(403);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'ui.defaultAppearance': { ...def, preset: 'nope' } } })).status).toBe(422);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: alice, json: { 'ui.defaultAppearance': def } })).status).toBe(200);
    expect(await htmlAttrs(s)).toBe('lang="en" data-preset="emerald" data-bg="aurora" data-cursor="default" data-font="plex"');
    expect(await (await s.api('GET', '/api/v1/user/appearance', { auth: bob })).json()).toEqual({ ...def, custom: false });
  });
});
