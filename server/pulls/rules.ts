// What a protected base branch asks of a pull request before it may be merged (Gitea's rules):
// N approvals from people who may write, no standing "changes requested", and the head's commit
// statuses green. Each unmet rule is one sentence for the 405 answer and the merge box.
import type { Selectable } from 'kysely';
import type { BranchProtectionTable } from '../db/schema.js';
import type { RepoRecord } from '../repos/index.js';
import type { Services } from '../services.js';
import type { PullRow, ReviewRow } from './schema.js';

/** Each reviewer's standing review: their latest approval or change request that is not dismissed. */
export function standingReviews(reviews: ReviewRow[]): ReviewRow[] {
  const latest = new Map<number, ReviewRow>();
  for (const r of [...reviews].sort((a, b) => a.id - b.id)) {
    if (r.reviewer_id === null || r.dismissed || (r.state !== 'APPROVED' && r.state !== 'REQUEST_CHANGES')) continue;
    latest.set(r.reviewer_id, r);
  }
  return [...latest.values()];
}

export async function reviewBlockers(s: Services, base: RepoRecord, pull: PullRow, rule: Selectable<BranchProtectionTable> | null): Promise<string[]> {
  if (!rule) return [];
  const out: string[] = [];
  const reviews = await s.db.selectFrom('pull_reviews').selectAll().where('pull_id', '=', pull.id).where('state', '!=', 'PENDING').execute();
  const standing = standingReviews(reviews).filter((r) => r.official);
  if (rule.required_approvals > 0) {
    // under "dismiss stale approvals", an approval counts for the head it was given on only
    // (also when the rule was switched on after the push that made it stale)
    const current = (r: ReviewRow) => !rule.dismiss_stale_approvals || (!r.stale && r.commit_id === pull.head_sha);
    const approvals = standing.filter((r) => r.state === 'APPROVED' && current(r)).length;
    if (approvals < rule.required_approvals)
      out.push(`${pull.base_branch} needs ${rule.required_approvals} approving review${rule.required_approvals === 1 ? '' : 's'} from people who may write; it has ${approvals}`);
  }
  if (rule.block_on_rejected_reviews && standing.some((r) => r.state === 'REQUEST_CHANGES')) out.push('a reviewer has requested changes');
  if (rule.enable_status_check) {
    const wanted = JSON.parse(rule.status_check_contexts) as string[];
    const latest = await s.statuses.latestByContext(base.repo.id, pull.head_sha);
    const considered = wanted.length
      ? wanted.map((c) => ({ context: c, state: latest.find((l) => l.context === c)?.state ?? 'missing' }))
      : latest.map((l) => ({ context: l.context, state: l.state }));
    if (considered.length === 0) out.push(`${pull.base_branch} requires passing commit statuses, and the head has none yet`);
    for (const c of considered) if (c.state !== 'success') out.push(`status "${c.context}" is ${c.state === 'missing' ? 'not reported yet' : c.state}`);
  }
  return out;
}
