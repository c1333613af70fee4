import { describe, expect, it } from 'vitest';
import { AbuseLimits, FailureWindow, MemoryFailures, SessionCounter } from './limits.js';

describe('FailureWindow', () => {
  it('blocks after max failures in the window and forgets old ones', () => {
    let t = 1_000_000;
    const w = new FailureWindow(
      () => 3,
      60_000,
      () => t,
    );
    w.record('ip:1');
    w.record('ip:1');
    expect(w.blocked('ip:1')).toBe(false);
    w.record('ip:1');
    expect(w.blocked('ip:1')).toBe(true);
    expect(w.blocked('ip:2')).toBe(false);
    expect(w.retryAfter('ip:1')).toBe(60);
    t += 60_001;
    expect(w.blocked('ip:1')).toBe(false);
  });
});

describe('SessionCounter', () => {
  it('caps sessions per key and frees them on release', () => {
    const c = new SessionCounter(() => 2);
    const a = c.enter(['user:1', 'ip:x'])!;
    const b = c.enter(['user:1', 'ip:y'])!;
    expect(c.enter(['user:1', 'ip:z'])).toBeNull();
    // refused entries take nothing
    expect(c.count('ip:z')).toBe(0);
    a();
    a();
    expect(c.count('user:1')).toBe(1);
    expect(c.enter(['user:1', 'ip:z'])).not.toBeNull();
    b();
  });
});

describe('AbuseLimits', () => {
  it('refuses an address with 429 once its failures reach the setting, saying when to try again', async () => {
    let t = 5_000_000;
    const limits = new AbuseLimits({ get: (k) => (k === 'limits.authFailuresPerIp' ? 2 : 0) }, new MemoryFailures(() => t));
    await limits.authFailed('10.0.0.1');
    await expect(limits.assertMayAuthenticate('10.0.0.1')).resolves.toBeUndefined();
    t += 60_000;
    await limits.authFailed('10.0.0.1');
    await expect(limits.assertMayAuthenticate('10.0.0.1')).rejects.toMatchObject({ code: 'too_many_requests', message: 'too many failed sign-ins from your address; try again in 540 seconds' });
    await expect(limits.assertMayAuthenticate('10.0.0.2')).resolves.toBeUndefined();
    // the first failure leaves the ten-minute window
    t += 540_001;
    await expect(limits.assertMayAuthenticate('10.0.0.1')).resolves.toBeUndefined();
  });
});
