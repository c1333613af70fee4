import { describe, expect, it } from 'vitest';
import { parseCommit, parseSignature, parseTag, parseTree, signatureDate, summary } from './objects.js';

describe('object parsers', () => {
  it('parses a merge commit with a multi-line signature header', () => {
    const raw = [
      'tree 1111111111111111111111111111111111111111',
      'parent 2222222222222222222222222222222222222222',
      'parent 3333333333333333333333333333333333333333',
      'author Ada Lovelace <ada@example.test> 1700000000 +0200',
      'committer Bob <bob@example.test> 1700000060 -0530',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' abc',
      ' -----END PGP SIGNATURE-----',
      '',
      'Merge branch x',
      '',
      'Body line\n',
    ].join('\n');
    const c = parseCommit('c'.repeat(40), Buffer.from(raw));
    expect(c.tree).toBe('1'.repeat(40));
    expect(c.parents).toEqual(['2'.repeat(40), '3'.repeat(40)]);
    expect(c.author).toEqual({ name: 'Ada Lovelace', email: 'ada@example.test', when: 1700000000, tz: '+0200' });
    expect(c.message).toBe('Merge branch x\n\nBody line\n');
    expect(summary(c.message)).toBe('Merge branch x');
    expect(signatureDate(c.author)).toBe('2023-11-15T00:13:20+02:00');
    expect(signatureDate(c.committer)).toBe('2023-11-14T16:44:20-05:30');
  });

  it('keeps going on a malformed identity instead of throwing', () => {
    expect(parseSignature('no email here')).toMatchObject({ name: 'no email here', email: '', when: 0 });
    expect(parseSignature(' <> 0 +0000')).toMatchObject({ name: '', email: '', when: 0 });
  });

  it('parses an annotated tag and drops its signature from the message', () => {
    const raw = 'object ' + 'a'.repeat(40) + '\ntype commit\ntag v1.0\ntagger T <t@e> 1700000000 +0000\n\nRelease 1.0\n-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n';
    const t = parseTag('b'.repeat(40), Buffer.from(raw));
    expect(t).toMatchObject({ object: 'a'.repeat(40), type: 'commit', tag: 'v1.0', message: 'Release 1.0\n' });
    expect(t.tagger?.name).toBe('T');
  });

  it('parses binary tree entries of every kind', () => {
    const id = (b: number) => Buffer.alloc(20, b);
    const buf = Buffer.concat([
      Buffer.from('100644 a file\0'),
      id(1),
      Buffer.from('100755 run.sh\0'),
      id(2),
      Buffer.from('40000 dir\0'),
      id(3),
      Buffer.from('120000 link\0'),
      id(4),
      Buffer.from('160000 sub\0'),
      id(5),
      Buffer.from('100644 ünï\0'),
      id(6),
    ]);
    const entries = parseTree(buf);
    expect(entries.map((e) => [e.name, e.type, e.mode])).toEqual([
      ['a file', 'file', '100644'],
      ['run.sh', 'file', '100755'],
      ['dir', 'dir', '040000'],
      ['link', 'symlink', '120000'],
      ['sub', 'submodule', '160000'],
      ['ünï', 'file', '100644'],
    ]);
    expect(entries[2]!.sha).toBe('03'.repeat(20));
    expect(() => parseTree(Buffer.from('100644 truncated\0abc'))).toThrow(/malformed/);
  });
});
