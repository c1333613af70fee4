// The app shell in Chromium: index.html carries the session and appearance, the strict CSP
// holds with no violations, assets are cached for good, unknown API paths stay JSON 404s.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openPage } from '../fixtures/chromium.js';
import { createUser, rawHttp, startServer, type TestServer } from '../fixtures/rig.js';

const missing = chromiumMissing();

describe.skipIf(missing)('app shell', () => {
  let s: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    s = await startServer();
    await createUser(s, 'alice', 'alice-pass-123', { admin: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('serves index.html with boot data, appearance attributes and a strict CSP', async () => {
    const res = await s.api('GET', '/alice/some-repo');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('upgrade-insecure-requests');
    const html = await res.text();
    expect(html).toMatch(/<html lang="en" data-preset="violet" data-bg="none" data-cursor="default" data-font="inter">/);
    const boot = JSON.parse(/<script type="application\/json" id="gitssy-boot">(.*?)<\/script>/s.exec(html)![1]!);
    expect(boot.session.user).toBeNull();
    expect(boot.session.csrf_token).toBeNull();
    expect(boot.session.instance_name).toBe('Gitssy');
    // user text with replacement patterns and markup lands in the page as text
    const odd = "Forge $' $& $1 </script><b>";
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ['alice', 'alice-pass-123'], json: { 'instance.name': odd } })).status).toBe(200);
    const oddHtml = await (await s.api('GET', '/')).text();
    expect(oddHtml).toContain('<title>Forge $&#39; $&#38; $1 &#60;/script&#62;&#60;b&#62;</title>');
    const oddBoot = JSON.parse(/<script type="application\/json" id="gitssy-boot">(.*?)<\/script>/s.exec(oddHtml)![1]!);
    expect(oddBoot.session.instance_name).toBe(odd);
    expect((await s.api('PATCH', '/api/v1/admin/settings', { auth: ['alice', 'alice-pass-123'], json: { 'instance.name': 'Gitssy' } })).status).toBe(200);
    // a clone URL opened in a browser lands on the repository page; git's files are never pages
    const clone = await s.api('GET', '/alice/some-repo.git', { headers: { Accept: 'text/html' } });
    expect(clone.status).toBe(302);
    expect(clone.headers.get('location')).toBe('/alice/some-repo');
    for (const p of ['/alice/some-repo.git/HEAD', '/alice/some-repo.git/config', '/alice/some-repo/info/refs', '/alice/a%2fb']) {
      const r = await rawHttp(s, 'GET', p);
      expect(r.status >= 400 && r.status < 500, `${p}: ${r.status}`).toBe(true);
      expect(r.body.toString()).not.toContain('gitssy-boot');
    }
    // an unknown API path is an API 404, not the app
    const api = await s.api('GET', '/api/v1/no/such/thing');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('json');
  });

  it('hashed assets are immutable and fonts come from our origin', async () => {
    const html = await (await s.api('GET', '/')).text();
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const res = await s.api('GET', script!);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const font = await s.api('GET', '/fonts/inter-latin-400-normal.woff2');
    expect(font.status).toBe(200);
    expect((await s.api('GET', '/assets/nope.js')).status).toBe(404);
    // fetch() would normalize the dots away: send the path as it is
    expect((await rawHttp(s, 'GET', '/fonts/%2e%2e/%2e%2e/package.json')).status).toBe(404);
  });

  it('renders in Chromium without CSP violations and signs in from the header', async () => {
    const w = await openPage(browser, s);
    await w.go('/');
    await w.page.getByRole('link', { name: 'Explore' }).waitFor();
    expect(await w.page.title()).toContain('Gitssy');
    expect(w.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expect(w.pageErrors).toEqual([]);
    await w.shot('shell-anonymous');
    await w.context.close();
  });
});

if (missing) console.warn(`browser tests skipped: ${missing}`);
