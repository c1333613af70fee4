// Every rule against a known sample (found, on the right line) and its look-alikes (not found):
// AWS's documented EXAMPLE keys, placeholders such as ${PASSWORD} and <token>, masked values,
// truncated keys in documentation, public keys.
import { describe, expect, it } from 'vitest';
import { RULES, redact, shannon, type ContentRule } from './rules.js';
import { sample } from './samples.js';
import { isBinary, scanPath, scanText } from './scanner.js';

const ids = (text: string, path = 'src/app.ts') => scanText(text, [path]).map((m) => m.ruleId);
const found = (text: string, path = 'src/app.ts') => scanText(text, [path]);

describe('content rules', () => {
  it('finds PEM private keys of every kind, on the BEGIN line', () => {
    for (const key of [sample.rsaKey(), sample.ecKey(), sample.pkcs8Key(), sample.opensshKey(), sample.pgpKey()]) {
      const m = found(`// deploy key\n\n${key}`, 'deploy/key.pem');
      expect(
        m.map((x) => x.ruleId),
        key.split('\n')[0],
      ).toEqual(['private-key']);
      expect(m[0]!.line).toBe(3);
    }
  });

  it('finds a private key JSON-escaped in a service-account file', () => {
    const pem = sample.pkcs8Key().replace(/\n/g, '\\n');
    const json = `{\n  "type": "service_account",\n  "private_key": "${pem}",\n  "client_email": "x@y.iam.gserviceaccount.com"\n}\n`;
    expect(ids(json, 'creds/sa.json')).toContain('private-key');
    expect(found(json, 'creds/sa.json').find((m) => m.ruleId === 'private-key')!.line).toBe(3);
  });

  it('does not take truncated, placeholder or public keys for private keys', () => {
    const lookAlikes = [
      '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...your key here...\n-----END PRIVATE KEY-----\n',
      `-----BEGIN RSA PRIVATE KEY-----\n${'A'.repeat(64)}\n${'A'.repeat(64)}\n-----END RSA PRIVATE KEY-----\n`,
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEx0bwBhUfsW2QCUQmQ2kpGySBDWFSpb6JmZ6YjRvg6cHe8kq1ukqpAyBzy3gNn3MBLBvwV0ZSKf0dHpSGUZXt9A==\n-----END PUBLIC KEY-----\n',
      "const header = '-----BEGIN OPENSSH PRIVATE KEY-----';",
    ];
    for (const t of lookAlikes) expect(ids(t, 'docs/keys.md'), t).toEqual([]);
  });

  it('finds AWS access key ids and secret keys, not the documented examples', () => {
    const id = sample.awsKeyId();
    const secret = sample.awsSecret();
    expect(ids(`aws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`, 'deploy.sh')).toEqual(['aws-access-key-id', 'aws-secret-access-key']);
    expect(found(`x\nAWS_SECRET_ACCESS_KEY="${secret}"`, 'run.sh')[0]).toMatchObject({ ruleId: 'aws-secret-access-key', line: 2 });
    expect(ids('aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n', '.aws/credentials')).toEqual([]);
    // a longer run of capitals is not a key id
    expect(ids(`const X = "ZZ${id}ZZ";`)).toEqual([]);
  });

  it('finds GitHub tokens (classic, OAuth, fine-grained), not placeholders', () => {
    expect(ids(`token: ${sample.githubPat()}`, 'ci.sh')).toEqual(['github-token']);
    expect(ids(`export GH=${sample.githubOauth()}`, 'ci.sh')).toEqual(['github-token']);
    expect(ids(`GITHUB_TOKEN=${sample.githubFineGrained()}`, 'ci.sh')).toEqual(['github-fine-grained-token']);
    expect(ids(`token: ghp_${'x'.repeat(36)}\ntoken: ghp_${'X'.repeat(36)}\nghp_YOUR_TOKEN_HERE`, 'README.md')).toEqual([]);
  });

  it('finds GitLab tokens, not placeholders', () => {
    expect(ids(`PRIVATE-TOKEN: ${sample.gitlabPat()}`, 'ci.sh')).toEqual(['gitlab-token']);
    expect(ids('PRIVATE-TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx', 'ci.sh')).toEqual([]);
  });

  it('finds Slack tokens and webhooks, not placeholders', () => {
    expect(ids(`SLACK=${sample.slackBot()}`, 'bot.py')).toEqual(['slack-token']);
    expect(ids(`url = "${sample.slackWebhook()}"`, 'notify.py')).toEqual(['slack-webhook']);
    expect(ids('SLACK=xoxb-your-bot-token\nurl = "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX"', 'bot.py')).toEqual([]);
  });

  it('finds Stripe live keys, not test keys', () => {
    expect(ids(`stripe.api_key = "${sample.stripeLive()}"`, 'pay.py')).toEqual(['stripe-live-key']);
    expect(ids(`key = "${sample.stripeRestricted()}"`, 'pay.py')).toEqual(['stripe-live-key']);
    expect(ids(`stripe.api_key = "sk_${'test'}_${'4eC39HqLyjWDarjtT1zdp7dc'}"`, 'pay.py')).toEqual([]);
  });

  it('finds Google API keys, not placeholders', () => {
    expect(ids(`const key = '${sample.googleApiKey()}';`, 'maps.js')).toEqual(['google-api-key']);
    expect(ids(`const key = 'AIzaSy${'X'.repeat(33)}';`, 'maps.js')).toEqual([]);
  });

  it('finds passwords in URLs, not placeholders or ports', () => {
    const pw = sample.password();
    expect(found(`db:\n  url: postgres://app:${pw}@db.internal:5432/app\n`, 'src/db.ts')).toEqual([{ ruleId: 'password-in-url', line: 2, secret: pw, preview: redact(pw) }]);
    expect(ids(`redis://:${pw}@cache:6379/0`, 'src/cache.ts')).toEqual(['password-in-url']);
    const lookAlikes = [
      'postgres://app:${DB_PASSWORD}@db/app',
      'postgres://app:$DB_PASSWORD@db/app',
      'mysql://user:password@localhost/db',
      'https://user:<password>@example.com',
      'amqp://guest:****@rabbit',
      'https://example.com:8080/path@v2',
      'smtp://{{ user }}:{{ pass }}@mail',
    ];
    for (const t of lookAlikes) expect(ids(t, 'docs/config.md'), t).toEqual([]);
  });

  it('finds high-entropy secrets in configuration files only, not placeholders or low-entropy values', () => {
    const secret = sample.configSecret();
    expect(found(`# settings\nAPP_NAME=demo\nAPI_SECRET=${secret}\n`, '.env.production')).toMatchObject([{ ruleId: 'generic-secret', line: 3, secret }]);
    expect(ids(`{\n  "client_secret": "${secret}"\n}`, 'config/app.json')).toEqual(['generic-secret']);
    expect(ids(`auth:\n  token: "${secret}"\n`, 'deploy/values.yaml')).toEqual(['generic-secret']);
    expect(ids(`db.password=${secret}\n`, 'app.properties')).toEqual(['generic-secret']);
    // the same line in source code is not a configuration file
    expect(ids(`const API_SECRET = "${secret}";`, 'src/app.ts')).toEqual([]);
    const lookAlikes = [
      '{ "password": "${PASSWORD}" }',
      'password: "{{ .Values.password }}"',
      'token: ${{ secrets.GITHUB_TOKEN }}',
      'api_key = <your-api-key-here>',
      'secret_key_base = changeme',
      'password = aaaaaaaaaaaaaaaa',
      'token_expiry_seconds = 3600000000000',
      'password_min_length: 12',
      'PASSWORD=your_password_goes_here',
      '"controllerToken": stopGormicaltor.logorbexTaskEffect,',
      'token_name: HeaderAuthorizationBearer',
    ];
    for (const t of lookAlikes) expect(ids(t, 'config/settings.yml'), t).toEqual([]);
  });

  it('reports a specific rule rather than the generic one for the same secret', () => {
    expect(ids(`GITHUB_TOKEN=${sample.githubPat()}\n`, '.env')).toEqual(['github-token']);
  });

  it('honours an inline allow comment', () => {
    expect(ids(`const t = '${sample.githubPat()}'; // gitleaks:allow`)).toEqual([]);
  });
});

