import { describe, expect, it } from 'vitest';
import { SecretMasker } from './mask.js';

/** Feeds text in the given pieces and returns everything that came out. */
function through(m: SecretMasker, pieces: string[]): string {
  return pieces.map((p) => m.push(p)).join('') + m.flush();
}

describe('SecretMasker', () => {
  it('masks a secret wherever it appears, and passes everything else unchanged', () => {
    const m = new SecretMasker(['hunter2-secret']);
    expect(through(m, ['token=hunter2-secret and x hunter2-secret\n'])).toBe('token=*** and x ***\n');
    expect(through(new SecretMasker([]), ['hunter2-secret'])).toBe('hunter2-secret');
  });

  it('masks a secret split across chunks at every possible boundary', () => {
    const secret = 's3cr3t-value-XYZ';
    const text = `before ${secret} after\n`;
    for (let i = 1; i < text.length; i++) {
      for (let j = i; j < text.length; j++) {
        const out = through(new SecretMasker([secret]), [text.slice(0, i), text.slice(i, j), text.slice(j)]);
        expect(out).toBe('before *** after\n');
      }
    }
  });

  it('holds back only what could still be the start of a secret', () => {
    const m = new SecretMasker(['abcdef']);
    expect(m.push('hello world ab')).toBe('hello wor');
    expect(m.push('cdef!')).toBe('ld ***');
    expect(m.flush()).toBe('!');
  });

  it('prefers the longest secret, treats regex characters literally, and masks a multi-line secret line by line', () => {
    const m = new SecretMasker(['pass', 'password-long', 'a.b*c', 'line-one-secret\nline-two-secret']);
    expect(through(m, ['password-long pass a.b*c axbbc\n'])).toBe('*** *** *** axbbc\n');
    expect(through(m, ['> line-two-secret <'])).toBe('> *** <');
  });
});
