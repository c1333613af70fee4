import { describe, expect, it } from 'vitest';
import { mainUrl, sshConfigSnippet, teammateUrls } from './urls.js';

describe('teammate URLs', () => {
  it('puts the configured public address first, then the addresses we listen on', () => {
    const urls = teammateUrls({ host: '127.0.0.1', httpPort: 3000, sshPort: 2222, publicUrl: 'http://forge.lan:3000', baseUrl: null });
    expect(urls).toEqual([
      { kind: 'public', http: 'http://forge.lan:3000/', ssh: 'ssh://git@forge.lan:2222/', host: 'forge.lan' },
      { kind: 'local', http: 'http://127.0.0.1:3000/', ssh: 'ssh://git@127.0.0.1:2222/', host: '127.0.0.1' },
    ]);
  });

  it('prefers the console setting over GITSSY_BASE_URL and leaves SSH out when it is off', () => {
    const u = mainUrl({ host: '10.0.0.5', httpPort: 80, sshPort: null, publicUrl: '', baseUrl: 'https://git.example.test' });
    expect(u).toEqual({ kind: 'public', http: 'https://git.example.test/', ssh: null, host: 'git.example.test' });
    expect(mainUrl({ host: '10.0.0.5', httpPort: 80, sshPort: 22, publicUrl: 'http://a.test', baseUrl: 'https://b.test' }).http).toBe('http://a.test/');
    expect(mainUrl({ host: '::1', httpPort: 80, sshPort: 22, publicUrl: '', baseUrl: null }).http).toBe('http://[::1]:80/');
  });

  it('writes a ~/.ssh/config block with a safe alias', () => {
    expect(sshConfigSnippet('My Forge!', '192.168.1.5', 2222)).toBe('Host my-forge\n  HostName 192.168.1.5\n  Port 2222\n  User git\n  IdentityFile ~/.ssh/id_ed25519\n');
  });
});