describe('file rules', () => {
  const file = (p: string, head: string | null = '') => scanPath(p, head).map((r) => r.id);

  it('flags environment files, not their templates', () => {
    expect(file('.env')).toEqual(['env-file']);
    expect(file('services/api/.env.production')).toEqual(['env-file']);
    for (const p of ['.env.example', 'app/.env.sample', '.env.template', 'docs/env.md', '.envrc.md']) expect(file(p), p).toEqual([]);
  });

  it('flags SSH private key files, not public keys', () => {
    expect(file('home/.ssh/id_rsa')).toEqual(['ssh-key-file']);
    expect(file('keys/id_ed25519')).toEqual(['ssh-key-file']);
    expect(file('keys/id_rsa.pub')).toEqual([]);
  });

  it('flags key stores', () => {
    for (const p of ['certs/client.p12', 'a.pfx', 'android/release.keystore', 'server.jks']) expect(file(p), p).toEqual(['keystore-file']);
  });

  it('flags SQL dumps by their header, not migrations', () => {
    expect(file('backup/prod.sql', '-- MySQL dump 10.13  Distrib 8.0.32\n')).toEqual(['sql-dump']);
    expect(file('db.sql', '--\n-- PostgreSQL database dump\n--\n')).toEqual(['sql-dump']);
    expect(file('prod.sql.gz', '\x1f\x8b\x08\x00')).toEqual(['sql-dump']);
    expect(file('migrations/0001_init.sql', 'CREATE TABLE users (id integer primary key);\n')).toEqual([]);
    // too large to read: the name decides
    expect(file('dumps/huge.sql', null)).toEqual(['sql-dump']);
  });

  it('flags SQLite databases by their header', () => {
    expect(file('data/app.sqlite', 'SQLite format 3\0...')).toEqual(['database-file']);
    expect(file('data/app.db', 'SQLite format 3\0...')).toEqual(['database-file']);
    expect(file('data/app.db', 'not a database')).toEqual([]);
  });
});

