// Findings and scans as the API and live events show them. `base` makes URLs absolute ('' keeps
// them site-relative, as in live events).
import { ruleById } from './rules.js';
import type { SecurityFindingRow, SecurityScanRow } from './schema.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

export function findingJson(f: SecurityFindingRow, repo: { owner: string; name: string }, suppressedBy: string | null, base: string) {
  const rule = ruleById(f.rule_id);
  const full = `${repo.owner}/${repo.name}`;
  return {
    id: f.id,
    rule_id: f.rule_id,
    rule: rule?.description ?? f.rule_id,
    kind: rule?.kind ?? 'content',
    severity: rule?.severity ?? 'medium',
    path: f.path,
    line: f.line > 0 ? f.line : null,
    commit_sha: f.commit_sha,
    author: { name: f.author_name, email: f.author_email },
    committed_at: iso(f.committed_at),
    blob_sha: f.blob_sha,
    secret_preview: f.secret_preview,
    state: f.state,
    suppressed_by: suppressedBy,
    suppress_reason: f.suppress_reason,
    suppressed_at: iso(f.suppressed_at),
    created_at: iso(f.created_at),
    html_url: `${base}/${full}/src/commit/${f.commit_sha}/${encodePath(f.path)}${f.line > 0 ? `#L${f.line}` : ''}`,
    commit_url: `${base}/${full}/commit/${f.commit_sha}`,
  };
}

export type FindingJson = ReturnType<typeof findingJson>;

export function scanJson(s: SecurityScanRow) {
  return {
    id: s.id,
    kind: s.kind,
    state: s.state,
    phase: s.phase,
    commits: s.commits,
    blobs_total: s.blobs_total,
    blobs_done: s.blobs_done,
    bytes_scanned: Number(s.bytes_scanned),
    findings_new: s.findings_new,
    error: s.error,
    created_at: iso(s.created_at),
    started_at: iso(s.started_at),
    finished_at: iso(s.finished_at),
    duration_ms: s.started_at !== null && s.finished_at !== null ? s.finished_at - s.started_at : null,
  };
}

export type ScanJson = ReturnType<typeof scanJson>;
