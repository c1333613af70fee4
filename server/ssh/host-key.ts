// The SSH host key: <data>/ssh/ssh_host_ed25519_key, made on first start and never replaced
// behind the operator's back. An unreadable key stops the server with a message instead.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { Db } from '../db/index.js';
import { fingerprintOf } from '../keys/index.js';
import type { Logger } from '../lib/log.js';

export interface HostKey {
  privateKey: Buffer;
  /** `ssh-ed25519 AAAA…` */
  publicLine: string;
  fingerprint: string;
}

/**
 * A new ed25519 key in OpenSSH format. ssh2's generator now and then (a few in a thousand)
 * emits a key its own parser rejects, so each one is parsed and test-signed before use.
 */
function generateHostKey(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'gitssy host key' });
    const parsed = ssh2.utils.parseKey(pair.private);
    if (parsed instanceof Error || Array.isArray(parsed)) continue;
    const probe = Buffer.from('gitssy host key check');
    const sig = parsed.sign(probe);
    if (!(sig instanceof Error) && parsed.verify(probe, sig) === true) return pair;
  }
  throw new Error('could not generate a usable SSH host key');
}

export async function loadOrCreateHostKey(sshDir: string): Promise<HostKey> {
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  const file = path.join(sshDir, 'ssh_host_ed25519_key');
  let privateKey: Buffer;
  try {
    privateKey = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const pair = generateHostKey();
    await writeFile(`${file}.tmp`, pair.private, { mode: 0o600 });
    await writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
    await rename(`${file}.tmp`, file);
    privateKey = Buffer.from(pair.private);
  }
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || Array.isArray(parsed)) {
    throw new Error(
      `the SSH host key ${file} cannot be read (${parsed instanceof Error ? parsed.message : 'several keys'}); restore it from a backup, or move it away to have a new one made (clients will then warn about a changed host key)`,
    );
  }
  const blob = parsed.getPublicSSH();
  return { privateKey, publicLine: `${parsed.type} ${blob.toString('base64')}`, fingerprint: fingerprintOf(blob) };
}

/** The row holding the host key every instance on one PostgreSQL database serves. */
const CLUSTER_KEY = 'ssh_host_ed25519_key';

/**
 * Several instances on one database answer SSH as one host: the first to start offers its key
 * (`local`) to the database and every instance then serves the key the database holds. An
 * instance whose own key differs keeps it beside as `ssh_host_ed25519_key.before-cluster` and
 * takes the shared one, so its data dir holds the key it serves. (The database already holds
 * everything the forge has; the key adds nothing an intruder there couldn't take.)
 */
export async function shareHostKey(db: Db, sshDir: string, local: HostKey, log: Logger): Promise<HostKey> {
  await db
    .insertInto('cluster_secrets')
    .values({ name: CLUSTER_KEY, value: local.privateKey.toString('utf8'), created_at: Date.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('cluster_secrets').select('value').where('name', '=', CLUSTER_KEY).executeTakeFirstOrThrow();
  if (row.value === local.privateKey.toString('utf8')) return local;
  const parsed = ssh2.utils.parseKey(row.value);
  if (parsed instanceof Error || Array.isArray(parsed))
    throw new Error(`the SSH host key the instances share (cluster_secrets.${CLUSTER_KEY}) cannot be read; delete that row to have this instance's key shared instead`);
  const blob = parsed.getPublicSSH();
  const shared: HostKey = { privateKey: Buffer.from(row.value), publicLine: `${parsed.type} ${blob.toString('base64')}`, fingerprint: fingerprintOf(blob) };
  const file = path.join(sshDir, 'ssh_host_ed25519_key');
  await rename(file, `${file}.before-cluster`).catch(() => {});
  await rename(`${file}.pub`, `${file}.pub.before-cluster`).catch(() => {});
  await writeFile(`${file}.tmp`, row.value, { mode: 0o600 });
  await writeFile(`${file}.pub`, `${shared.publicLine} gitssy host key\n`, { mode: 0o644 });
  await rename(`${file}.tmp`, file);
  log.warn(
    { was: local.fingerprint, now: shared.fingerprint },
    'serving the SSH host key the instances on this database share; this instance’s own key is kept as ssh_host_ed25519_key.before-cluster',
  );
  return shared;
}
