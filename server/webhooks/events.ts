// Gitea's webhook vocabulary: the event names a hook subscribes to, which names imply which
// (a hook on "issues" hears assignments and comments too, one on "pull_request" hears syncs and
// reviews), the X-Gitea-Event header each type is sent under, and the branch filter (a glob).

/** Every event name Gitea's API takes; the ones this forge never fires are accepted and stored. */
export const HOOK_EVENTS = [
  'create',
  'delete',
  'fork',
  'push',
  'issues',
  'issue_assign',
  'issue_label',
  'issue_milestone',
  'issue_comment',
  'pull_request',
  'pull_request_assign',
  'pull_request_label',
  'pull_request_milestone',
  'pull_request_comment',
  'pull_request_review_approved',
  'pull_request_review_rejected',
  'pull_request_review_comment',
  'pull_request_sync',
  'pull_request_review_request',
  'wiki',
  'repository',
  'release',
  'package',
  'status',
  'workflow_run',
  'workflow_job',
] as const;

export type HookEventType = (typeof HOOK_EVENTS)[number];

export function isHookEvent(name: string): name is HookEventType {
  return (HOOK_EVENTS as readonly string[]).includes(name);
}

/** Whether a hook with these events hears `type` (Gitea's issuesHook / pullHook). */
export function hookHears(events: readonly string[], type: HookEventType): boolean {
  if (events.includes(type)) return true;
  if (type.startsWith('issue_') && events.includes('issues')) return true;
  if (type.startsWith('pull_request_') && events.includes('pull_request')) return true;
  return false;
}

/** The X-Gitea-Event header for an event type (Gitea's HookEventType.Event()). */
export function headerEvent(type: HookEventType): string {
  switch (type) {
    case 'issue_assign':
    case 'issue_label':
    case 'issue_milestone':
      return 'issues';
    case 'pull_request_assign':
    case 'pull_request_label':
    case 'pull_request_milestone':
    case 'pull_request_sync':
    case 'pull_request_review_request':
      return 'pull_request';
    case 'pull_request_comment':
      return 'issue_comment';
    case 'pull_request_review_approved':
      return 'pull_request_approved';
    case 'pull_request_review_rejected':
      return 'pull_request_rejected';
    case 'pull_request_review_comment':
      return 'pull_request_comment';
    default:
      return type;
  }
}

/** Event types the branch filter applies to (as in Gitea: pushes and branch creation and deletion). */
export const BRANCH_FILTERED: readonly HookEventType[] = ['push', 'create', 'delete'];

// ---- the branch filter ---------------------------------------------------------------------

/**
 * Compiles a branch filter to a regex: `*` and `**` any run of characters (slashes too, as in
 * Gitea), `?` one character, `[abc]` / `[!abc]` a class, `{a,b}` alternatives. Throws with the
 * reason when the pattern is malformed.
 */
export function compileBranchFilter(pattern: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[++i];
      if (next === undefined) throw new Error('ends with a lone backslash');
      out += escapeRe(next);
    } else if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      out += '.*';
    } else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new Error('has a "[" without its "]"');
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '') throw new Error('has an empty character class');
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}') {
      if (depth === 0) throw new Error('has a "}" without its "{"');
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += escapeRe(c);
  }
  if (depth !== 0) throw new Error('has a "{" without its "}"');
  return new RegExp(`^${out}$`, 's');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, (m) => `\\${m}`);
}

/** Why a branch filter is refused, or null (empty and `*` mean every branch). */
export function branchFilterProblem(pattern: string): string | null {
  if (pattern.length > 1024) return 'must be at most 1024 characters';
  try {
    compileBranchFilter(pattern);
    return null;
  } catch (err) {
    return `"${pattern.slice(0, 100)}" ${(err as Error).message}`;
  }
}

/** Gitea's checkBranchFilter: a branch matches by its name, anything else by its full ref. */
export function branchFilterMatches(pattern: string, ref: string): boolean {
  if (pattern === '' || pattern === '*' || pattern === '**') return true;
  let re: RegExp;
  try {
    re = compileBranchFilter(pattern);
  } catch {
    return false;
  }
  if (ref.startsWith('refs/heads/') && re.test(ref.slice('refs/heads/'.length))) return true;
  return re.test(ref);
}
