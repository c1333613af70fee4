// Passkeys (WebAuthn) as a second factor, against a real server and a software authenticator
// (P-256, "none" attestation) built here: registration options and their exclusions, adding and
// listing and removing a passkey, a passkey alone turning two-factor sign-in on (the sign-in asks
// for a second step; a password on the API is refused with a pointer to tokens), the sign-in's
// passkey step (a fresh challenge each time, spent once, the counter moving forward only), wrong
// or unknown credentials counting as wrong codes, and an administrator's reset removing them.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createToken, createUser, startServer, type TestServer } from '../fixtures/rig.js';

const admin: [string, string] = ['root', 'root-pass-1234'];
const users = { pia: 'pia-pass-12345', quinn: 'quinn-pass-1234', rob: 'rob-pass-12345' } as const;
type Name = keyof typeof users;

// ---- a minimal CBOR encoder (unsigned/negative ints, byte and text strings, maps) ----------
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;
function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}
function cbor(v: Cbor): Buffer {
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') return Buffer.concat([head(3, Buffer.byteLength(v)), Buffer.from(v)]);
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  return Buffer.concat([head(5, v.size), ...[...v].flatMap(([k, x]) => [cbor(k), cbor(x)])]);
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

/** A software passkey: one P-256 key, its credential id and signature counter. */
class SoftKey {
  readonly id = randomBytes(16);
  private readonly key: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  counter = 0;

  constructor(
    private readonly rpId: string,
    private readonly origin: string,
  ) {}

  private authData(flags: number, counter: number, attested?: Buffer): Buffer {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    return Buffer.concat([sha256(this.rpId), Buffer.from([flags]), c, ...(attested ? [attested] : [])]);
  }

  /** The answer to navigator.credentials.create() for these options. */
  create(options: { challenge: string }) {
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    const cose = cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const len = Buffer.alloc(2);
    len.writeUInt16BE(this.id.length);
    const authData = this.authData(0x45, this.counter, Buffer.concat([Buffer.alloc(16), len, this.id, cose]));
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: this.origin, crossOrigin: false });
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64url(this.id),
      rawId: b64url(this.id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
    };
  }

  /** The answer to navigator.credentials.get() for these options (the counter moves on by one unless told). */
  get(options: { challenge: string }, opts: { counter?: number; id?: Buffer } = {}) {
    this.counter = opts.counter ?? this.counter + 1;
    const authData = this.authData(0x05, this.counter);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: this.origin, crossOrigin: false });
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.key.privateKey);
    const id = opts.id ?? this.id;
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {},
    };
  }
}

/** The sign-in endpoints take 10 requests a minute from one address: each group of tests gets its own server. */
function suite(): { s: TestServer; rpId: string; keys: Map<Name, SoftKey> } {
  const ctx = { s: undefined as unknown as TestServer, rpId: '', keys: new Map<Name, SoftKey>() };
  beforeAll(async () => {
    ctx.s = await startServer();
    ctx.rpId = new URL(ctx.s.url).hostname;
    await createUser(ctx.s, ...admin, { admin: true });
    for (const [u, p] of Object.entries(users)) await createUser(ctx.s, u, p);
    expect((await ctx.s.api('PATCH', '/api/v1/admin/settings', { auth: admin, json: { 'limits.authFailuresPerIp': 1000 } })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await ctx.s?.stop();
  });
  return ctx;
}

/** Signing in and adding passkeys against the suite's server. */
function helpers(ctx: { s: TestServer }) {
  async function signedIn(u: Name): Promise<Browser> {
    const b = new Browser(ctx.s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: u, password: users[u] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: unknown; csrf_token: string };
    expect(body.user).not.toBeNull();
    b.csrf = body.csrf_token;
    return b;
  }

  /** Password checked, second step awaited. */
  async function pending(u: Name): Promise<Browser> {
    const b = new Browser(ctx.s.url);
    await b.session();
    const res = await b.request('POST', '/api/v1/auth/signin', { json: { username: u, password: users[u] } });
    const body = (await res.json()) as { user: unknown; two_factor_required: boolean; webauthn: boolean; totp: boolean; csrf_token: string };
    expect(body).toMatchObject({ user: null, two_factor_required: true, webauthn: true, totp: false });
    b.csrf = body.csrf_token;
    return b;
  }

  async function addPasskey(b: Browser, key: SoftKey, name: string) {
    const opts = await b.request('POST', '/api/v1/user/2fa/webauthn/options');
    expect(opts.status).toBe(200);
    const options = (await opts.json()) as { challenge: string; rp: { id: string; name: string }; user: { name: string }; excludeCredentials: { id: string }[] };
    const res = await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name, response: key.create(options) } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, options };
  }
  return { signedIn, pending, addPasskey };
}

