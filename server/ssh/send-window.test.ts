import { describe, expect, it } from 'vitest';
import { acknowledgesEarly } from './send-window.js';

describe('acknowledgesEarly', () => {
  it('is OpenSSH (portable and the Windows build) and nothing else', () => {
    for (const s of ['OpenSSH_9.2p1', 'OpenSSH_7.4', 'OpenSSH_for_Windows_8.1', 'OpenSSH_9.9']) expect(acknowledgesEarly(s), s).toBe(true);
    for (const s of ['PuTTY_Release_0.81', 'ssh2js1.17.0', 'Go', 'libssh2_1.10.0', 'JSCH-0.1.54', 'OpenSSH', 'OpenSSHx_9', 'dropbear_2022.83', '', null, undefined]) {
      expect(acknowledgesEarly(s), String(s)).toBe(false);
    }
  });
});
