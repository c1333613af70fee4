import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRig, workRepo, type ReadRig, type WorkRepo } from '../../test/fixtures/git-repos.js';
import { noise } from '../../test/fixtures/rig.js';
import { blobHead, isBinary, parseLfsPointer, readBlob } from './blob.js';

const LFS = 'version https://git-lfs.github.com/spec/v1\noid sha256:' + 'ab'.repeat(32) + '\nsize 12345\n';

let r: ReadRig;
let w: WorkRepo;
const sha = (p: string) => w.git(['rev-parse', `HEAD:${p}`]).then((s) => s.trim());

beforeAll(async () => {
  r = await readRig();
  w = await workRepo();
  await w.commit(
    {
      'text.md': 'hello\n',
      'image.bin': Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n'), Buffer.alloc(10), noise(5000, 1)]),
      'late-nul.txt': Buffer.concat([Buffer.alloc(9000, 'a'), Buffer.from([0])]),
      'huge.txt': Buffer.alloc(3 * 1024 * 1024, 'x'),
      'huge.bin': Buffer.concat([Buffer.from([0]), noise(3 * 1024 * 1024, 2)]),
      'model.bin': LFS,
    },
    'blobs',
  );
});
afterAll(async () => r?.close());

describe('blob reader', () => {
  it('reads a small text file whole', async () => {
    const b = await readBlob(r.ctx, w.repo, await sha('text.md'), 1024);
    expect(b).toMatchObject({ size: 6, binary: false, lfs: null });
    expect(b!.content!.toString()).toBe('hello\n');
  });

  it('calls a file binary when a NUL appears in its first 8000 bytes, as git does', async () => {
    expect((await readBlob(r.ctx, w.repo, await sha('image.bin'), 1 << 20))!.binary).toBe(true);
    expect((await readBlob(r.ctx, w.repo, await sha('late-nul.txt'), 1 << 20))!.binary).toBe(false);
    expect(isBinary(Buffer.from('plain'))).toBe(false);
    expect(isBinary(Buffer.from([65, 0, 66]))).toBe(true);
  });

  it('returns no content above the cap but still classifies the file from its start', async () => {
    const text = await readBlob(r.ctx, w.repo, await sha('huge.txt'), 1024 * 1024);
    expect(text).toMatchObject({ size: 3 * 1024 * 1024, content: null, binary: false });
    expect(text!.head.length).toBe(8000);
    const bin = await readBlob(r.ctx, w.repo, await sha('huge.bin'), 1024 * 1024);
    expect(bin).toMatchObject({ content: null, binary: true });
    expect((await blobHead(r.ctx, w.repo, await sha('huge.bin'), 10)).length).toBe(10);
  });

  it('recognises a Git LFS pointer and nothing else as one', async () => {
    const b = await readBlob(r.ctx, w.repo, await sha('model.bin'), 1024);
    expect(b!.lfs).toEqual({ oid: 'ab'.repeat(32), size: 12345 });
    expect(parseLfsPointer(Buffer.from(LFS.replace('size 12345', 'size x')))).toBeNull();
    expect(parseLfsPointer(Buffer.from('version https://example.test/spec\noid sha256:' + 'ab'.repeat(32) + '\nsize 1\n'))).toBeNull();
    expect(parseLfsPointer(Buffer.from(LFS + 'x'.repeat(2000)))).toBeNull();
    const ext = 'version https://git-lfs.github.com/spec/v1\next-0-foo sha256:' + 'cd'.repeat(32) + '\noid sha256:' + 'ef'.repeat(32) + '\nsize 7\n';
    expect(parseLfsPointer(Buffer.from(ext))).toEqual({ oid: 'ef'.repeat(32), size: 7 });
  });

  it('answers null for something that is not a blob', async () => {
    expect(await readBlob(r.ctx, w.repo, (await w.git(['rev-parse', 'HEAD^{tree}'])).trim(), 1024)).toBeNull();
    expect(await readBlob(r.ctx, w.repo, '0'.repeat(40), 1024)).toBeNull();
  });
});