describe('helpers', () => {
  it('has unique rule ids and global regexes', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) if (r.kind === 'content') expect(r.regex.flags, r.id).toContain('g');
  });

  it('measures entropy', () => {
    expect(shannon('aaaa')).toBe(0);
    expect(shannon('abcd')).toBe(2);
    expect(shannon(sample.configSecret())).toBeGreaterThan(4);
  });

  it('redacts to four characters', () => {
    expect(redact('ghp_abcdefgh')).toBe('ghp_****');
  });

  it('runs a rule whose keyword occurs only inside or across another keyword (one pass finds them all)', () => {
    // every rule matches the same MARK: it reports exactly when its keywords let it run
    const rule = (id: string, keywords: string[]): ContentRule => ({ kind: 'content', id, description: id, severity: 'high', regex: /MARK/g, keywords });
    const rules = [rule('short', ['ab.']), rule('long', ['ab.cd']), rule('tail', ['.cdx']), rule('none', ['zz'])];
    const hits = (text: string) => scanText(Buffer.from(`${text} MARK`), ['x.txt'], rules).map((m) => m.ruleId);
    // 'ab.' is a prefix of 'ab.cd' at the same offset, '.cdx' overlaps it, the dot is literal
    expect(hits('ab.cdx')).toEqual(['short', 'long', 'tail']);
    expect(hits('ab.cd')).toEqual(['short', 'long']);
    expect(hits('abXcdx ab')).toEqual([]);
    expect(hits('zz .cdx')).toEqual(['tail', 'none']);
  });

  it('tells binary content', () => {
    expect(isBinary(Buffer.from('hello\n'))).toBe(false);
    expect(isBinary(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]))).toBe(true);
  });
});
