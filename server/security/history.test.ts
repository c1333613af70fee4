// The scanner against a real repository: secrets planted in old commits and taken out later are
// found, with file, line, the commit that brought them in and its author; look-alikes are not;
// a scan of a range reads only the new commits' blobs; the private-key rules alone find only keys.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitBaseEnv, type GitEnv } from '../git/command.js';
import { tempDir } from '../../test/fixtures/rig.js';
import { secretRepo, type SecretRepo } from '../../test/fixtures/secret-repo.js';
import { peelCommits, scanRevs, walkHistory } from './history.js';
import { PRIVATE_KEY_RULES } from './rules.js';
import { sample } from './samples.js';

let env: GitEnv;
let fx: SecretRepo;
let gitDir: string;

beforeAll(async () => {
  const home = await tempDir('gitssy-home-');
  await writeFile(path.join(home, '.gitconfig'), '');
  env = gitBaseEnv(home);
  fx = await secretRepo();
  gitDir = path.join(fx.dir, '.git');
});

afterAll(() => undefined);

describe('scanRevs over the whole history', () => {
  it('finds the planted secrets with file, line, commit and author, and nothing else', async () => {
    const { findings, commits, blobs } = await scanRevs(env, gitDir, [fx.head]);
    expect(commits).toBe(10);
    expect(blobs).toBeGreaterThan(10);
    const got = findings
      .map((f) => ({ rule: f.ruleId, path: f.path, line: f.line || null, commit: f.commit.sha, author: f.commit.authorName, email: f.commit.authorEmail }))
      .sort((a, b) => `${a.path}${a.rule}`.localeCompare(`${b.path}${b.rule}`));
    const want = [...fx.expected].sort((a, b) => `${a.path}${a.rule}`.localeCompare(`${b.path}${b.rule}`));
    expect(got).toEqual(want);
    for (const p of fx.lookAlikePaths)
      expect(
        findings.filter((f) => f.path === p),
        p,
      ).toEqual([]);
  });

  it('stores a redacted preview, never the secret', async () => {
    const { findings } = await scanRevs(env, gitDir, [fx.head]);
    const gh = findings.find((f) => f.ruleId === 'github-token')!;
    expect(gh.preview).toBe('ghp_****');
    expect(JSON.stringify(findings)).not.toContain(sample.githubPat('fixture'));
    expect(findings.find((f) => f.ruleId === 'env-file')!.preview).toBeNull();
  });

  it('attributes a blob to the earliest commit that brought it in at each path', async () => {
    const walk = await walkHistory(env, gitDir, [fx.head]);
    const db = fx.expected.find((e) => e.rule === 'password-in-url')!;
    const intros = [...walk.blobs.values()].flatMap((m) => [...m.values()]).filter((i) => i.path === 'src/db.ts');
    // two versions of the file, each with its own first commit
    expect(intros).toHaveLength(2);
    expect(intros.map((i) => i.commit.sha)).toContain(db.commit);
  });
});

describe('scanRevs over a range', () => {
  it('reads only what the new commits brought in', async () => {
    const before = (await fx.work.git(['rev-parse', 'HEAD'])).trim();
    await fx.work.commit({ 'ops/notify.sh': `curl -X POST ${sample.slackWebhook('range')}\n`, 'ops/README.md': 'ops\n' }, 'ops', { author: ['Erin Ops', 'erin@example.test'] });
    const after = (await fx.work.git(['rev-parse', 'HEAD'])).trim();
    const { findings, commits, blobs } = await scanRevs(env, gitDir, [after, `^${before}`]);
    expect(commits).toBe(1);
    expect(blobs).toBe(2);
    expect(findings.map((f) => [f.ruleId, f.path, f.line, f.commit.sha, f.commit.authorName])).toEqual([['slack-webhook', 'ops/notify.sh', 1, after, 'Erin Ops']]);
  });

  it('with the private-key rules only, finds only private keys', async () => {
    const { findings } = await scanRevs(env, gitDir, [fx.head], { contentRules: PRIVATE_KEY_RULES, fileRules: [] });
    expect(findings.map((f) => [f.ruleId, f.path])).toEqual([['private-key', 'keys/deploy_key.pem']]);
  });

  it('reports progress', async () => {
    const phases = new Set<string>();
    let last = 0;
    await scanRevs(env, gitDir, [fx.head], {
      onProgress: (p) => {
        phases.add(p.phase);
        last = p.blobsDone;
      },
    });
    expect(phases.has('blobs')).toBe(true);
    expect(last).toBeGreaterThan(0);
  });
});

describe('direct reads', () => {
  it('find the same as reading sizes first', async () => {
    const sized = await scanRevs(env, gitDir, [fx.head]);
    const direct = await scanRevs(env, gitDir, [fx.head], { direct: true });
    const key = (f: { fingerprint: string; commit: { sha: string }; line: number }) => `${f.fingerprint} ${f.commit.sha} ${f.line}`;
    expect(direct.findings.map(key).sort()).toEqual(sized.findings.map(key).sort());
    expect(direct.blobs).toBe(sized.blobs);
  });

  it('pass over a blob too large to read, in both modes, and judge it by name', async () => {
    const before = (await fx.work.git(['rev-parse', 'HEAD'])).trim();
    const big = `-- nothing to see\n${sample.githubPat('big')}\n${'x'.repeat(1100 * 1024)}\n`;
    await fx.work.commit({ 'backups/prod.sql': big }, 'backup');
    const after = (await fx.work.git(['rev-parse', 'HEAD'])).trim();
    for (const direct of [false, true]) {
      const { findings, blobs, bytes } = await scanRevs(env, gitDir, [after, `^${before}`], { direct });
      expect(
        findings.map((f) => [f.ruleId, f.path, f.line]),
        `direct: ${direct}`,
      ).toEqual([['sql-dump', 'backups/prod.sql', 0]]);
      expect(blobs).toBe(0);
      expect(bytes).toBe(0);
    }
  });
});

describe('scanRevs with a tip that is gone', () => {
  it('walks again without it (a force-pushed-away commit, collected since)', async () => {
    const gone = 'f'.repeat(40);
    const { findings, commits } = await scanRevs(env, gitDir, [fx.head, `^${gone}`]);
    expect(commits).toBe(10);
    expect(findings).toHaveLength(fx.expected.length);
  });
});

describe('peelCommits', () => {
  it('peels to commits and answers null for what is missing or not a commit', async () => {
    const blob = (await fx.work.git(['rev-parse', 'HEAD:README.md'])).trim();
    const got = await peelCommits(env, gitDir, [fx.head, '0'.repeat(40), blob]);
    expect(got).toEqual([fx.head, null, null]);
  });
});
