import { describe, expect, it } from 'vitest';
import { quotaSize } from './policy.js';

describe('quotaSize', () => {
  it('says a quota the way it was meant, never "0 MiB"', () => {
    expect(quotaSize(100)).toBe('100 bytes');
    expect(quotaSize(512 * 1024)).toBe('512 KiB');
    expect(quotaSize(1536 * 1024)).toBe('1.5 MiB');
    expect(quotaSize(2 * 1024 ** 3)).toBe('2 GiB');
    expect(quotaSize(1000)).toBe('1000 bytes');
  });
});
