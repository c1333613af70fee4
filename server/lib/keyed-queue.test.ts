import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('KeyedQueue', () => {
  it('runs work for one key one at a time, in order, and other keys alongside', async () => {
    const q = new KeyedQueue<string>();
    const log: string[] = [];
    const job = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([q.run('a', job('a1')), q.run('a', job('a2')), q.run('b', job('b1'))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1 end')).toBeLessThan(log.indexOf('a2 start'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
  });

  it('goes on after a failure, which reaches only its own caller', async () => {
    const q = new KeyedQueue<number>();
    const failed = q.run(1, async () => {
      throw new Error('boom');
    });
    const after = q.run(1, async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(after).resolves.toBe('ran');
  });
});