describe('passkeys (WebAuthn) as a second factor', () => {
  const ctx = suite();
  const { signedIn, pending, addPasskey } = helpers(ctx);

  it('registers a passkey: options name the host as the relying party, and the answer is verified', async () => {
    const { s, rpId, keys } = ctx;
    const b = await signedIn('pia');
    const key = new SoftKey(rpId, s.url);
    const added = await addPasskey(b, key, 'laptop');
    expect(added.options.rp).toMatchObject({ id: rpId, name: 'Gitssy' });
    expect(added.options.user.name).toBe('pia');
    expect(added.options.excludeCredentials).toEqual([]);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'laptop' });
    keys.set('pia', key);

    // the next options exclude it, and the same authenticator can't be added twice
    const again = await addPasskey(b, key, 'laptop again');
    expect(again.options.excludeCredentials.map((c) => c.id)).toEqual([b64url(key.id)]);
    expect(again.status).toBe(409);

    const list = (await (await b.request('GET', '/api/v1/user/2fa/webauthn')).json()) as { id: number; name: string; transports: string[]; last_used_at: string | null }[];
    expect(list).toEqual([expect.objectContaining({ name: 'laptop', transports: ['internal'], last_used_at: null })]);
    const status = (await (await b.request('GET', '/api/v1/user/2fa')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ enabled: false, pending: false, webauthn: 1 });
  });

  it('refuses answers without options, with a spent or foreign challenge, and from another origin', async () => {
    const { s, rpId, keys } = ctx;
    const b = await signedIn('quinn');
    const key = new SoftKey(rpId, s.url);
    // no registration under way
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: 'x', response: key.create({ challenge: b64url(randomBytes(32)) }) } })).status).toBe(401);
    // malformed bodies
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: 'x' } })).status).toBe(422);
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: '', response: key.create({ challenge: 'x' }) } })).status).toBe(422);
    // a wrong challenge; then that options' challenge is spent
    const opts = (await (await b.request('POST', '/api/v1/user/2fa/webauthn/options')).json()) as { challenge: string };
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: 'x', response: key.create({ challenge: b64url(randomBytes(32)) }) } })).status).toBe(422);
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: 'x', response: key.create(opts) } })).status).toBe(401);
    // another origin
    const phish = new SoftKey(rpId, 'http://evil.example');
    const opts2 = (await (await b.request('POST', '/api/v1/user/2fa/webauthn/options')).json()) as { challenge: string };
    expect((await b.request('POST', '/api/v1/user/2fa/webauthn', { json: { name: 'x', response: phish.create(opts2) } })).status).toBe(422);
    // a signed-out caller can't ask for options
    const anon = new Browser(s.url);
    await anon.session();
    expect((await anon.request('POST', '/api/v1/user/2fa/webauthn/options')).status).toBe(401);
    const status = (await (await b.request('GET', '/api/v1/user/2fa')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ enabled: false, webauthn: 0 });
  });

  it('a passkey alone turns two-factor sign-in on: the password asks for a second step, the API wants a token', async () => {
    const { s, rpId, keys } = ctx;
    const b = await pending('pia');
    expect(await b.session()).toMatchObject({ user: null, two_factor_pending: true });
    expect((await b.request('GET', '/api/v1/user')).status).toBe(401);

    const basic = await s.api('GET', '/api/v1/user', { auth: ['pia', users.pia] });
    expect(basic.status).toBe(401);
    expect(((await basic.json()) as { message: string }).message).toMatch(/access token/);
    const withOtp = await s.api('GET', '/api/v1/user', { auth: ['pia', users.pia], headers: { 'X-Gitea-OTP': '123456' } });
    expect(withOtp.status).toBe(401);
    // a token keeps working
    expect((await s.api('GET', '/api/v1/user', { token: await createToken(s, 'pia') })).status).toBe(200);
  });

  it('signs in with the passkey: options list its credentials, the counter moves forward only', async () => {
    const { s, rpId, keys } = ctx;
    const key = keys.get('pia')!;
    // no options without a password checked first
    const stray = new Browser(s.url);
    await stray.session();
    expect((await stray.request('POST', '/api/v1/auth/signin/webauthn/options')).status).toBe(401);
    expect((await stray.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: key.get({ challenge: 'x' }) } })).status).toBe(401);

    const b = await pending('pia');
    const res = await b.request('POST', '/api/v1/auth/signin/webauthn/options');
    expect(res.status).toBe(200);
    const options = (await res.json()) as { challenge: string; rpId: string; allowCredentials: { id: string; type: string }[] };
    expect(options.rpId).toBe(rpId);
    expect(options.allowCredentials).toEqual([expect.objectContaining({ id: b64url(key.id), type: 'public-key' })]);
    const cookieBefore = b.cookie('gitssy_session');
    const ok = await b.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: key.get(options) } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { user: { login: string } }).user.login).toBe('pia');
    expect(b.cookie('gitssy_session')).not.toBe(cookieBefore);
    await b.session();
    expect((await b.request('GET', '/api/v1/user')).status).toBe(200);
    const list = (await (await b.request('GET', '/api/v1/user/2fa/webauthn')).json()) as { last_used_at: string | null }[];
    expect(list[0]!.last_used_at).not.toBeNull();

    // a replayed (or cloned) authenticator: the counter didn't move forward
    const c = await pending('pia');
    const o2 = (await (await c.request('POST', '/api/v1/auth/signin/webauthn/options')).json()) as { challenge: string };
    expect((await c.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: key.get(o2, { counter: 1 }) } })).status).toBe(401);
    // the challenge was spent by that answer
    key.counter = 5;
    expect((await c.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: key.get(o2) } })).status).toBe(401);
    const o3 = (await (await c.request('POST', '/api/v1/auth/signin/webauthn/options')).json()) as { challenge: string };
    expect((await c.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: key.get(o3) } })).status).toBe(200);
    // malformed
    const d = await pending('pia');
    expect((await d.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: { id: 'x' } } })).status).toBe(422);
  });
});

