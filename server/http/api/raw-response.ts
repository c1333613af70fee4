// How repository files are sent as raw bytes. A file from a repository is someone else's
// content served from our origin, so it must never become a page that runs script here:
// text is always text/plain (an .html file shows as source), only media types we name are
// served as themselves, SVG and everything else gets a sandboxing CSP, and nosniff stops the
// browser from second-guessing any of it. Unknown binaries download as attachments.
import path from 'node:path';
import type { Request, Response } from 'express';
import type { Blob } from '../../git/blob.js';
import type { ResolvedRef } from '../../git/refs.js';
import { FULL_SHA_RE } from '../../git/refs.js';

const MEDIA_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  svg: 'image/svg+xml',
  mp4: 'video/mp4',
  webm: 'video/webm',
  ogv: 'video/ogg',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  wav: 'audio/wav',
  flac: 'audio/flac',
};

/** Applied to every raw response, whatever its type. */
export const RAW_CSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

export function rawContentType(name: string, binary: boolean): { type: string; inline: boolean } {
  const ext = path.extname(name).slice(1).toLowerCase();
  const media = MEDIA_TYPES[ext];
  if (media) return { type: media, inline: true };
  if (!binary) return { type: 'text/plain; charset=utf-8', inline: true };
  return { type: 'application/octet-stream', inline: false };
}

/** `inline` or `attachment`, with an ASCII fallback name and the exact UTF-8 one (RFC 6266). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The response to a blob request: 304 when the caller's copy is current, else the headers to
 * send. Content at a full commit id never changes and may be cached for good; under a branch
 * or tag it is revalidated with the blob id as ETag.
 */
export function rawResponse(req: Request, name: string, blob: Blob, ref: ResolvedRef): { notModified: boolean; headers: Map<string, string> } {
  const { type, inline } = rawContentType(name, blob.binary);
  const etag = `"${blob.sha}"`;
  const headers: Record<string, string> = {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': RAW_CSP,
    'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', name),
    ETag: etag,
    'Cache-Control': ref.kind === 'commit' && FULL_SHA_RE.test(ref.name) ? 'private, max-age=31536000, immutable' : 'private, no-cache',
  };
  const ifNoneMatch = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (ifNoneMatch.includes(etag)) return { notModified: true, headers: new Map(Object.entries(headers)) };
  headers['Content-Length'] = String(blob.size);
  return { notModified: false, headers: new Map(Object.entries(headers)) };
}

/** Headers for generated text (`.diff`, `.patch`): plain text, never rendered. */
export function startPlainText(res: Response, filename?: string): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', RAW_CSP);
  if (filename) res.setHeader('Content-Disposition', contentDisposition('inline', filename));
  res.status(200);
}
