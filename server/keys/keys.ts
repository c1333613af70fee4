// SSH public keys: parse exactly one OpenSSH public key line (no options, no second key, no
// newlines), accept ed25519, ECDSA and RSA of at least 2048 bits, and let a fingerprint belong
// to one account only.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { Selectable } from 'kysely';
import type { Db } from '../db/index.js';
import type { SshKeyTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/index.js';
import type { AuditLog } from '../audit/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';

export const MAX_KEY_TEXT = 16 * 1024;
const ALLOWED_TYPES = new Set(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa']);

export interface ParsedKey {
  type: string;
  /** The key blob, base64 as in authorized_keys. */
  blob: string;
  comment: string;
  fingerprint: string;
  bits: number | null;
}

/** OpenSSH's SHA256 fingerprint of a key blob: `SHA256:<base64 without padding>`. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Bit length of an RSA key's modulus, read from its wire-format blob. */
function rsaBits(blob: Buffer): number {
  let off = 0;
  const next = () => {
    const len = blob.readUInt32BE(off);
    const v = blob.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    return v;
  };
  next(); // "ssh-rsa"
  next(); // e
  let n = next();
  while (n.length && n[0] === 0) n = n.subarray(1);
  return n.length ? (n.length - 1) * 8 + (32 - Math.clz32(n[0]!)) : 0;
}

export function parsePublicKey(text: string): ParsedKey {
  if (typeof text !== 'string' || text.length === 0) throw Invalid('key is empty');
  if (text.length > MAX_KEY_TEXT) throw Invalid(`key is longer than ${MAX_KEY_TEXT} characters`);
  const line = text.replace(/\r?\n$/, '').trim();
  if (/[\r\n\0]/.test(line)) throw Invalid('paste exactly one public key, on one line');
  const parts = line.split(/[ \t]+/);
  const [type, data, ...rest] = parts;
  if (!type || !ALLOWED_TYPES.has(type)) {
    if (type && /^(ssh-|ecdsa-|sk-)/.test(type)) throw Invalid(`key type ${type} is not accepted; use ed25519, ECDSA or RSA (2048 bits or more)`);
    throw Invalid('key must start with its type (ssh-ed25519, ecdsa-sha2-…, ssh-rsa); authorized_keys options are not allowed');
  }
  if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw Invalid('key data is not valid base64');
  if (rest.some((r) => ALLOWED_TYPES.has(r))) throw Invalid('paste exactly one public key, not several');
  const parsed = ssh2.utils.parseKey(`${type} ${data}`);
  if (parsed instanceof Error || Array.isArray(parsed)) throw Invalid(`key could not be parsed: ${parsed instanceof Error ? parsed.message : 'several keys'}`);
  if (parsed.type !== type) throw Invalid(`key says ${type} but holds ${parsed.type}`);
  const blob = parsed.getPublicSSH();
  if (!blob.equals(Buffer.from(data, 'base64'))) throw Invalid('key data has trailing garbage');
  const bits = type === 'ssh-rsa' ? rsaBits(blob) : null;
  if (bits !== null && bits < 2048) throw Invalid(`RSA keys must have at least 2048 bits (this one has ${bits})`);
  return { type, blob: blob.toString('base64'), comment: rest.join(' ').slice(0, 255), fingerprint: fingerprintOf(blob), bits };
}

export type KeyRow = Selectable<SshKeyTable>;

export class KeyService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  async add(userId: number, title: string, keyText: string, ctx: { actorId: number; ip?: string | null }): Promise<KeyRow> {
    const key = parsePublicKey(keyText);
    const name = (title || key.comment || key.type).trim().slice(0, 255);
    if (!name) throw Invalid('title is required');
    const taken = await this.db.selectFrom('ssh_keys').select('user_id').where('fingerprint', '=', key.fingerprint).executeTakeFirst();
    if (taken) throw Conflict(taken.user_id === userId ? 'you have already added this key' : 'this key is already in use by another account; each key may belong to one account');
    try {
      const row = await this.db
        .insertInto('ssh_keys')
        .values({ user_id: userId, name, fingerprint: key.fingerprint, content: `${key.type} ${key.blob}`, key_type: key.type, created_at: Date.now(), last_used_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit.record({
        actorId: ctx.actorId,
        action: 'key.add',
        targetType: 'ssh_key',
        targetId: row.id,
        detail: { user_id: userId, fingerprint: key.fingerprint, type: key.type },
        ip: ctx.ip ?? null,
      });
      return row;
    } catch (err) {
      if (isUniqueViolation(err)) throw Conflict('this key is already in use by another account; each key may belong to one account');
      throw err;
    }
  }

  list(userId: number): Promise<KeyRow[]> {
    return this.db.selectFrom('ssh_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  async get(userId: number, id: number): Promise<KeyRow> {
    const row = await this.db.selectFrom('ssh_keys').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (!row) throw NotFound('key does not exist');
    return row;
  }

  async remove(userId: number, id: number, ctx: { actorId: number; ip?: string | null }): Promise<void> {
    const res = await this.db.deleteFrom('ssh_keys').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    if (!Number(res.numDeletedRows)) throw NotFound('key does not exist');
    await this.audit.record({ actorId: ctx.actorId, action: 'key.remove', targetType: 'ssh_key', targetId: id, detail: { user_id: userId }, ip: ctx.ip ?? null });
  }

  /** The key (and its owner) with this fingerprint, for SSH authentication. */
  async byFingerprint(fingerprint: string): Promise<KeyRow | undefined> {
    return this.db.selectFrom('ssh_keys').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
  }

  async touch(id: number): Promise<void> {
    await this.db.updateTable('ssh_keys').set({ last_used_at: Date.now() }).where('id', '=', id).execute();
  }
}
