import { describe, expect, it } from 'vitest';
import { localUrl } from './supervised.js';

describe('the URL the desktop shell opens', () => {
  it('is loopback when the server listens everywhere or on loopback', () => {
    expect(localUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000/');
    expect(localUrl('::', 3000)).toBe('http://127.0.0.1:3000/');
    expect(localUrl('127.0.0.1', 41234)).toBe('http://127.0.0.1:41234/');
  });

  it('is the one address the server listens on otherwise', () => {
    expect(localUrl('192.168.1.20', 3000)).toBe('http://192.168.1.20:3000/');
    expect(localUrl('fd00::5', 3000)).toBe('http://[fd00::5]:3000/');
  });
});
