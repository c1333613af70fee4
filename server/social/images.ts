// Images people upload (an avatar, a post's pictures) never reach another browser as sent: the
// header is read first, and anything that isn't a PNG, JPEG, WebP or GIF, or that claims more
// pixels than we decode (a 40,000×40,000 "decompression bomb" is a few kilobytes of PNG), is
// refused before a pixel is decoded; what passes is decoded with the same pixel cap, turned
// upright (EXIF orientation), stripped of its metadata (location, camera) and re-encoded as
// WebP at the size we show it. libvips through sharp; loaded when the first image arrives.
import type { Sharp, SharpOptions } from 'sharp';
import { Invalid } from '../lib/errors.js';

/** The most pixels an upload may have (as its header says, and as decoding finds). */
export const IMAGE_MAX_PIXELS = 40_000_000;
/** The most bytes of one uploaded image. */
export const IMAGE_MAX_BYTES = 8 * 1024 * 1024;
const FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

type SharpFn = (input?: Buffer, opts?: SharpOptions) => Sharp;
let loaded: Promise<SharpFn> | null = null;
function sharp(): Promise<SharpFn> {
  loaded ??= import('sharp').then((m) => {
    const fn = m.default;
    fn.cache(false); // the re-encoding happens once per upload; keep no decoded images around
    return fn as unknown as SharpFn;
  });
  return loaded;
}

export interface Encoded {
  data: Buffer;
  width: number;
  height: number;
}

/**
 * `bytes` re-encoded as WebP: a `size`×`size` square (cropped to the middle) for an avatar, or
 * fitted inside `maxSide` (never enlarged) for a picture. `what` names it in the refusals.
 */
export async function reencode(bytes: Buffer, fit: { square: number } | { maxSide: number }, what = 'image'): Promise<Encoded> {
  if (bytes.length === 0) throw Invalid(`${what}: empty`);
  if (bytes.length > IMAGE_MAX_BYTES) throw Invalid(`${what}: at most ${IMAGE_MAX_BYTES / 1024 / 1024} MiB`);
  const load = await sharp();
  const opts: SharpOptions = { limitInputPixels: IMAGE_MAX_PIXELS, failOn: 'error', animated: false };
  let format: string | undefined;
  let width = 0;
  let height = 0;
  try {
    // the header only: nothing is decoded yet (so no pixel cap here; the size is checked below, by us)
    ({ format, width = 0, height = 0 } = await load(bytes, { ...opts, limitInputPixels: false }).metadata());
  } catch {
    throw Invalid(`${what}: not an image we can read (PNG, JPEG, WebP or GIF)`);
  }
  if (!format || !FORMATS.has(format)) throw Invalid(`${what}: ${format ?? 'this'} is not a PNG, JPEG, WebP or GIF`);
  if (width * height > IMAGE_MAX_PIXELS || width === 0 || height === 0) {
    throw Invalid(`${what}: ${width}×${height} is too many pixels (at most ${IMAGE_MAX_PIXELS / 1_000_000} million)`);
  }
  try {
    let img = load(bytes, opts).rotate();
    img = 'square' in fit ? img.resize(fit.square, fit.square, { fit: 'cover' }) : img.resize(fit.maxSide, fit.maxSide, { fit: 'inside', withoutEnlargement: true });
    const { data, info } = await img.webp({ quality: 82 }).toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch {
    throw Invalid(`${what}: the image is damaged and could not be decoded`);
  }
}

/**
 * A default avatar for `name`: a 5×5 mirrored pattern in a colour taken from the name (as
 * GitHub's identicons), drawn as pixels, 256×256 PNG. Same name, same picture.
 */
export async function identicon(name: string): Promise<Buffer> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256').update(name.toLowerCase()).digest();
  const hue = ((h[0]! << 8) | h[1]!) % 360;
  const [r, g, b] = hslToRgb(hue / 360, 0.55, 0.55);
  const bg = [240, 240, 240];
  const px = Buffer.alloc(5 * 5 * 3);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 3; x++) {
      const on = (h[2 + y * 3 + x]! & 1) === 1;
      for (const xx of x === 2 ? [2] : [x, 4 - x]) px.set(on ? [r, g, b] : bg, (y * 5 + xx) * 3);
    }
  }
  const load = await sharp();
  return load(px, { raw: { width: 5, height: 5, channels: 3 } })
    .resize(210, 210, { kernel: 'nearest' })
    .extend({ top: 23, bottom: 23, left: 23, right: 23, background: { r: bg[0]!, g: bg[1]!, b: bg[2]! } })
    .png({ compressionLevel: 9, palette: true })
    .toBuffer();
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const ch = (t: number) => {
    const u = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    const v = u < 1 / 6 ? p + (q - p) * 6 * u : u < 1 / 2 ? q : u < 2 / 3 ? p + (q - p) * (2 / 3 - u) * 6 : p;
    return Math.round(v * 255);
  };
  return [ch(h + 1 / 3), ch(h), ch(h - 1 / 3)];
}
