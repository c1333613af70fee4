import { describe, expect, it } from 'vitest';
import { fsckLines } from './fsck.js';

describe('fsckLines', () => {
  it("joins git's indented continuation to the broken link it belongs to", () => {
    const stdout = [
      'broken link from    tree b6e27b90190be9c9d9057a5ece14d2fba3a2c9d7',
      '              to    blob 65ef226608e282dd5451753dfa9dbb21f230a731',
      'missing blob 65ef226608e282dd5451753dfa9dbb21f230a731',
      '',
    ].join('\n');
    expect(fsckLines(stdout)).toEqual([
      'broken link from tree b6e27b90190be9c9d9057a5ece14d2fba3a2c9d7 to blob 65ef226608e282dd5451753dfa9dbb21f230a731',
      'missing blob 65ef226608e282dd5451753dfa9dbb21f230a731',
    ]);
  });

  it('keeps stderr lines as they are and drops blank ones', () => {
    expect(fsckLines('\nerror: refs/heads/x: invalid sha1 pointer 0123\n\n')).toEqual(['error: refs/heads/x: invalid sha1 pointer 0123']);
    expect(fsckLines('')).toEqual([]);
  });
});
