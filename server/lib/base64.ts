// Base64 as the API takes it (Gitea's contents and wiki bodies): strict, so bytes that don't
// decode are a 422 naming the field, never silently dropped.
import { Invalid } from './errors.js';

/** Strict base64 (line breaks allowed, as `base64` writes them); anything else is a 422. */
export function decodeBase64(text: string, field: string): Buffer {
  const compact = text.replace(/\r?\n/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw Invalid(`${field} is not valid base64`);
  return Buffer.from(compact, 'base64');
}
