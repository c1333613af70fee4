// The shell's settings.json, the data directory choice, and the LAN address.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lanAddresses, lanUrl } from '../../../electron/src/lan.js';
import { backupOutcome } from '../../../electron/src/server-client.js';
import { DEFAULT_SETTINGS, dataDirFromArgv, parseShellSettings, resolveDataDir, serveArgs } from '../../../electron/src/settings.js';

const FILE = '/home/op/.config/Gitssy/settings.json';

describe('shell settings', () => {
  it('uses the defaults when there is no file', () => {
    expect(parseShellSettings(null, FILE)).toEqual(DEFAULT_SETTINGS);
    expect(parseShellSettings('  \n', FILE)).toEqual(DEFAULT_SETTINGS);
  });

  it('reads a data dir and ports', () => {
    expect(parseShellSettings('{"dataDir": "/srv/gitssy", "httpPort": 8080, "sshPort": 0, "host": "127.0.0.1"}', FILE)).toEqual({
      ...DEFAULT_SETTINGS,
      dataDir: '/srv/gitssy',
      httpPort: 8080,
      sshPort: 0,
      host: '127.0.0.1',
    });
  });

  it('refuses malformed files with a message that says what to fix', () => {
    expect(() => parseShellSettings('{dataDir: x}', FILE)).toThrow(/settings\.json is not valid JSON .*fix it or delete it/);
    expect(() => parseShellSettings('[1]', FILE)).toThrow(/must hold a JSON object/);
    expect(() => parseShellSettings('{"datadir": "/x"}', FILE)).toThrow(/unknown setting "datadir"/);
    expect(() => parseShellSettings('{"dataDir": "relative/dir"}', FILE)).toThrow(/"dataDir" must be an absolute path/);
    expect(() => parseShellSettings('{"dataDir": ""}', FILE)).toThrow(/"dataDir" must be a non-empty string/);
    expect(() => parseShellSettings('{"httpPort": 70000}', FILE)).toThrow(/"httpPort" must be a port number/);
    expect(() => parseShellSettings('{"sshPort": "22"}', FILE)).toThrow(/"sshPort" must be a port number/);
    expect(() => parseShellSettings('{"gitPort": 1.5, "host": 5}', FILE)).toThrow(/"host" must be a non-empty string; "gitPort" must be a port number/);
  });

  it('takes the data dir from --data, then settings, then GITSSY_DATA, then app data', () => {
    const s = { ...DEFAULT_SETTINGS, dataDir: '/srv/from-settings' };
    expect(resolveDataDir(['electron', '.', '--data', '/srv/cli'], s, {}, '/ud')).toBe('/srv/cli');
    expect(resolveDataDir(['gitssy', '--data=/srv/cli2'], s, {}, '/ud')).toBe('/srv/cli2');
    expect(resolveDataDir(['gitssy'], s, { GITSSY_DATA: '/srv/env' }, '/ud')).toBe('/srv/from-settings');
    expect(resolveDataDir(['gitssy'], DEFAULT_SETTINGS, { GITSSY_DATA: '/srv/env' }, '/ud')).toBe('/srv/env');
    expect(resolveDataDir(['gitssy'], DEFAULT_SETTINGS, {}, '/ud')).toBe(path.join('/ud', 'data'));
  });

  it('refuses --data without a directory', () => {
    expect(() => dataDirFromArgv(['gitssy', '--data'])).toThrow(/--data needs a directory/);
    expect(() => dataDirFromArgv(['gitssy', '--data', '--hidden'])).toThrow(/--data needs a directory/);
    expect(() => dataDirFromArgv(['gitssy', '--data='])).toThrow(/--data needs a directory/);
  });

  it('passes the settings to gitssy serve', () => {
    expect(serveArgs('/d', DEFAULT_SETTINGS)).toEqual(['serve', '--data', '/d']);
    expect(serveArgs('/d', { ...DEFAULT_SETTINGS, host: '0.0.0.0', httpPort: 0, sshPort: 2200, gitPort: 9418 })).toEqual([
      'serve',
      '--data',
      '/d',
      '--host',
      '0.0.0.0',
      '--http-port',
      '0',
      '--ssh-port',
      '2200',
      '--git-port',
      '9418',
    ]);
  });
});

describe('LAN address', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    tun0: [{ address: '100.64.1.2', family: 'IPv4', internal: false }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '192.168.1.20', family: 'IPv4', internal: false },
    ],
    wlan0: [{ address: '169.254.3.3', family: 4, internal: false }],
  };

  it('lists private IPv4 addresses first and skips loopback, IPv6 and link-local', () => {
    expect(lanAddresses(ifaces)).toEqual(['192.168.1.20', '100.64.1.2']);
  });

  it('builds the URL teammates use, or none for a loopback-only server', () => {
    expect(lanUrl(null, 3000, ['192.168.1.20'])).toBe('http://192.168.1.20:3000/');
    expect(lanUrl('0.0.0.0', 3000, [])).toBeNull();
    expect(lanUrl('127.0.0.1', 3000, ['192.168.1.20'])).toBeNull();
    expect(lanUrl('10.0.0.5', 8080, ['192.168.1.20'])).toBe('http://10.0.0.5:8080/');
  });
});

describe('backup outcome', () => {
  it('reads the result line', () => {
    expect(backupOutcome('{"file":"/d/backups/gitssy-1.tar.gz","bytes":3145728,"repositories":2,"files":10,"barrier_ms":3,"duration_ms":90}')).toEqual({
      ok: true,
      file: '/d/backups/gitssy-1.tar.gz',
      message: 'Backup saved to /d/backups/gitssy-1.tar.gz (3.0 MB, 2 repositories)',
    });
    expect(backupOutcome('error: disk full')).toEqual({ ok: false, file: null, message: 'Backup failed: disk full' });
    expect(backupOutcome('')).toEqual({ ok: false, file: null, message: 'Backup failed: the server ended with "nothing"' });
    expect(backupOutcome('{"nofile":1}').ok).toBe(false);
  });
});
