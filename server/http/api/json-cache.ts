// Serialized JSON bodies of commit-addressed responses (a commit's diff, a page of history from a
// commit), so a repeat skips building, stringifying and hashing a body that can be a megabyte.
// The key holds everything else the body depends on: the base URL, who is asking (account JSON
// shows an email to its owner and admins) and the linked account rows themselves.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { UserRow } from '../../db/schema.js';
import { WeightedLru } from '../../git/lru.js';
import type { Services } from '../../services.js';
import { baseUrl } from './json.js';

interface Entry {
  body: Buffer;
  etag: string;
}

export class JsonBodyCache {
  private readonly lru: WeightedLru<string, Entry>;

  constructor(maxBytes = 32 * 1024 * 1024) {
    this.lru = new WeightedLru(maxBytes, (e) => e.body.length + 256);
  }

  /** The part of a key every body shares: base URL, viewer, linked accounts as they are now. */
  static contextKey(s: Services, req: Request, users: Map<string, UserRow>): string {
    const viewer = req.user ? `${req.user.id}:${req.user.is_admin}` : '-';
    return `${baseUrl(s, req)}\0${viewer}\0${JSON.stringify([...users])}`;
  }

  /** Answers 200 with the body kept under `key`, building (and keeping) it first if needed. */
  send(res: Response, key: string, build: () => unknown): void {
    let entry = this.lru.get(key);
    if (!entry) {
      const body = Buffer.from(JSON.stringify(build()), 'utf8');
      // Express's weak ETag, computed once instead of on every send
      entry = { body, etag: `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"` };
      this.lru.set(key, entry);
    }
    res.setHeader('ETag', entry.etag);
    res.status(200).type('application/json').send(entry.body);
  }
}
