import { describe, expect, it } from 'vitest';
import type { Services } from '../services.js';
import { lanBanner } from './lan.js';

// the banner reads only the listening address, the ports and two settings
const fake = (publicUrl: string) =>
  ({
    config: { host: '127.0.0.1', baseUrl: null },
    httpPort: () => 3000,
    sshPort: () => 2222,
    settings: { get: (k: string) => (k === 'instance.publicUrl' ? publicUrl : undefined) },
  }) as unknown as Services;

describe('the start-up LAN banner', () => {
  it('prints the main URL and, on a terminal, a QR code of it', async () => {
    const text = await lanBanner(fake('http://forge.lan:3000'), true);
    expect(text).toMatch(/^Teammates open http:\/\/forge\.lan:3000\/ and clone over SSH from ssh:\/\/git@forge\.lan:2222\//);
    // the small terminal QR code draws with half-block characters
    expect(text).toMatch(/[▀▄█]/);
    expect(text.split('\n').length).toBeGreaterThan(10);
  });

  it('prints plain URLs when the output is no terminal', async () => {
    const text = await lanBanner(fake(''), false);
    expect(text).toBe('Teammates open http://127.0.0.1:3000/ and clone over SSH from ssh://git@127.0.0.1:2222/\n');
  });
});
