// Made-up secrets in the shapes the rules look for, for the tests and the benchmark. They are
// built at run time from a seed (never written out in the source), so this file is not itself a
// file full of look-alike secrets for other scanners to report.
import { createHash, generateKeyPairSync } from 'node:crypto';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const B64 = ALNUM + '+/';

/** Deterministic characters from `alphabet` (sha256 in counter mode over the seed). */
export function randomFrom(alphabet: string, length: number, seed: string): string {
  let out = '';
  for (let i = 0; out.length < length; i++) {
    for (const byte of createHash('sha256').update(`${seed}:${i}`).digest()) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

const base64Lines = (bytes: number, seed: string) => {
  const body = randomFrom(B64, Math.ceil((bytes * 4) / 3), seed);
  return body.match(/.{1,64}/g)!.join('\n');
};

export const sample = {
  awsKeyId: (seed = 'aws-id') => `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16, seed)}`,
  awsSecret: (seed = 'aws-secret') => randomFrom(B64, 40, seed),
  githubPat: (seed = 'ghp') => `ghp_${randomFrom(ALNUM, 36, seed)}`,
  githubOauth: (seed = 'gho') => `gho_${randomFrom(ALNUM, 36, seed)}`,
  githubFineGrained: (seed = 'github-pat') => `github_pat_${randomFrom(ALNUM, 22, seed)}_${randomFrom(ALNUM, 59, `${seed}2`)}`,
  gitlabPat: (seed = 'glpat') => `glpat-${randomFrom(ALNUM + '-_', 20, seed)}`,
  slackBot: (seed = 'slack') => `xoxb-${randomFrom(DIGITS, 12, seed)}-${randomFrom(DIGITS, 13, `${seed}2`)}-${randomFrom(ALNUM, 24, `${seed}3`)}`,
  slackWebhook: (seed = 'slack-hook') => `https://hooks.slack.com/services/T${randomFrom(UPPER + DIGITS, 9, seed)}/B${randomFrom(UPPER + DIGITS, 9, `${seed}2`)}/${randomFrom(ALNUM, 24, `${seed}3`)}`,
  stripeLive: (seed = 'stripe') => `sk_${'live'}_${randomFrom(ALNUM, 32, seed)}`,
  stripeRestricted: (seed = 'stripe-rk') => `rk_${'live'}_${randomFrom(ALNUM, 32, seed)}`,
  googleApiKey: (seed = 'google') => `AIza${randomFrom(ALNUM + '-_', 35, seed)}`,
  password: (seed = 'password') => randomFrom(ALNUM, 18, seed),
  /** A high-entropy value for a `secret = …` line in a configuration file. */
  configSecret: (seed = 'config') => randomFrom(ALNUM + '+/', 32, seed),
  /** A real RSA key (PKCS#1 PEM), small so the tests stay quick. */
  rsaKey: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  /** A real EC key (SEC1 PEM). */
  ecKey: () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  /** A real PKCS#8 key ("BEGIN PRIVATE KEY"). */
  pkcs8Key: () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  /** The shape of an OpenSSH key (random body). */
  opensshKey: (seed = 'openssh') => `-----BEGIN OPENSSH PRIVATE KEY-----\n${base64Lines(400, seed)}\n-----END OPENSSH PRIVATE KEY-----\n`,
  /** The shape of an armored PGP secret key (headers, random body, checksum). */
  pgpKey: (seed = 'pgp') => `-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n${base64Lines(600, seed)}\n=${randomFrom(B64, 4, `${seed}crc`)}\n-----END PGP PRIVATE KEY BLOCK-----\n`,
};
