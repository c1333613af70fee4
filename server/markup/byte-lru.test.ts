import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.js';

describe('ByteLru', () => {
  it('evicts the least recently used entries once over its byte budget', () => {
    const lru = new ByteLru<string>(1000, 1000);
    lru.set('a', 'A', 300);
    lru.set('b', 'B', 300);
    expect(lru.get('a')).toBe('A'); // a is now newer than b
    lru.set('c', 'C', 300);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual(['A', undefined, 'C']);
    expect(lru.bytes).toBeLessThanOrEqual(1000);
  });

  it('does not keep an entry larger than the per-entry limit', () => {
    const lru = new ByteLru<string>(10_000, 500);
    lru.set('small', 's', 10);
    lru.set('huge', 'h', 600);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('small')).toBe('s');
  });

  it('counts a replaced entry once', () => {
    const lru = new ByteLru<string>(10_000);
    lru.set('k', 'v1', 100);
    const once = lru.bytes;
    lru.set('k', 'v2', 100);
    expect(lru.bytes).toBe(once);
    expect(lru.size).toBe(1);
    expect(lru.get('k')).toBe('v2');
  });
});