describe('passkeys: wrong answers and removal', () => {
  const ctx = suite();
  const { signedIn, pending, addPasskey } = helpers(ctx);

  it('unknown or foreign credentials are wrong answers and count toward the lock', async () => {
    const { s, rpId, keys } = ctx;
    const key = new SoftKey(rpId, s.url);
    expect((await addPasskey(await signedIn('pia'), key, 'phone')).status).toBe(201);
    keys.set('pia', key);
    const b = await pending('pia');
    const stranger = new SoftKey(rpId, s.url);
    for (let i = 0; i < 5; i++) {
      const o = (await (await b.request('POST', '/api/v1/auth/signin/webauthn/options')).json()) as { challenge: string };
      expect((await b.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: stranger.get(o) } })).status).toBe(401);
    }
    const o = (await (await b.request('POST', '/api/v1/auth/signin/webauthn/options')).json()) as { challenge: string };
    expect((await b.request('POST', '/api/v1/auth/signin/2fa', { json: { webauthn: keys.get('pia')!.get(o) } })).status).toBe(429);
  });

  it('removing the passkey turns 2FA off; an administrator’s reset removes passkeys too', async () => {
    const { s, rpId, keys } = ctx;
    const b = await signedIn('rob');
    const key = new SoftKey(rpId, s.url);
    expect((await addPasskey(b, key, 'one')).status).toBe(201);
    const second = new SoftKey(rpId, s.url);
    expect((await addPasskey(b, second, 'two')).status).toBe(201);
    const list = (await (await b.request('GET', '/api/v1/user/2fa/webauthn')).json()) as { id: number; name: string }[];
    expect(list.map((p) => p.name)).toEqual(['one', 'two']);
    expect((await b.request('DELETE', `/api/v1/user/2fa/webauthn/${list[0]!.id}`)).status).toBe(204);
    expect((await b.request('DELETE', `/api/v1/user/2fa/webauthn/${list[0]!.id}`)).status).toBe(404);
    // someone else's passkey is not theirs to remove
    const quinn = await signedIn('quinn');
    expect((await quinn.request('DELETE', `/api/v1/user/2fa/webauthn/${list[1]!.id}`)).status).toBe(404);
    expect((await b.request('DELETE', `/api/v1/user/2fa/webauthn/${list[1]!.id}`)).status).toBe(204);
    // no passkeys left: the password alone signs in
    await signedIn('rob');

    expect((await addPasskey(b, new SoftKey(rpId, s.url), 'three')).status).toBe(201);
    await pending('rob');
    expect((await s.api('DELETE', '/api/v1/admin/users/rob/2fa', { auth: admin })).status).toBe(204);
    expect((await s.api('DELETE', '/api/v1/admin/users/rob/2fa', { auth: admin })).status).toBe(404);
    await signedIn('rob');
  });
});
