// Password hashing with argon2id (OWASP's recommended parameters, @node-rs/argon2 defaults),
// plus a short-lived cache of successful checks so git clients that send Basic credentials on
// every request don't pay a full argon2 verification each time. The argon2 addon loads at the
// first hash or check (a sign-in, a git client's password), not at start-up: ~4 MB idle.
import { createHash, randomBytes } from 'node:crypto';

let argon2: Promise<typeof import('@node-rs/argon2')> | null = null;
const argon2Lib = () => (argon2 ??= import('@node-rs/argon2'));

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

const ARGON2ID = 2; // Algorithm.Argon2id (a const enum in the typings)

export async function hashPassword(password: string): Promise<string> {
  const { hash } = await argon2Lib();
  return hash(password, { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

// A valid hash of a random string, verified against when the user doesn't exist so the
// response time doesn't tell whether a name is taken.
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const { verify } = await argon2Lib();
  if (!stored) {
    dummyHash ??= hashPassword(`dummy-${Math.random()}`);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Remembers (user, stored hash, password) triples that verified, for a minute. */
export class VerifiedPasswordCache {
  private readonly entries = new Map<string, number>();
  private readonly secret = randomBytes(32).toString('hex');

  constructor(
    private readonly ttlMs = 60_000,
    private readonly max = 1_000,
  ) {}

  private key(userId: number, storedHash: string, password: string): string {
    return createHash('sha256').update(`${this.secret}\0${userId}\0${storedHash}\0${password}`).digest('hex');
  }

  has(userId: number, storedHash: string, password: string): boolean {
    const k = this.key(userId, storedHash, password);
    const exp = this.entries.get(k);
    if (exp === undefined) return false;
    if (exp < Date.now()) {
      this.entries.delete(k);
      return false;
    }
    return true;
  }

  add(userId: number, storedHash: string, password: string): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(this.key(userId, storedHash, password), Date.now() + this.ttlMs);
  }
}
