// Browser sessions against a real server: the session cookie ends with the browser, "remember
// me" is a separate selector.validator cookie that brings back a fresh session and works once
// (a replayed copy is refused and the token dropped), your sessions are listed with device and
// address and can be signed out one by one, and signing out or changing the password forgets
// remembered browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createUser, startServer, type TestServer } from '../fixtures/rig.js';

const admin: [string, string] = ['root', 'root-pass-1234'];
const alice: [string, string] = ['alice', 'alice-pass-123'];

interface SessionInfo {
  id: string;
  current: boolean;
  ip: string | null;
  device: string;
  remembered: boolean;
  last_seen_at: string | null;
}

describe('browser sessions', () => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startServer();
    await createUser(s, admin[0], admin[1], { admin: true });
    await createUser(s, alice[0], alice[1], { via: admin });
  });

  afterAll(async () => {
    await s?.stop();
  });

  async function signIn(remember: boolean, ua = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'): Promise<Browser> {
    const b = new Browser(s.url);
    await b.request('GET', '/api/v1/auth/session', { headers: { 'User-Agent': ua } }).then(async (r) => (b.csrf = ((await r.json()) as { csrf_token: string }).csrf_token));
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: alice[0], password: alice[1], remember }, headers: { 'User-Agent': ua } });
    expect(res.status).toBe(200);
    b.csrf = ((await res.json()) as { csrf_token: string }).csrf_token;
    return b;
  }

  /** A browser that only has this remember cookie (the session cookie went with the browser). */
  function reopened(value: string): Browser {
    const b = new Browser(s.url);
    (b as unknown as { cookies: Map<string, string> }).cookies.set('gitssy_remember', value);
    return b;
  }

  it('the session cookie lasts as long as the browser; remembering is its own 30-day cookie', async () => {
    const plain = await signIn(false);
    const setCookie = plain.rawSetCookies.find((c) => c.startsWith('gitssy_session='))!;
    expect(setCookie).not.toMatch(/Max-Age|Expires/i);
    expect(plain.cookie('gitssy_remember')).toBeUndefined();
    const kept = await signIn(true);
    const remember = kept.rawSetCookies.find((c) => c.startsWith('gitssy_remember='))!;
    expect(remember).toMatch(/Max-Age=2592000/);
    expect(remember).toMatch(/HttpOnly/);
    expect(kept.cookie('gitssy_remember')).toMatch(/^[0-9a-f]{24}\.[0-9a-f]{64}$/);
  });

  it('a remembered browser gets a fresh session and a new validator; a copy of the old cookie works nowhere', async () => {
    const kept = await signIn(true);
    const first = kept.cookie('gitssy_remember')!;
    const back = reopened(first);
    expect((await back.session()).user).toMatchObject({ login: 'alice' });
    expect(back.cookie('gitssy_session')).toBeTruthy();
    expect(back.cookie('gitssy_session')).not.toBe(kept.cookie('gitssy_session'));
    const second = back.cookie('gitssy_remember')!;
    expect(second.split('.')[0]).toBe(first.split('.')[0]);
    expect(second).not.toBe(first);
    // the old value again: refused, and the token is dropped (a copied cookie was used)
    const thief = reopened(first);
    expect((await thief.session()).user).toBeNull();
    expect(thief.cookie('gitssy_remember')).toBeUndefined();
    expect((await reopened(second).session()).user).toBeNull();
    // garbage is ignored
    expect((await reopened('nonsense').session()).user).toBeNull();
  });

  it('lists your sessions with device and address, and signs one out', async () => {
    const a = await signIn(false, 'Mozilla/5.0 (Windows NT 10.0) Chrome/139.0 Safari/537.36');
    const b = await signIn(true, 'Mozilla/5.0 (Macintosh; Mac OS X 14_0) Version/17 Safari/605.1');
    const list = (await (await a.request('GET', '/api/v1/user/sessions')).json()) as SessionInfo[];
    expect(list[0]).toMatchObject({ current: true, device: 'Chrome on Windows', ip: expect.stringMatching(/127\.0\.0\.1/) });
    const other = list.find((x) => x.device === 'Safari on macOS' && x.remembered)!;
    expect(other).toBeTruthy();
    expect(JSON.stringify(list)).not.toContain(a.cookie('gitssy_session')!.slice(4, 20));
    expect((await a.request('DELETE', `/api/v1/user/sessions/${other.id}`)).status).toBe(204);
    expect((await b.request('GET', '/api/v1/user')).status).toBe(401);
    // it was remembered: that is gone too
    expect((await reopened(b.cookie('gitssy_remember')!).session()).user).toBeNull();
    expect((await a.request('DELETE', `/api/v1/user/sessions/${other.id}`)).status).toBe(404);
    expect((await a.request('GET', '/api/v1/user')).status).toBe(200);
  });

  it('signing out and changing the password forget remembered browsers', async () => {
    const out = await signIn(true);
    const cookie = out.cookie('gitssy_remember')!;
    expect((await out.request('POST', '/api/v1/auth/signout')).status).toBe(204);
    expect((await reopened(cookie).session()).user).toBeNull();

    const elsewhere = await signIn(true);
    const remembered = elsewhere.cookie('gitssy_remember')!;
    const here = await signIn(false);
    expect((await here.request('POST', '/api/v1/user/password', { json: { old_password: alice[1], new_password: 'alice-pass-456' } })).status).toBe(204);
    expect((await reopened(remembered).session()).user).toBeNull();
    expect((await elsewhere.request('GET', '/api/v1/user')).status).toBe(401);
    // the browser that changed it goes on, with a new session id
    await here.session();
    expect((await here.request('GET', '/api/v1/user')).status).toBe(200);
  });
});
