// The secret-scanning ruleset, as data (in gitleaks' style): each content rule is a regex with
// the secret in one capture group, the literal keywords a file must hold before the regex runs
// (the fast prefilter), an optional path filter, a minimum Shannon entropy and an allowlist of
// look-alikes (AWS's documented EXAMPLE keys, `${PASSWORD}`, `<token>`, `xxxx`). File rules flag
// risky files by name (and, for some, by their first bytes). rules.test.ts holds a positive
// sample and look-alike negatives for every rule.

export type Severity = 'high' | 'medium' | 'low';

export interface ContentRule {
  kind: 'content';
  id: string;
  description: string;
  severity: Severity;
  /** Must be global (`g`); the secret is capture group `group` (0: the whole match). */
  regex: RegExp;
  group?: number;
  /** Literal strings (case-sensitive): a file without any of them is not matched at all. */
  keywords?: readonly string[];
  /** A cheaper test the file must pass first, for rules whose keywords aren't literal (no `g` flag). */
  prefilter?: RegExp;
  /** Only files whose path matches. */
  paths?: RegExp;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** The secret must also match this (a generic value needs letters and digits, not a dotted name). */
  shape?: RegExp;
  /** Look-alikes: a secret matching any of these is not a finding. */
  allowlist?: readonly RegExp[];
  /** A private key: what the per-repository pre-receive refusal looks for. */
  privateKey?: boolean;
}

export interface FileRule {
  kind: 'file';
  id: string;
  description: string;
  severity: Severity;
  /** The file's path (the whole path, `/`-separated). */
  path: RegExp;
  /** When set, the file's first 8 KiB must also match (a file too large to read is flagged by name alone). */
  head?: RegExp;
}

export type Rule = ContentRule | FileRule;

