// The one push policy, asked by the pre-receive hook whatever the transport: maintenance mode,
// ref names (new ones must also be paths Windows can store), protected branches (no force-push
// or deletion unless the rule allows it) and the repository size quota. Each refusal is a
// sentence the pusher sees as a `remote:` line.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/index.js';
import { isServerRef, ZERO_SHA, type RefUpdate } from '../git/ref-update.js';
import { runGit, type GitEnv } from '../git/command.js';
import { byteSize } from '../lib/bytes.js';
import { windowsNameProblem } from '../lib/names.js';
import type { SettingsService } from '../settings/index.js';

export interface PushRefusal {
  kind: 'maintenance' | 'name' | 'protected' | 'quota' | 'content';
  message: string;
}

/** A check a feature adds to the policy (the security feature's private-key refusal). */
export type PushCheck = (ctx: PushContext) => Promise<PushRefusal[]>;

export interface PushContext {
  repoId: number;
  repoDir: string;
  repoSize: number;
  isSiteAdmin: boolean;
  updates: RefUpdate[];
  /** Where git keeps the pushed objects until the hook says yes (GIT_QUARANTINE_PATH). */
  quarantine: string | null;
  /** The updates are to the repository's wiki: the code repository's branch rules don't apply to it. */
  wiki?: boolean;
  /** A web write's new content, in bytes (a push's is measured in its quarantine instead). */
  incomingBytes?: number;
}

/** Glob for branch rules: `*` stays within one path component, `**` crosses them. */
export function ruleMatches(rule: string, branch: string): boolean {
  if (!/[*?]/.test(rule)) return rule === branch;
  const re = rule
    .split(/(\*\*|\*|\?)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`).test(branch);
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await dirSize(p);
    else if (entry.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** A quota as a person reads it: `100 bytes`, `512 KiB`, `1.5 MiB`, `2 GiB` (never "0 MiB"). */
export const quotaSize = byteSize;

export class PushPolicy {
  private readonly checks: PushCheck[] = [];

  constructor(
    private readonly db: Db,
    private readonly settings: SettingsService,
    private readonly git: GitEnv,
  ) {}

  /** Adds a feature's check; it is asked after the built-in ones, when they refuse nothing. */
  addCheck(check: PushCheck): void {
    this.checks.push(check);
  }

  /**
   * Every reason the updates may not land, as sentences for the pusher; empty when they may.
   * A push (pre-receive) and a web write (RefWriter) ask the same question here.
   */
  async check(ctx: PushContext): Promise<PushRefusal[]> {
    const refusals: PushRefusal[] = [];
    // the switch may have been flipped by another process (the CLI): read it fresh
    await this.settings.load();
    if (this.settings.get('maintenance.enabled') && !(ctx.isSiteAdmin && this.settings.get('maintenance.adminsExempt'))) {
      const msg = this.settings.get('maintenance.message');
      return [{ kind: 'maintenance', message: `Gitssy is in maintenance mode; pushes are paused${msg ? `: ${msg}` : '. Try again later.'}` }];
    }
    for (const u of ctx.updates) {
      if (isServerRef(u.ref)) {
        refusals.push({
          kind: 'name',
          message: u.ref.startsWith('refs/pull/')
            ? `${u.ref}: refs/pull/ is kept by Gitssy for pull requests; push a branch and open a pull request instead`
            : `${u.ref}: refs/gitssy/ is kept by Gitssy for itself`,
        });
        continue;
      }
      if (u.ref.split('/').some((c) => c.startsWith('-') || c.startsWith('.'))) {
        refusals.push({ kind: 'name', message: `${u.ref}: ref names may not have components starting with '-' or '.'` });
        continue;
      }
      // a loose ref is a file: a new one must be a path Windows can store, or a backup of this
      // repository could not be restored there; refs that already exist may still move or go
      if (u.oldSha === ZERO_SHA && u.newSha !== ZERO_SHA) {
        const problem = u.ref
          .split('/')
          .map(windowsNameProblem)
          .find((p) => p !== null);
        if (problem) refusals.push({ kind: 'name', message: `${u.ref}: ${problem}` });
      }
    }
    const rules = ctx.wiki ? [] : await this.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', ctx.repoId).execute();
    for (const u of ctx.updates) {
      if (!u.ref.startsWith('refs/heads/')) continue;
      const branch = u.ref.slice('refs/heads/'.length);
      const rule = rules.find((r) => ruleMatches(r.rule_name, branch));
      if (!rule) continue;
      if (u.newSha === ZERO_SHA) {
        if (!rule.enable_deletion) refusals.push({ kind: 'protected', message: `${branch} is a protected branch and may not be deleted` });
      } else if (u.oldSha !== ZERO_SHA && !rule.enable_force_push && !(await this.isAncestor(ctx, u.oldSha, u.newSha))) {
        refusals.push({ kind: 'protected', message: `${branch} is a protected branch: force-pushes are not allowed (pull, merge or rebase onto it, then push)` });
      }
    }
    const quota = this.settings.get('git.maxRepoBytes');
    if (quota > 0 && (ctx.quarantine || ctx.incomingBytes !== undefined)) {
      const incoming = ctx.quarantine ? await dirSize(ctx.quarantine) : ctx.incomingBytes!;
      if (ctx.repoSize + incoming > quota) {
        refusals.push({ kind: 'quota', message: `this push would grow the repository past its quota of ${quotaSize(quota)}` });
      }
    }
    for (const c of this.checks) if (refusals.length === 0) refusals.push(...(await c(ctx)));
    return refusals;
  }

  /** The branch rule that covers `branch`, or null when the branch is not protected. */
  async protectionFor(repoId: number, branch: string) {
    const rules = await this.db.selectFrom('branch_protections').selectAll().where('repo_id', '=', repoId).execute();
    return rules.find((r) => ruleMatches(r.rule_name, branch)) ?? null;
  }

  /** `git merge-base --is-ancestor`, seeing the quarantined objects of the push too. */
  private async isAncestor(ctx: PushContext, oldSha: string, newSha: string): Promise<boolean> {
    const env: Record<string, string> = {};
    if (ctx.quarantine) {
      env.GIT_OBJECT_DIRECTORY = ctx.quarantine;
      env.GIT_ALTERNATE_OBJECT_DIRECTORIES = path.join(ctx.repoDir, 'objects');
    }
    try {
      await runGit(this.git, ['--git-dir', ctx.repoDir, 'merge-base', '--is-ancestor', oldSha, newSha], { env });
      return true;
    } catch {
      return false;
    }
  }
}
