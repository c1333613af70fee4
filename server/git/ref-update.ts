// The vocabulary of ref changes, shared by pushes, web writes and everything downstream.

/** The object id git uses for "no such ref" on either side of an update. */
export const ZERO_SHA = '0'.repeat(40);

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
}

/**
 * Refs the server keeps for itself: `refs/pull/<n>/head` (as GitHub and Gitea do; readable and
 * fetchable) and `refs/gitssy/…` (hidden from clients: reset backups). Never pushed by a client,
 * never part of a push event.
 */
export const SERVER_REF_PREFIX = 'refs/pull/';
const HIDDEN_REF_PREFIX = 'refs/gitssy/';

export function isServerRef(ref: string): boolean {
  return ref.startsWith(SERVER_REF_PREFIX) || ref.startsWith(HIDDEN_REF_PREFIX);
}
