import { describe, expect, it } from 'vitest';
import { filterByPattern } from './shell.js';

describe('filterByPattern', () => {
  it('filters names case-insensitively', () => {
    expect(filterByPattern('^alice/', ['alice/a', 'Alice/b', 'bob/alice'])).toEqual([true, true, false]);
  });

  it('refuses an obviously nested quantifier before running it', () => {
    expect(() => filterByPattern('(a+)+$', ['x'])).toThrow(/too slow/);
    expect(() => filterByPattern('(a)\\1', ['aa'])).toThrow(/too slow/);
  });

  it('stops a pattern that backtracks too long, within its budget', () => {
    const started = Date.now();
    expect(() => filterByPattern('a*a*a*a*a*a*a*a*a*a*$', ['a'.repeat(40) + '-'], 200)).toThrow(/too slow/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports a syntax error as such', () => {
    expect(() => filterByPattern('(', ['x'])).toThrow(/invalid pattern/);
  });
});
