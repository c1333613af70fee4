import { describe, expect, it } from 'vitest';
import { branchFilterMatches, branchFilterProblem, headerEvent, hookHears } from './events.js';

describe("Gitea's webhook events", () => {
  it('hears the specific types through "issues" and "pull_request"', () => {
    expect(hookHears(['issues'], 'issue_assign')).toBe(true);
    expect(hookHears(['issues'], 'issue_comment')).toBe(true);
    expect(hookHears(['pull_request'], 'pull_request_sync')).toBe(true);
    expect(hookHears(['push'], 'issues')).toBe(false);
    expect(hookHears(['issues'], 'pull_request_comment')).toBe(false);
    expect(headerEvent('pull_request_sync')).toBe('pull_request');
    expect(headerEvent('pull_request_comment')).toBe('issue_comment');
    expect(headerEvent('pull_request_review_approved')).toBe('pull_request_approved');
  });

  it('matches branch filters as globs on the branch name, other refs by their full name', () => {
    expect(branchFilterMatches('', 'refs/heads/x')).toBe(true);
    expect(branchFilterMatches('*', 'refs/heads/a/b')).toBe(true);
    expect(branchFilterMatches('main', 'refs/heads/main')).toBe(true);
    expect(branchFilterMatches('main', 'refs/heads/dev')).toBe(false);
    expect(branchFilterMatches('{main,release/*}', 'refs/heads/release/1.2')).toBe(true);
    expect(branchFilterMatches('{main,release/*}', 'refs/heads/feature/x')).toBe(false);
    expect(branchFilterMatches('feat-?', 'refs/heads/feat-1')).toBe(true);
    expect(branchFilterMatches('[!d]ev', 'refs/heads/dev')).toBe(false);
    expect(branchFilterMatches('[!d]ev', 'refs/heads/rev')).toBe(true);
    expect(branchFilterMatches('refs/heads/ma*', 'refs/heads/main')).toBe(true);
    expect(branchFilterMatches('refs/tags/v*', 'refs/tags/v1')).toBe(true);
    expect(branchFilterMatches('a.b', 'refs/heads/axb')).toBe(false);
  });

  it('refuses malformed filters with the reason', () => {
    expect(branchFilterProblem('{main')).toMatch(/without its "}"/);
    expect(branchFilterProblem('[abc')).toMatch(/without its "]"/);
    expect(branchFilterProblem('main}')).toMatch(/without its "{"/);
    expect(branchFilterProblem('release/*')).toBeNull();
  });
});