/** Values people write where a secret would go: never a finding, whatever the rule. */
export const PLACEHOLDERS: readonly RegExp[] = [
  /^\$\{[^}]*\}$/, // ${PASSWORD}
  /^\$\(?[A-Za-z_][A-Za-z0-9_]*\)?$/, // $PASSWORD, $(PASSWORD)
  /^\{\{.*\}\}$/, // {{ password }}
  /^\$\{\{.*\}\}$/, // ${{ secrets.TOKEN }}
  /^<[^>]*>$/, // <password>
  /^\[[^\]]*\]$/, // [password]
  /^%\(?[A-Za-z_]*\)?s$/, // %s, %(password)s
  /^%[A-Z_]+%$/, // %PASSWORD%
  /^#\{[^}]*\}$/, // #{password}
  /^([*xX.#•_-])\1{2,}$/, // ****, xxxx, ....
  /^(?:your|my)[-_][\w-]*$/i, // your_password, my-token
  /^(?:password|passwd|pass|pwd|secret|changeme|change_me|example|sample|placeholder|redacted|dummy|test|testing|foo|bar|baz|user|username|token|apikey|api_key|none|null|nil|undefined|true|false|todo|fixme)$/i,
  /EXAMPLE/, // AWS's documented keys: AKIAIOSFODNN7EXAMPLE, …EXAMPLEKEY
  /(?:x{6,}|X{6,}|0{10,}|\*{4,})/, // ghp_xxxxxxxx…, masked values
];

/** Configuration files: where a high-entropy `secret = …` assignment is most likely a real one. */
export const CONFIG_PATHS = /(?:^|\/)(?:\.env(?:\.[^/]*)?|[^/]+\.(?:ya?ml|json|ini|properties|toml|cfg|conf|env))$/i;

/** The base64 body of a PEM block, as it appears literally or JSON-escaped (`\n`). */
const PEM_BODY = String.raw`((?:[A-Za-z0-9+/=]|\\r|\\n|\r|\n|[ \t]){64,16384}?)`;
const PEM_BREAK = String.raw`(?:\\r|\\n|\r|\n)+`;
const PEM_HEADERS = String.raw`(?:[A-Za-z-]+: [^\r\n\\]*${PEM_BREAK})*`;

export const RULES: readonly Rule[] = [
  {
    kind: 'content',
    id: 'private-key',
    description: 'Private key (PEM: RSA, EC, DSA, OpenSSH, PKCS#8, PGP)',
    severity: 'high',
    regex: new RegExp(String.raw`-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----${PEM_BREAK}${PEM_HEADERS}${PEM_BODY}-----END `, 'g'),
    group: 2,
    keywords: ['PRIVATE KEY'],
    entropy: 4.2,
    privateKey: true,
  },
  {
    kind: 'content',
    id: 'putty-private-key',
    description: 'PuTTY private key',
    severity: 'high',
    regex: /PuTTY-User-Key-File-[23]: [\w-]+\r?\nEncryption: [\w-]+\r?\nComment: [^\r\n]*\r?\nPublic-Lines: \d+\r?\n[\s\S]{0,4096}?Private-Lines: \d+\r?\n([A-Za-z0-9+/=\r\n]{40,})/g,
    group: 1,
    keywords: ['PuTTY-User-Key-File-'],
    entropy: 4,
    privateKey: true,
  },
  {
    kind: 'content',
    id: 'aws-access-key-id',
    description: 'AWS access key ID',
    severity: 'high',
    regex: /(?<![A-Z0-9])((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})(?![A-Z0-9])/g,
    group: 1,
    keywords: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    entropy: 3,
  },
  {
    kind: 'content',
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    severity: 'high',
    regex: /(?:aws|AWS|Aws)[\w.-]{0,20}?(?:secret|SECRET|Secret)[\w.-]{0,20}?["']?\s{0,5}[:=]{1,2}>?\s{0,5}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/g,
    group: 1,
    keywords: ['aws', 'AWS', 'Aws'],
    entropy: 4,
  },
  {
    kind: 'content',
    id: 'github-token',
    description: 'GitHub token (personal, OAuth, app, refresh)',
    severity: 'high',
    regex: /(?<![A-Za-z0-9_])((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    group: 1,
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    entropy: 3.5,
  },
  {
    kind: 'content',
    id: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token',
    severity: 'high',
    regex: /(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g,
    group: 1,
    keywords: ['github_pat_'],
    entropy: 3.5,
  },
  {
    kind: 'content',
    id: 'gitlab-token',
    description: 'GitLab personal access token',
    severity: 'high',
    regex: /(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/g,
    group: 1,
    keywords: ['glpat-'],
    entropy: 3,
  },
  {
    kind: 'content',
    id: 'slack-token',
    description: 'Slack token (bot, user, app, configuration)',
    severity: 'high',
    regex: /(?<![A-Za-z0-9-])(xox[abposre]-[0-9]{6,13}-[0-9A-Za-z-]{10,})(?![A-Za-z0-9-])/g,
    group: 1,
    keywords: ['xox'],
    entropy: 3,
  },
  {
    kind: 'content',
    id: 'slack-webhook',
    description: 'Slack incoming webhook URL',
    severity: 'medium',
    regex: /(https?:\/\/hooks\.slack\.com\/(?:services|workflows)\/T[A-Z0-9]{8,12}\/[AB][A-Z0-9]{8,12}\/[A-Za-z0-9]{20,32})/g,
    group: 1,
    keywords: ['hooks.slack.com'],
    entropy: 3,
  },
  {
    kind: 'content',
    id: 'stripe-live-key',
    description: 'Stripe live secret or restricted key',
    severity: 'high',
    regex: /(?<![A-Za-z0-9_])((?:sk|rk)_live_[A-Za-z0-9]{24,99})(?![A-Za-z0-9_])/g,
    group: 1,
    keywords: ['sk_live_', 'rk_live_'],
    entropy: 3.5,
  },
  {
    kind: 'content',
    id: 'google-api-key',
    description: 'Google API key',
    severity: 'high',
    regex: /(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
    group: 1,
    keywords: ['AIza'],
    entropy: 3.5,
  },
  {
    kind: 'content',
    id: 'password-in-url',
    description: 'Password in a URL (scheme://user:password@host)',
    severity: 'medium',
    regex: /\b[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/'"`<>]{0,64}:([^\s:@/'"`<>]{3,128})@[A-Za-z0-9_-][A-Za-z0-9_.-]*/g,
    group: 1,
    keywords: ['://'],
  },
  {
    kind: 'content',
    id: 'generic-secret',
    description: 'High-entropy secret assigned in a configuration file',
    severity: 'medium',
    regex:
      /(?:^|[\s{,"'])["']?[A-Za-z0-9_.-]{0,40}?(?:secret|SECRET|Secret|passw(?:or)?d|PASSW(?:OR)?D|Passw(?:or)?d|pwd|PWD|token|TOKEN|Token|api[_-]?key|API[_-]?KEY|ApiKey|apiKey|access[_-]?key|ACCESS[_-]?KEY|accessKey|private[_-]?key|PRIVATE[_-]?KEY|privateKey|credentials?|CREDENTIALS?)[A-Za-z0-9_.-]{0,40}["']?[ \t]*[:=][ \t]*["']?([^\s"'`,{}<>\[\]\\]{12,200})/g,
    prefilter: /secret|passw|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential/i,
    group: 1,
    paths: CONFIG_PATHS,
    entropy: 3.7,
    shape: /^(?=[^]*\d)(?=[^]*[A-Za-z])/,
  },
  {
    kind: 'file',
    id: 'env-file',
    description: 'Environment file (.env) committed',
    severity: 'medium',
    path: /(?:^|\/)\.env(?:\.(?!(?:example|sample|template|dist|defaults?|schema|tpl)$)[^/]+)?$/i,
  },
  {
    kind: 'file',
    id: 'ssh-key-file',
    description: 'SSH private key file (id_rsa, id_ed25519, …)',
    severity: 'high',
    path: /(?:^|\/)id_(?:rsa|dsa|ecdsa|ed25519)(?:_[\w-]+)?$/,
  },
  {
    kind: 'file',
    id: 'keystore-file',
    description: 'Key store (PKCS#12, Java key store)',
    severity: 'high',
    path: /\.(?:p12|pfx|jks|jceks|keystore|bks)$/i,
  },
  {
    kind: 'file',
    id: 'sql-dump',
    description: 'SQL database dump',
    severity: 'medium',
    path: /\.sql(?:\.(?:gz|bz2|xz|zst|zip))?$/i,
    head: /^(?:\x1f\x8b|BZh|\xfd7zXZ|\x28\xb5\x2f\xfd|PK\x03\x04)|-- (?:MySQL dump|MariaDB dump|PostgreSQL database dump|Dump completed)|pg_dump|mysqldump|PRAGMA foreign_keys=OFF;\s*BEGIN TRANSACTION;/,
  },
  {
    kind: 'file',
    id: 'database-file',
    description: 'Database file (SQLite)',
    severity: 'medium',
    path: /\.(?:sqlite3?|db|db3)$/i,
    head: /^SQLite format 3\x00/,
  },
];

export const CONTENT_RULES: readonly ContentRule[] = RULES.filter((r): r is ContentRule => r.kind === 'content');
export const FILE_RULES: readonly FileRule[] = RULES.filter((r): r is FileRule => r.kind === 'file');
export const PRIVATE_KEY_RULES: readonly ContentRule[] = CONTENT_RULES.filter((r) => r.privateKey);

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

/** Shannon entropy of a string, in bits per character. */
export function shannon(s: string): number {
  if (!s) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** The first four characters and asterisks: enough to recognize, never enough to use. */
export function redact(secret: string): string {
  const flat = secret.replace(/\\[rn]|[\r\n\s]/g, '');
  return `${flat.slice(0, 4)}****`;
}
