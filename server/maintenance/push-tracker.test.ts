import { describe, expect, it } from 'vitest';
import { PushTracker } from './maintenance.js';

describe('PushTracker', () => {
  it('runs what waits for a push when that push ends, not before and not twice', () => {
    const t = new PushTracker();
    const endA = t.start('aaaaaaaa');
    const endB = t.start('bbbbbbbb');
    const ran: string[] = [];
    t.afterPush('aaaaaaaa', () => ran.push('a1'));
    t.afterPush('aaaaaaaa', () => ran.push('a2'));
    t.afterPush('bbbbbbbb', () => ran.push('b'));
    expect(ran).toEqual([]);
    expect(t.inFlight).toBe(2);
    endB();
    expect(ran).toEqual(['b']);
    endA();
    endA();
    expect(ran).toEqual(['b', 'a1', 'a2']);
    expect(t.inFlight).toBe(0);
  });

  it('runs it at once for a push that has ended, is unknown, or has no id', () => {
    const t = new PushTracker();
    t.start('cccccccc')();
    const ran: string[] = [];
    t.afterPush('cccccccc', () => ran.push('ended'));
    t.afterPush('dddddddd', () => ran.push('unknown'));
    t.afterPush(undefined, () => ran.push('none'));
    const end = t.start();
    t.afterPush(undefined, () => ran.push('none while one runs'));
    end();
    expect(ran).toEqual(['ended', 'unknown', 'none', 'none while one runs']);
  });

  it('lets maintenance wait for the pushes in flight, within its bound', async () => {
    const t = new PushTracker();
    const end = t.start('eeeeeeee');
    let idle = false;
    const waiting = t.waitIdle(5_000).then(() => (idle = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(false);
    end();
    await waiting;
    expect(idle).toBe(true);
  });
});
